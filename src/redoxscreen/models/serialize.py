"""Estimators to and from (JSON config, named arrays) — the safetensors model format, no pickle.

The config names the estimator by its registered model name. A class with ``to_state(prefix)``
and ``from_state(config, arrays)`` saves itself (the nets: their state dicts; ensembles and
stacks: their members under prefixes); any other registered class goes through the
allow-listed state codec of :mod:`redoxscreen.models.sk_state`.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator

from redoxscreen.models.registry import MODELS
from redoxscreen.models.sk_state import decode, encode
from redoxscreen.runtime.errors import ConfigError, ModelFileError
from redoxscreen.runtime.jsonio import plain


def estimator_to_state(est: BaseEstimator, prefix: str = "") -> tuple[dict, dict[str, np.ndarray]]:
    """(JSON-safe config, flat dict of arrays) for a fitted estimator."""
    name = MODELS.name_of(type(est))
    if name is None:
        raise TypeError(f"cannot save estimator of type {type(est).__name__}: register it "
                        "with @register_model")
    if hasattr(est, "to_state"):
        config, arrays = est.to_state(prefix)
        return {"name": name, **config}, arrays
    arrays: dict[str, np.ndarray] = {}
    state = encode(est, arrays, f"{prefix}sk")
    return {"name": name, "params": plain(est.get_params(deep=False)), "state": state}, arrays


def estimator_from_state(config: dict, arrays: dict[str, np.ndarray]) -> BaseEstimator:
    """Inverse of :func:`estimator_to_state`."""
    name = config.get("name")
    try:
        cls = MODELS[name].factory
    except ConfigError as exc:
        raise ModelFileError(f"model.json: unknown estimator {name!r} ({exc})") from exc
    if hasattr(cls, "from_state"):
        return cls.from_state(config, arrays)
    if not isinstance(config.get("state"), dict):
        raise ModelFileError(f"model.json: estimator {name!r} has no saved state")
    est = decode(config["state"], arrays)
    if not isinstance(est, cls):
        raise ModelFileError(f"model.json: estimator {name!r} holds a {type(est).__name__}")
    return est


def members_to_state(members: list[BaseEstimator], prefix: str
                     ) -> tuple[list[dict], dict[str, np.ndarray]]:
    """Configs of nested estimators; their arrays under ``<prefix><i>.``."""
    configs, arrays = [], {}
    for i, m in enumerate(members):
        cfg, arr = estimator_to_state(m, f"{prefix}{i}.")
        configs.append(cfg)
        arrays.update(arr)
    return configs, arrays


def members_from_state(configs: list[dict], arrays: dict[str, np.ndarray]
                       ) -> list[BaseEstimator]:
    return [estimator_from_state(c, arrays) for c in configs]

