r"""The campaign's surrogate: any registered model, refitted each round, with calibrated σ.

Every refit is cross-validated first (k folds, seeded), which gives the round's CV metrics and
the calibration of its uncertainty:

* a model with its own predictive spread (the Tanimoto GP, the RBF GP) is refitted on every
  label; its σ is scaled by :math:`c`, the 68.27 % quantile of the out-of-fold
  :math:`|y - \mu|/\sigma`, so that one σ covers 68 % of held-out labels;
* any other model (LightGBM, the FCNN, the D-MPNN) becomes the ensemble of its k fold models;
  its σ is read off the CV+ conformal interval of those models (``evaluation.calibration``) at
  80 % coverage, :math:`\sigma = (h - l)/(2 z_{0.9})`, and Thompson draws are fold members.

``auto`` picks by size: the Tanimoto GP up to :data:`GP_MAX_LABELS` labels (RBF GP for tabular
candidates), then the D-MPNN ensemble when chemprop is installed, else a LightGBM ensemble.
"""

from __future__ import annotations

import importlib.util
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri
from sklearn.exceptions import ConvergenceWarning

from redoxscreen.data.splits import kfold_splits
from redoxscreen.evaluation.calibration import fit_calibrator
from redoxscreen.evaluation.cv import cross_validate
from redoxscreen.models.ensemble import EnsembleRegressor
from redoxscreen.models.inputs import member_predictions
from redoxscreen.models.registry import make_estimator

GP_MAX_LABELS = 2000
ONE_SIGMA = 0.6827
ENSEMBLE_COVERAGE = 0.8


def auto_surrogate(n_labels: int, molecular: bool) -> str:
    """The default surrogate for a campaign of this size and kind of candidate."""
    if n_labels <= GP_MAX_LABELS:
        return "tanimoto-gp" if molecular else "gp"
    if molecular and importlib.util.find_spec("chemprop") is not None:
        return "dmpnn"
    return "lgbm"


@dataclass
class Surrogate:
    """A fitted surrogate: ``predict(X) → (mean, sd)`` (calibrated, ``(n, t)``) and
    ``sample(X, k, rng) → (k, n, t)``."""

    name: str
    targets: list[str]
    model: object
    native: bool
    scale: np.ndarray
    calibrators: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    calibration: dict = field(default_factory=dict)
    cv_seconds: float = 0.0
    refit_seconds: float = 0.0

    def predict(self, X: object) -> tuple[np.ndarray, np.ndarray]:
        if self.native:
            m, s = self.model.predict_dist(X)
            m, s = (np.asarray(a, float).reshape(len(m), -1) for a in (m, s))
            return m, s * self.scale
        members = member_predictions(self.model, X)
        members = members.reshape(members.shape[0], members.shape[1], -1)
        mean = members.mean(axis=0)
        sd = np.empty_like(mean)
        z = float(ndtri(0.5 + ENSEMBLE_COVERAGE / 2))
        for j, cal in enumerate(self.calibrators):
            lo, hi = cal.interval(members[:, :, j])
            sd[:, j] = np.maximum((hi - lo) / (2 * z), 1e-9)
        return mean, sd

    def sample(self, X: object, k: int, rng: np.random.Generator) -> np.ndarray:
        """``k`` draws of every target at the rows of ``X``: joint GP draws when the model
        can make them, else ensemble members (chosen at random), else independent normals."""
        if self.native and hasattr(self.model, "sample_y"):
            d = np.asarray(self.model.sample_y(X, k, rng), float)
            return d.reshape(k, d.shape[1], -1)
        if not self.native:
            members = member_predictions(self.model, X)
            members = members.reshape(members.shape[0], members.shape[1], -1)
            return members[rng.integers(0, len(members), size=k)]
        mean, sd = self.predict(X)
        return mean[None] + sd[None] * rng.standard_normal((k, *mean.shape))


def fit_surrogate(name: str, X: object, Y: np.ndarray, targets: list[str], *, seed: int = 0,
                  folds: int = 5, settings: dict | None = None, n_jobs: int = 1) -> Surrogate:
    """Cross-validate then fit ``name`` on ``(X, Y)``; see the module docstring."""
    Y = np.asarray(Y, float).reshape(len(Y), -1)
    settings = dict(settings or {})

    def build(params: dict, s: int) -> object:
        return make_estimator(name, {**settings, **params}, seed=s, n_jobs=n_jobs)

    t0 = time.perf_counter()
    splits = kfold_splits(len(Y), min(folds, len(Y)), seed=seed)
    with warnings.catch_warnings():
        # a GP's hyperparameters at a bound, refitted every fold of every round: noise here
        warnings.simplefilter("ignore", ConvergenceWarning)
        cv = cross_validate(build, X, Y, splits, targets, name=name, seed=seed)
    cv_seconds = time.perf_counter() - t0
    oof_sd = _oof_sd(cv, X, splits)
    native = oof_sd is not None
    calibration: dict = {}
    t1 = time.perf_counter()
    if native:
        z = np.abs(cv.y - cv.oof) / np.maximum(oof_sd, 1e-12)
        scale = np.array([float(np.quantile(z[:, j], ONE_SIGMA)) for j in range(Y.shape[1])])
        scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = build({}, seed).fit(X, Y if Y.shape[1] > 1 else Y[:, 0])
        calibrators = []
        calibration = {t: {"sigma_scale": float(scale[j]),
                           "oof_coverage_1sigma_raw": float(np.mean(z[:, j] <= 1.0))}
                       for j, t in enumerate(targets)}
    else:
        scale = np.ones(Y.shape[1])
        model = EnsembleRegressor.from_fitted(cv.models)
        calibrators = [fit_calibrator("conformal", cv.y[:, j], cv.oof[:, j], cv.fold,
                                      ENSEMBLE_COVERAGE) for j in range(Y.shape[1])]
        calibration = {t: {"conformal_coverage": ENSEMBLE_COVERAGE} for t in targets}
    refit_seconds = cv_seconds + time.perf_counter() - t1
    metrics = {t: {k: m[k] for k in ("n", "mae", "rmse", "r2")} for t, m in cv.metrics.items()}
    return Surrogate(name, list(targets), model, native, scale, calibrators, metrics,
                     calibration, cv_seconds, refit_seconds)


def _oof_sd(cv: object, X: object, splits: list) -> np.ndarray | None:
    """Out-of-fold predictive σ from the fold models' own ``predict_dist``; ``None`` when the
    model has none (NaN, or no such method)."""
    out = np.full(cv.y.shape, np.nan)
    for model, (_, te) in zip(cv.models, splits, strict=True):
        if not hasattr(model, "predict_dist"):
            return None
        _, s = model.predict_dist(X[te])
        out[te] = np.asarray(s, float).reshape(len(te), -1)
    return out if np.isfinite(out).all() else None
