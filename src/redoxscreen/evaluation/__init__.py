"""Cross-validation, metrics and architecture search (no plotting here)."""

from redoxscreen.evaluation.cv import CVResult, cross_validate
from redoxscreen.evaluation.metrics import metrics_by_target, regression_metrics
from redoxscreen.evaluation.search import Grid, load_grid

__all__ = ["CVResult", "Grid", "cross_validate", "load_grid", "metrics_by_target",
           "regression_metrics"]
