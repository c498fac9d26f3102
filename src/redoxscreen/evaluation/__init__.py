"""Cross-validation (one engine), searches and tuning, metrics, interval calibration; no plots.

Names are imported on first use, so ``redoxscreen.evaluation.calibration`` (what a screen
needs) does not load the model registry and scikit-learn with it.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "CVResult": "cv",
    "FoldFit": "cv",
    "as_builder": "cv",
    "cross_validate": "cv",
    "metrics_by_target": "metrics",
    "regression_metrics": "metrics",
    "Grid": "search",
    "Tuning": "search",
    "load_grid": "search",
    "run_study": "search",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"redoxscreen.evaluation.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'redoxscreen.evaluation' has no attribute {name!r}")
