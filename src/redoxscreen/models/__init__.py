"""Estimators (sklearn API + ``predict_dist``), ensembles and the saved-model format.

Names are imported on first use, so ``redoxscreen.models.card`` (no torch) stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "PRESETS": "fcnn",
    "FCNNRegressor": "fcnn",
    "EnsembleRegressor": "ensemble",
    "RedoxModel": "bundle",
    "load_model": "bundle",
    "ModelCard": "card",
    "read_model_card": "card",
    "estimator_from_state": "serialize",
    "estimator_to_state": "serialize",
    "MODELS": "registry",
    "make_estimator": "registry",
    "register_model": "registry",
    "MolBatch": "inputs",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"redoxscreen.models.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'redoxscreen.models' has no attribute {name!r}")
