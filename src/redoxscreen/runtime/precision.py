"""The numeric precision nets predict in, set for a block of code (no torch import here)."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

PRECISIONS = ("fp32", "mixed")
_PRECISION: contextvars.ContextVar[str] = contextvars.ContextVar("precision", default="fp32")


@contextlib.contextmanager
def inference_precision(name: str) -> Iterator[None]:
    """Predict inside the block in ``name``: ``fp32``, or ``mixed`` — the FCNN's sparse
    first layer gathers float16 weights and its dense layers run in bfloat16, accumulating in
    float32. Training and Monte-Carlo dropout always run in float32.

    ``mixed`` halves the weights' memory traffic and runs the 1024→512 layers ~2.7× faster on
    CPUs with AVX-512 BF16 or AMX, and on GPUs; elsewhere bfloat16 is emulated and slower.
    What it costs in accuracy: ``bench/bench_precision.py``."""
    if name not in PRECISIONS:
        raise ValueError(f"unknown precision {name!r}; known: {', '.join(PRECISIONS)}")
    token = _PRECISION.set(name)
    try:
        yield
    finally:
        _PRECISION.reset(token)


def current_precision() -> str:
    """The precision of the innermost :func:`inference_precision` block (``fp32`` outside)."""
    return _PRECISION.get()
