"""JSON fallback for NumPy scalars/arrays, paths and tuples (run folders, model.json)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def json_default(value: object) -> object:
    """``default=`` hook for :func:`json.dumps`."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | set):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
