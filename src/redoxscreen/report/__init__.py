"""Plots and reports from results (no science here)."""

from redoxscreen.report.plots import error_histogram, learning_curves, parity_plot
from redoxscreen.report.screening import candidate_grid, potential_histogram

__all__ = [
    "candidate_grid",
    "error_histogram",
    "learning_curves",
    "parity_plot",
    "potential_histogram",
]
