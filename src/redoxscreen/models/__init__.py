"""Estimators (sklearn API + ``predict_dist``), ensembles and the saved-model format."""

from redoxscreen.models.bundle import RedoxModel, load_model
from redoxscreen.models.ensemble import EnsembleRegressor
from redoxscreen.models.fcnn import PRESETS, FCNNRegressor
from redoxscreen.models.serialize import estimator_from_state, estimator_to_state

__all__ = [
    "PRESETS",
    "EnsembleRegressor",
    "FCNNRegressor",
    "RedoxModel",
    "estimator_from_state",
    "estimator_to_state",
    "load_model",
]
