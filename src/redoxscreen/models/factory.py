"""Estimators by name: ``fcnn``, ``dmpnn`` (chemprop, optional) or a key of
:data:`redoxscreen.models.zoo.MODELS`."""

from __future__ import annotations

from sklearn.base import BaseEstimator

from redoxscreen.errors import ConfigError
from redoxscreen.models.fcnn import FCNNRegressor
from redoxscreen.models.zoo import MODELS, ZooRegressor

GP_MAX_TRAIN = 3000  # the exact GP costs O(n³): larger training sets are subsampled (recorded)


def model_names() -> list[str]:
    return ["fcnn", "dmpnn", *MODELS]


def make_estimator(name: str, params: dict | None = None, *, seed: int = 0, n_jobs: int = 1,
                   max_epochs: int | None = None, preset: str = "default") -> BaseEstimator:
    """A fresh estimator; ``params`` override the defaults (``hidden: "1024,512"`` for fcnn,
    whose defaults are ``preset``'s: ``default`` or ``thesis``)."""
    params = dict(params or {})
    if name == "fcnn":
        if "hidden" in params:
            params["hidden_layer_sizes"] = tuple(int(h) for h in str(params.pop("hidden"))
                                                 .split(","))
        if max_epochs is not None:
            params["max_epochs"] = max_epochs
        return FCNNRegressor.from_preset(preset, seed=seed, n_threads=n_jobs, **params)
    if name == "dmpnn":
        from redoxscreen.models.dmpnn import DMPNNRegressor

        if max_epochs is not None:
            params["max_epochs"] = max_epochs
        return DMPNNRegressor(**params, seed=seed, n_threads=n_jobs)
    if name not in MODELS:
        raise ConfigError(f"unknown model {name!r}; known: {', '.join(model_names())}")
    return ZooRegressor(name, params, seed=seed, n_jobs=n_jobs,
                        max_train=GP_MAX_TRAIN if name == "gp" else None)
