"""Estimators to and from (JSON config, named arrays) — the safetensors model format, no pickle.

The FCNN stores its net's state dict; ensembles nest their members under ``m<i>.`` prefixes;
scikit-learn and LightGBM models go through the allow-listed state codec of
:mod:`redoxscreen.models.sk_state`.
"""

from __future__ import annotations

import json

import numpy as np
import torch
from sklearn.base import BaseEstimator

from redoxscreen.errors import ModelFileError
from redoxscreen.jsonutil import json_default
from redoxscreen.models.ensemble import EnsembleRegressor
from redoxscreen.models.fcnn import FCNNRegressor
from redoxscreen.models.sk_state import ALLOWED, decode, encode
from redoxscreen.models.stacking import StackedRegressor
from redoxscreen.models.zoo import ZooRegressor

ESTIMATORS: dict[str, type[BaseEstimator]] = {"fcnn": FCNNRegressor, "ensemble": EnsembleRegressor,
                                              "zoo": ZooRegressor, "stacked": StackedRegressor}
_NAME_OF = {cls: name for name, cls in ESTIMATORS.items()}


def _plain(value: object) -> object:
    """Plain JSON types (tuples → lists, NumPy → Python)."""
    return json.loads(json.dumps(value, default=json_default))


def _members_to_state(members: list[BaseEstimator], prefix: str
                      ) -> tuple[list[dict], dict[str, np.ndarray]]:
    """Configs of nested estimators; their arrays under ``<prefix><i>.``."""
    configs, arrays = [], {}
    for i, m in enumerate(members):
        cfg, arr = estimator_to_state(m, f"{prefix}{i}.")
        configs.append(cfg)
        arrays.update(arr)
    return configs, arrays


def estimator_to_state(est: BaseEstimator, prefix: str = "") -> tuple[dict, dict[str, np.ndarray]]:
    """(JSON-safe config, flat dict of arrays) for a fitted estimator."""
    name = "dmpnn" if type(est).__name__ == "DMPNNRegressor" else _NAME_OF.get(type(est))
    if name is None:
        raise TypeError(f"cannot save estimator of type {type(est).__name__}")
    if isinstance(est, EnsembleRegressor):
        members, arrays = _members_to_state(est.estimators_, f"{prefix}m")
        return {"name": name, "members": members}, arrays
    if isinstance(est, StackedRegressor):
        members, arrays = _members_to_state(est.members, f"{prefix}s")
        return {"name": name, "members": members, "names": est.names,
                "weights": est.weights_.tolist(), "intercepts": est.intercepts_.tolist()}, arrays
    if isinstance(est, FCNNRegressor):
        params = {k: _plain(v) for k, v in est.get_params().items()}
        fitted = {k: _plain(getattr(est, k)) for k in
                  ("y_offset_", "y_scale_", "best_epoch_", "n_features_in_", "n_targets_",
                   "history_", "fit_seconds_")}
        fitted["y_1d"] = bool(est._y_1d)
        arrays = {f"{prefix}net.{k}": v.detach().cpu().numpy()
                  for k, v in est.net_.state_dict().items()}
        arrays[f"{prefix}x_scale"] = est.x_scale_
        arrays[f"{prefix}x_center"] = est.x_center_
        return {"name": name, "params": params, "fitted": fitted, "prefix": prefix}, arrays
    if name == "dmpnn":  # optional (chemprop): not imported at top level
        params = {k: _plain(v) for k, v in est.get_params().items()}
        fitted = {"n_targets_": est.n_targets_, "y_1d": bool(est._y_1d),
                  "best_epoch_": est.best_epoch_, "history_": _plain(est.history_)}
        arrays = {f"{prefix}dmpnn.{k}": v for k, v in est.state_arrays().items()}
        return {"name": "dmpnn", "params": params, "fitted": fitted, "prefix": prefix}, arrays
    if f"{type(est).__module__}.{type(est).__qualname__}" in ALLOWED:
        arrays = {}
        state = encode(est, arrays, f"{prefix}sk")
        return {"name": name, "params": _plain(est.get_params(deep=False)), "state": state}, arrays
    raise TypeError(f"no serialiser for {name}")  # pragma: no cover


def estimator_from_state(config: dict, arrays: dict[str, np.ndarray]) -> BaseEstimator:
    """Inverse of :func:`estimator_to_state`."""
    name = config.get("name")
    if name == "ensemble":
        return EnsembleRegressor.from_fitted(
            [estimator_from_state(c, arrays) for c in config["members"]]
        )
    if name == "dmpnn":
        from redoxscreen.models.dmpnn import DMPNNRegressor

        est = DMPNNRegressor(**config["params"])
        fitted, prefix = config["fitted"], config["prefix"] + "dmpnn."
        est.load_arrays({k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)},
                        fitted["n_targets_"], fitted["y_1d"])
        est.best_epoch_, est.history_ = fitted["best_epoch_"], fitted["history_"]
        return est
    if name == "stacked":
        return StackedRegressor.from_fitted(
            [estimator_from_state(c, arrays) for c in config["members"]], config["names"],
            np.asarray(config["weights"]), np.asarray(config["intercepts"]))
    if name == "fcnn":
        params = dict(config["params"])
        params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
        est = FCNNRegressor(**params)
        fitted, prefix = config["fitted"], config["prefix"]
        for k in ("best_epoch_", "n_features_in_", "n_targets_", "history_", "fit_seconds_"):
            setattr(est, k, fitted[k])
        est.y_offset_ = np.asarray(fitted["y_offset_"], float)
        est.y_scale_ = np.asarray(fitted["y_scale_"], float)
        est._y_1d = fitted["y_1d"]
        est.x_scale_ = np.asarray(arrays[f"{prefix}x_scale"], np.float32)
        est.x_center_ = np.asarray(arrays[f"{prefix}x_center"], np.float32)
        est._build()
        state = {k[len(prefix) + 4:]: torch.from_numpy(np.array(v))
                 for k, v in arrays.items() if k.startswith(f"{prefix}net.")}
        est.net_.load_state_dict(state)
        est.net_.eval()
        return est
    if name in ESTIMATORS and "state" in config:
        est = decode(config["state"], arrays)
        if not isinstance(est, ESTIMATORS[name]):
            raise ModelFileError(f"model.json: estimator {name!r} holds a "
                                 f"{type(est).__name__}")
        return est
    raise ModelFileError(f"unknown estimator {name!r} in model.json")
