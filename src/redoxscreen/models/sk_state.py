"""Fitted scikit-learn / LightGBM estimators as (JSON, named arrays) — no pickle, no code.

A fitted estimator is its class name plus its ``__dict__``. :func:`encode` turns that state into
JSON with every NumPy array (and sparse-matrix part, tree-node field) moved to a flat dict of
arrays for safetensors; :func:`decode` rebuilds it. Only the classes in :data:`ALLOWED` can be
created, by ``cls.__new__`` and a plain state update — nothing in a model file can name a function
or module to run, unlike pickle. LightGBM boosters are stored as LightGBM's own text model;
decision trees as their node arrays.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process import kernels as gpk
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import Lasso, LinearRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MaxAbsScaler, StandardScaler
from sklearn.svm import SVR
from sklearn.tree import DecisionTreeRegressor, ExtraTreeRegressor
from sklearn.tree._tree import Tree

from redoxscreen.runtime.errors import ModelFileError

_CLASSES: list[type] = [
    Pipeline, TransformedTargetRegressor, StandardScaler, MaxAbsScaler, LinearRegression, Ridge,
    Lasso, SVR, KernelRidge, GaussianProcessRegressor, RandomForestRegressor,
    ExtraTreesRegressor, DecisionTreeRegressor, ExtraTreeRegressor, gpk.RBF, gpk.Matern,
    gpk.ConstantKernel, gpk.WhiteKernel, gpk.DotProduct, gpk.Sum, gpk.Product,
    gpk.Hyperparameter,
]
try:  # LightGBM is a core dependency, but keep the codec importable without it
    import lightgbm as lgb

    _CLASSES.append(lgb.LGBMRegressor)
except ImportError:  # pragma: no cover
    lgb = None
ALLOWED: dict[str, type] = {f"{c.__module__}.{c.__qualname__}": c for c in _CLASSES}


def allow(cls: type) -> type:
    """Allow one more class (every registered model is allowed by its registration)."""
    ALLOWED[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return cls


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def encode(obj: object, arrays: dict[str, np.ndarray], key: str) -> object:
    """JSON-safe form of ``obj``; arrays go to ``arrays`` under keys starting with ``key``."""
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, int | np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        v = float(obj)
        return v if math.isfinite(v) else {"float": repr(v)}
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, np.ndarray):
        if obj.dtype.names:  # structured (tree nodes): one array per field
            fields = {}
            for f in obj.dtype.names:
                arrays[f"{key}.{f}"] = np.ascontiguousarray(obj[f])
                fields[f] = f"{key}.{f}"
            return {"struct": fields, "n": len(obj)}
        if obj.dtype.kind in "OUS":
            return {"ndarray_list": [encode(x, arrays, f"{key}.{i}") for i, x in
                                     enumerate(obj.tolist())], "dtype": obj.dtype.str
                    if obj.dtype.kind != "O" else "O"}
        arrays[key] = np.ascontiguousarray(obj)
        return {"array": key}
    if sp.issparse(obj):
        m = sp.csr_matrix(obj)
        for part in ("data", "indices", "indptr"):
            arrays[f"{key}.{part}"] = np.ascontiguousarray(getattr(m, part))
        return {"csr": key, "shape": list(m.shape)}
    if isinstance(obj, list | tuple):
        items = [encode(x, arrays, f"{key}.{i}") for i, x in enumerate(obj)]
        return {"tuple": items} if isinstance(obj, tuple) else {"list": items}
    if isinstance(obj, dict):
        if not all(isinstance(k, str) for k in obj):
            raise TypeError(f"{key}: dict keys must be strings to be saved")
        return {"dict": {k: encode(v, arrays, f"{key}.{k}") for k, v in obj.items()}}
    if isinstance(obj, np.dtype):
        return {"np_dtype": obj.str}
    if isinstance(obj, np.random.RandomState | np.random.Generator):
        return {"rng": None}  # random streams are not needed to predict; seeds are in params
    if isinstance(obj, Tree):
        state = obj.__getstate__()
        return {"tree": {"n_features": obj.n_features, "n_outputs": obj.n_outputs,
                         "n_classes": encode(np.asarray(obj.n_classes), arrays, f"{key}.nc"),
                         "state": encode(state, arrays, f"{key}.s")}}
    if lgb is not None and isinstance(obj, lgb.Booster):
        return {"lgb_booster": obj.model_to_string()}
    if isinstance(obj, type) and _name(obj) in ALLOWED:
        return {"class": _name(obj)}
    name = _name(type(obj))
    if name in ALLOWED:
        state = obj.__getstate__() if isinstance(obj, BaseEstimator) else dict(vars(obj))
        return {"object": name, "state": encode(state, arrays, f"{key}.o")}
    raise TypeError(f"{key}: cannot save objects of type {name}")


def decode(node: object, arrays: dict[str, np.ndarray]) -> object:
    """Inverse of :func:`encode`."""
    if node is None or isinstance(node, bool | int | float | str):
        return node
    if not isinstance(node, dict) or len(node) == 0:
        raise ModelFileError(f"malformed estimator state: {node!r:.80}")
    if "array" in node:
        return np.array(arrays[node["array"]])
    if "float" in node:
        return float(node["float"])
    if "list" in node:
        return [decode(x, arrays) for x in node["list"]]
    if "tuple" in node:
        return tuple(decode(x, arrays) for x in node["tuple"])
    if "dict" in node:
        return {k: decode(v, arrays) for k, v in node["dict"].items()}
    if "ndarray_list" in node:
        items = [decode(x, arrays) for x in node["ndarray_list"]]
        if node["dtype"] == "O":
            out = np.empty(len(items), dtype=object)
            out[:] = items
            return out
        return np.array(items, dtype=np.dtype(node["dtype"]))
    if "struct" in node:
        return {f: np.array(arrays[k]) for f, k in node["struct"].items()}  # see "tree"
    if "csr" in node:
        k = node["csr"]
        return sp.csr_matrix((arrays[f"{k}.data"], arrays[f"{k}.indices"],
                              arrays[f"{k}.indptr"]), shape=tuple(node["shape"]))
    if "np_dtype" in node:
        return np.dtype(node["np_dtype"])
    if "rng" in node:
        return None
    if "tree" in node:
        return _decode_tree(node["tree"], arrays)
    if "lgb_booster" in node:
        if lgb is None:  # pragma: no cover
            raise ModelFileError("this model needs LightGBM: pip install lightgbm")
        return lgb.Booster(model_str=node["lgb_booster"])
    if "class" in node:
        return _allowed(node["class"])
    if "object" in node:
        cls = _allowed(node["object"])
        obj = cls.__new__(cls)
        state = decode(node["state"], arrays)
        if isinstance(obj, BaseEstimator):
            obj.__setstate__(state)
        else:
            obj.__dict__.update(state)
        return obj
    raise ModelFileError(f"malformed estimator state: unknown node {sorted(node)}")


def _allowed(name: str) -> type:
    if name not in ALLOWED:
        raise ModelFileError(f"model file names class {name!r}, which redoxscreen does not "
                             "load (only known estimator classes are allowed)")
    return ALLOWED[name]


def _decode_tree(node: dict, arrays: dict[str, np.ndarray]) -> Tree:
    n_classes = np.asarray(decode(node["n_classes"], arrays), dtype=np.intp)
    tree = Tree(int(node["n_features"]), n_classes, int(node["n_outputs"]))
    state = decode(node["state"], arrays)
    fields = state["nodes"]
    template = tree.__getstate__()["nodes"].dtype
    nodes = np.zeros(len(next(iter(fields.values()))), dtype=template)
    for f in template.names:
        nodes[f] = fields[f]
    state["nodes"] = nodes
    tree.__setstate__(state)
    return tree
