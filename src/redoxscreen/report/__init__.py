"""Plots and reports from results (no science here)."""

from redoxscreen.report.plots import error_histogram, learning_curves, parity_plot

__all__ = ["error_histogram", "learning_curves", "parity_plot"]
