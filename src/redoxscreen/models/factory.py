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
    whose defaults are ``preset``'s: ``default`` or ``thesis``). An unknown model or setting
    raises :class:`ConfigError` here, not when the model is fitted."""
    try:
        est = _make(name, dict(params or {}), seed, n_jobs, max_epochs, preset)
        if isinstance(est, ZooRegressor):  # its scikit-learn model takes the settings at fit
            est.make_model()
        return est
    except (TypeError, ValueError) as exc:  # an unknown or ill-typed setting, unknown preset
        raise ConfigError(f"model {name!r} with settings {params or {}}: {exc}") from exc


def _make(name: str, params: dict, seed: int, n_jobs: int, max_epochs: int | None,
          preset: str) -> BaseEstimator:
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
