"""JSON for run folders: NumPy/paths/tuples as plain values, atomic writes, tidy summaries."""

from __future__ import annotations

import json
import math
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


def plain(value: object) -> object:
    """``value`` as plain JSON types (tuples → lists, NumPy → Python), as it reads back."""
    return json.loads(json.dumps(value, default=json_default))


def tidy(value: object, digits: int = 12) -> object:
    """Floats rounded to ``digits`` significant digits, for files people read: a window limit
    computed as −2.6 + 3.04 is written 0.44, not 0.43999999999999995."""
    if isinstance(value, float | np.floating):
        v = float(value)
        return float(f"{v:.{digits}g}") if math.isfinite(v) else v
    if isinstance(value, dict):
        return {k: tidy(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [tidy(v, digits) for v in value]
    return value


def write_json(path: str | Path, obj: object, *, tidy_floats: bool = False) -> Path:
    """Write ``obj`` as indented JSON, atomically (a reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    obj = tidy(plain(obj)) if tidy_floats else obj
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=json_default))
    tmp.replace(path)
    return path
