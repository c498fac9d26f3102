"""The classical model zoo: ridge, lasso, SVR, random forest, extra trees, kernel ridge, GP and
LightGBM behind one scikit-learn estimator, :class:`ZooRegressor`.

One model per target is fitted on the rows where that target is labelled (a multi-target table
may have gaps). Scale-sensitive models get a ``StandardScaler`` in front (``with_mean=False`` on
sparse fingerprints) and learn standardised targets (kernel ridge has no intercept, and SVR's
epsilon and C then mean the same on every target). ``predict_dist`` gives the model's own
spread where there is one — the GP posterior standard deviation, the spread of the trees of a
forest — and NaN for models that have none (ridge, lasso, SVR, kernel ridge, LightGBM);
ensembles of fold models give a spread for any model (``EnsembleRegressor``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel
from sklearn.kernel_ridge import KernelRidge
from sklearn.linear_model import Lasso, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR
from sklearn.utils.validation import check_is_fitted

from redoxscreen.models.registry import MODELS, RUNTIME, register_model
from redoxscreen.runtime.errors import ConfigError

GP_MAX_TRAIN = 3000  # the exact GP costs O(n³): larger training sets are subsampled (recorded)


def _gp(seed: int, n_jobs: int, **p: object) -> BaseEstimator:
    kernel = ConstantKernel(1.0) * RBF(length_scale=p.pop("length_scale")) + WhiteKernel(
        noise_level=p.pop("noise_level"))
    return GaussianProcessRegressor(kernel=kernel, normalize_y=True, random_state=seed,
                                    n_restarts_optimizer=int(p.pop("n_restarts")), **p)


@dataclass(frozen=True)
class ZooModel:
    """One classical model: its library class, our defaults (over the library's), whether it
    needs scaled inputs, and which of its parameters take the seed and the threads."""

    estimator: type
    defaults: dict
    scaled: bool
    description: str
    seed_param: str | None = "random_state"
    threaded: bool = False
    make: Callable[..., BaseEstimator] | None = None  # when the settings are not the class's
    hidden: tuple[str, ...] = ()  # class parameters set here, not by the user

    def build(self, seed: int, n_jobs: int, params: dict) -> BaseEstimator:
        p = {**self.defaults, **params}
        if self.make is not None:
            return self.make(seed, n_jobs, **p)
        if self.seed_param:
            p[self.seed_param] = seed
        if self.threaded:
            p["n_jobs"] = n_jobs
        return self.estimator(**p)

    def settings(self) -> dict:
        own = self.estimator().get_params(deep=False)
        drop = {*RUNTIME, *self.hidden}
        return {k: v for k, v in {**own, **self.defaults}.items() if k not in drop}


def _lgbm() -> type:
    import lightgbm as lgb

    return lgb.LGBMRegressor


_FOREST = {"n_estimators": 300, "max_features": 0.3}
ZOO: dict[str, ZooModel] = {
    "ridge": ZooModel(Ridge, {"alpha": 1.0}, True, "ridge regression", None),
    "lasso": ZooModel(Lasso, {"alpha": 1e-3, "max_iter": 5000}, True, "lasso regression"),
    "svr": ZooModel(SVR, {"C": 10.0, "epsilon": 0.05, "gamma": "scale"}, True,
                    "support-vector regression, RBF kernel", None),
    "krr": ZooModel(KernelRidge, {"alpha": 0.1, "kernel": "rbf"}, True,
                    "kernel ridge, RBF kernel", None),
    "gp": ZooModel(GaussianProcessRegressor,
                   {"length_scale": 10.0, "noise_level": 0.1, "n_restarts": 0}, True,
                   f"Gaussian process, constant × RBF + white noise (≤ {GP_MAX_TRAIN} training "
                   "rows)", make=_gp, hidden=("kernel", "normalize_y", "n_restarts_optimizer")),
    "rf": ZooModel(RandomForestRegressor, _FOREST, False, "random forest", threaded=True),
    "et": ZooModel(ExtraTreesRegressor, _FOREST, False, "extremely randomised trees",
                   threaded=True),
    "lgbm": ZooModel(_lgbm(), dict(n_estimators=1000, learning_rate=0.05, num_leaves=63,
                                   colsample_bytree=0.5, subsample=0.8, subsample_freq=1,
                                   min_child_samples=10, verbose=-1), False,
                     "LightGBM gradient boosting", threaded=True),
}
NATIVE_SPREAD = {"gp", "rf", "et"}


@register_model("zoo", listed=False)
class ZooRegressor(RegressorMixin, BaseEstimator):
    """One classical model by name, with the scikit-learn API and ``predict_dist``.

    Parameters
    ----------
    model : a key of :data:`ZOO`.
    params : keyword arguments of the underlying estimator (override the defaults).
    max_train : subsample the training rows to this many (seeded) — for the O(n³) GP; ``None``
        uses all. The number used is ``n_train_``.
    seed, n_jobs : reproducibility and threads.

    Fitted attributes: ``estimators_`` (one pipeline per target), ``n_features_in_``,
    ``n_targets_``, ``n_train_``, ``fit_seconds_``.
    """

    def __init__(self, model: str = "ridge", params: dict | None = None,
                 max_train: int | None = None, seed: int = 0, n_jobs: int = 1):
        self.model = model
        self.params = params
        self.max_train = max_train
        self.seed = seed
        self.n_jobs = n_jobs

    def make_model(self) -> BaseEstimator:
        """The unfitted scikit-learn model of one target; raises on an unknown setting."""
        if self.model not in ZOO:
            raise ConfigError(f"unknown model {self.model!r}; known: {', '.join(ZOO)}")
        spec = ZOO[self.model]
        est = spec.build(self.seed, self.n_jobs, dict(self.params or {}))
        if not spec.scaled:
            return Pipeline([("model", est)])
        pipe = Pipeline([("scale", StandardScaler(with_mean=False)), ("model", est)])
        if self.model == "gp":  # normalize_y does it inside the GP (and keeps return_std right)
            return pipe
        return TransformedTargetRegressor(regressor=pipe, transformer=StandardScaler())

    def _prepare(self, X: object) -> object:
        if sp.issparse(X):
            X = sp.csr_matrix(X, dtype=np.float64)
            return X.toarray() if self.model == "gp" else X
        return np.asarray(X, dtype=np.float64)

    def fit(self, X: object, y: np.ndarray) -> ZooRegressor:
        t0 = time.perf_counter()
        X = self._prepare(X)
        Y = np.asarray(y, dtype=np.float64)
        self._y_1d = Y.ndim == 1
        Y = Y.reshape(len(Y), -1)
        self.n_features_in_, self.n_targets_ = X.shape[1], Y.shape[1]
        rng = np.random.default_rng(self.seed)
        self.estimators_, self.n_train_ = [], []
        for j in range(Y.shape[1]):
            rows = np.flatnonzero(np.isfinite(Y[:, j]))
            if len(rows) < 2:
                raise ConfigError(f"a training set (or fold) holds {len(rows)} labelled "
                                  f"molecules for target {j + 1}; the model needs at least 2: "
                                  "add data or use fewer folds")
            if self.max_train is not None and len(rows) > self.max_train:
                rows = np.sort(rng.choice(rows, self.max_train, replace=False))
            self.estimators_.append(self.make_model().fit(X[rows], Y[rows, j]))
            self.n_train_.append(len(rows))
        self.fit_seconds_ = time.perf_counter() - t0
        return self

    def _shape(self, out: np.ndarray) -> np.ndarray:
        return out.ravel() if self._y_1d else out

    def predict(self, X: object) -> np.ndarray:
        check_is_fitted(self, "estimators_")
        X = self._prepare(X)
        return self._shape(np.column_stack([e.predict(X) for e in self.estimators_]))

    def predict_dist(self, X: object) -> tuple[np.ndarray, np.ndarray]:
        """Mean and the model's own standard deviation (NaN where the model has none)."""
        check_is_fitted(self, "estimators_")
        X = self._prepare(X)
        means, stds = [], []
        for e in self.estimators_:
            if self.model == "gp":
                m, s = e.predict(X, return_std=True)
            elif self.model in ("rf", "et"):
                Xt = e[:-1].transform(X) if len(e) > 1 else X
                draws = np.stack([t.predict(Xt) for t in e[-1].estimators_])
                m, s = draws.mean(axis=0), draws.std(axis=0)
            else:
                m = e.predict(X)
                s = np.full(len(m), np.nan)
            means.append(m)
            stds.append(s)
        return self._shape(np.column_stack(means)), self._shape(np.column_stack(stds))


def _zoo_factory(name: str) -> Callable[..., ZooRegressor]:
    def build(**settings: object) -> ZooRegressor:
        return ZooRegressor(name, settings, max_train=GP_MAX_TRAIN if name == "gp" else None)

    return build


for _name, _spec in ZOO.items():
    MODELS.add(_name, _zoo_factory(_name), reads="features", description=_spec.description,
               settings=_spec.settings())
