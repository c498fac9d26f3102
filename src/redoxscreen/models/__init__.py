"""Estimators (sklearn API + ``predict_dist``), ensembles and the saved-model format.

Names are imported on first use, so ``redoxscreen.models.card`` (no torch) stays light.
"""

from __future__ import annotations

from redoxscreen.runtime.lazy import lazy_names

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

__getattr__, __all__ = lazy_names(__name__, _WHERE)
