"""Plots and reports from results (no science here)."""

from redoxscreen.report.plots import (
    error_histogram,
    feature_count_plot,
    learning_curves,
    parity_panel,
    parity_plot,
)
from redoxscreen.report.screening import candidate_grid, potential_histogram

__all__ = [
    "candidate_grid",
    "error_histogram",
    "feature_count_plot",
    "learning_curves",
    "parity_panel",
    "parity_plot",
    "potential_histogram",
]
