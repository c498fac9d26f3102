"""The numeric precision nets predict in, set for a block of code (no torch import here)."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

PRECISIONS = ("fp32", "mixed", "int8")
_PRECISION: contextvars.ContextVar[str] = contextvars.ContextVar("precision", default="fp32")


@contextlib.contextmanager
def inference_precision(name: str) -> Iterator[None]:
    """Predict inside the block in ``name``: ``fp32``; ``mixed`` — the FCNN's sparse
    first layer gathers float16 weights and its dense layers run in bfloat16, accumulating in
    float32; or ``int8`` — the first layer in float32, the dense layers dynamically quantised
    (int8 weights per output channel, int8 activations scaled per batch, int32 sums; CPU
    only). Training and Monte-Carlo dropout always run in float32.

    ``mixed`` halves the weights' memory traffic and runs the 1024→512 layers ~2.7× faster on
    CPUs with AVX-512 BF16 or AMX, and on GPUs; elsewhere bfloat16 is emulated and slower.
    ``int8`` runs them faster on any x86-64 CPU; as its activations share one scale per batch,
    a molecule's prediction moves, within the rounding, with the molecules predicted beside it
    (the same library and chunk size give the same batches, so a screen stays reproducible).
    What each costs in accuracy and speed: ``bench/bench_precision.py``."""
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
