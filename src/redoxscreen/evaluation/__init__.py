"""Cross-validation (one engine), searches and tuning, metrics, interval calibration; no plots."""

from redoxscreen.evaluation.cv import CVResult, FoldFit, as_builder, cross_validate
from redoxscreen.evaluation.metrics import metrics_by_target, regression_metrics
from redoxscreen.evaluation.search import Grid, Tuning, load_grid, run_study

__all__ = ["CVResult", "FoldFit", "Grid", "Tuning", "as_builder", "cross_validate", "load_grid",
           "metrics_by_target", "regression_metrics", "run_study"]
