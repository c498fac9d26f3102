"""Cross-validation (one engine), searches and tuning, metrics, interval calibration; no plots.

Names are imported on first use, so ``redoxscreen.evaluation.calibration`` (what a screen
needs) does not load the model registry and scikit-learn with it.
"""

from __future__ import annotations

from redoxscreen.runtime.lazy import lazy_names

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

__getattr__, __all__ = lazy_names(__name__, _WHERE)
