"""Plots and reports from results (no science here).

Names are imported on first use: a screen draws its two figures with
:mod:`redoxscreen.report.screening` alone, without the learning plots' scikit-learn metrics.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "error_histogram": "plots",
    "feature_count_plot": "plots",
    "learning_curves": "plots",
    "parity_panel": "plots",
    "parity_plot": "plots",
    "candidate_grid": "screening",
    "potential_histogram": "screening",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"redoxscreen.report.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'redoxscreen.report' has no attribute {name!r}")
