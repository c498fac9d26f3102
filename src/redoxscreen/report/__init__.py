"""Plots and reports from results (no science here).

Names are imported on first use: a screen draws its two figures with
:mod:`redoxscreen.report.screening` alone, without the learning plots' scikit-learn metrics.
"""

from __future__ import annotations

from redoxscreen.runtime.lazy import lazy_names

_WHERE = {
    "error_histogram": "plots",
    "feature_count_plot": "plots",
    "learning_curves": "plots",
    "parity_panel": "plots",
    "parity_plot": "plots",
    "candidate_grid": "screening",
    "potential_histogram": "screening",
}

__getattr__, __all__ = lazy_names(__name__, _WHERE)
