r"""Prediction intervals from cross-validation: ``global``, ``ensemble`` and ``conformal``.

``global``
    The study's band: :math:`\hat y \pm z\,s`, with :math:`s` the standard deviation of the
    out-of-fold (OOF) errors — one width for every molecule.
``ensemble``
    :math:`\hat y \pm z\,\sigma(x)`, :math:`\sigma` the spread of the k fold models
    (uncalibrated: fold models share most of their training data, so the spread is usually too
    small).
``conformal``
    CV+ (the k-fold jackknife+, Barber, Candès, Ramdas & Tibshirani, Ann. Stat. 49, 486 (2021)),
    calibrated on the OOF residuals saved with the model. With :math:`R_i` the absolute OOF
    residual of training molecule :math:`i` and :math:`\hat y_{f(i)}` the fold model that did not
    see it, the interval for a new molecule is

    .. math:: \big[\, q^-_{\alpha}\{\hat y_{f(i)}(x) - R_i\},\; q^+_{1-\alpha}\{\hat y_{f(i)}(x) +
              R_i\} \,\big]

    (lower/upper empirical quantiles over the :math:`n` training molecules). It widens where
    the fold models disagree (the ensemble spread enters through each :math:`\hat y_{f}(x)`)
    and has a finite-sample guarantee. Normalising residuals by the ensemble spread of the
    *training* molecules instead would be wrong: each was seen by k − 1 of the k models, so its
    spread is not the spread of a new molecule.

Coverage holds when new molecules resemble the training molecules; ``bench/`` reports the
coverage reached on unseen scaffolds.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri  # inverse normal CDF (lighter than scipy.stats)

from redoxscreen.evaluation.order_stats import SortedCounter, order_statistic
from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.registry import Registry

# a calibrator's ``mode`` (in its state and run records) is the name it is registered under
INTERVALS = Registry("uncertainty mode",
                     on_add=lambda part: setattr(part.factory, "mode", part.name))


def _z(coverage: float) -> float:
    if not 0 < coverage < 1:
        raise ConfigError(f"coverage must be between 0 and 1 (got {coverage})")
    return float(ndtri(0.5 + coverage / 2))


def _residuals(y_true: np.ndarray, oof_pred: np.ndarray, fold: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    r = np.asarray(oof_pred, float) - np.asarray(y_true, float)
    fold = np.asarray(fold)
    ok = np.isfinite(r) & (fold >= 0)
    if ok.sum() < 2:
        raise ConfigError("interval calibration needs out-of-fold residuals of at least 2 "
                          "molecules; retrain the model with 'redoxscreen train'")
    return r[ok], fold[ok]


class IntervalCalibrator:
    """Intervals of nominal ``coverage`` for one target from the k fold models' predictions.

    Subclasses are registered in :data:`INTERVALS` (``screen --uncertainty NAME``); each is
    fitted on out-of-fold results and rebuilt in a worker from its JSON :meth:`state`."""

    mode = ""  # set by the registration

    def __init__(self, coverage: float = 0.95):
        _z(coverage)
        self.coverage = coverage

    @classmethod
    def fit(cls, y_true: np.ndarray, oof_pred: np.ndarray, fold: np.ndarray,
            coverage: float = 0.95) -> IntervalCalibrator:
        raise NotImplementedError

    def interval(self, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds from the fold models' predictions, shape (k, n) → (n,), (n,)."""
        raise NotImplementedError

    def to_dict(self) -> dict:
        """JSON-safe description for run records."""
        return {"mode": self.mode, "coverage": self.coverage}

    def state(self) -> dict:
        """Everything needed to rebuild the calibrator in another process."""
        return self.to_dict()

    @classmethod
    def from_state(cls, state: dict) -> IntervalCalibrator:
        return cls(**{k: v for k, v in state.items() if k != "mode"})


@INTERVALS.register("global")
class GlobalInterval(IntervalCalibrator):
    """The study's band: ±z·σ of the out-of-fold errors, one width for every molecule."""

    def __init__(self, coverage: float = 0.95, half_width: float = 0.0):
        super().__init__(coverage)
        self.half_width = half_width

    @classmethod
    def fit(cls, y_true, oof_pred, fold, coverage=0.95) -> GlobalInterval:
        r, _ = _residuals(y_true, oof_pred, fold)
        return cls(coverage, _z(coverage) * float(np.std(r, ddof=1)))

    def interval(self, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        mean = np.asarray(members, float).mean(axis=0)
        return mean - self.half_width, mean + self.half_width

    def to_dict(self) -> dict:
        return {**super().to_dict(), "half_width": self.half_width}


@INTERVALS.register("ensemble")
class EnsembleInterval(IntervalCalibrator):
    """±z × the spread of the k fold models (uncalibrated: usually too narrow)."""

    def __init__(self, coverage: float = 0.95):
        super().__init__(coverage)
        self.z = _z(coverage)

    @classmethod
    def fit(cls, y_true, oof_pred, fold, coverage=0.95) -> EnsembleInterval:
        return cls(coverage)

    def interval(self, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        members = np.asarray(members, float)
        mean, h = members.mean(axis=0), self.z * members.std(axis=0)
        return mean - h, mean + h

    def to_dict(self) -> dict:
        return {**super().to_dict(), "z": self.z}

    def state(self) -> dict:
        return super().to_dict()


@INTERVALS.register("conformal")
class ConformalInterval(IntervalCalibrator):
    """CV+ on the out-of-fold residuals saved with the model; widens where fold models disagree."""

    def __init__(self, coverage: float = 0.95, fold_residuals: list | None = None):
        super().__init__(coverage)
        self.fold_residuals = [np.sort(np.abs(np.asarray(r, float))) for r in
                               (fold_residuals or [])]
        self._pooled = np.sort(np.concatenate(self.fold_residuals or [np.zeros(0)]))
        self._counters = [SortedCounter(r) for r in self.fold_residuals]

    @classmethod
    def fit(cls, y_true, oof_pred, fold, coverage=0.95) -> ConformalInterval:
        r, fold = _residuals(y_true, oof_pred, fold)
        return cls(coverage, [r[fold == f] for f in range(int(fold.max()) + 1)])

    @property
    def n_calibration(self) -> int:
        return int(sum(len(r) for r in self.fold_residuals))

    def to_dict(self) -> dict:  # the residuals are summarised, not listed
        return {**super().to_dict(), "n_calibration": self.n_calibration,
                "n_folds": len(self.fold_residuals)}

    def state(self) -> dict:
        return {"mode": self.mode, "coverage": self.coverage,
                "fold_residuals": [r.tolist() for r in self.fold_residuals]}

    def interval(self, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        members = np.asarray(members, float)
        if len(members) != len(self.fold_residuals):
            raise ConfigError(f"conformal intervals need the {len(self.fold_residuals)} fold "
                              f"models of the CV, the model has {len(members)}")
        n = self.n_calibration
        alpha = 1.0 - self.coverage
        m_hi = min(n, int(np.ceil((1 - alpha) * (n + 1))))
        m_lo = max(1, int(np.floor(alpha * (n + 1))))
        finite = np.isfinite(members).all(axis=0)
        v = np.where(finite, members, 0.0)
        # upper: the m_hi-th smallest v_f(i) + R_i; lower: the m_lo-th smallest v_f(i) - R_i,
        # which is minus the (n - m_lo + 1)-th smallest R_i - v_f(i)
        upper = order_statistic(self._counters, v, m_hi, self._pooled)
        lower = -order_statistic(self._counters, -v, n - m_lo + 1, self._pooled)
        return np.where(finite, lower, np.nan), np.where(finite, upper, np.nan)


def fit_calibrator(mode: str, y_true: np.ndarray, oof_pred: np.ndarray, fold: np.ndarray,
                   coverage: float = 0.95) -> IntervalCalibrator:
    """The calibrator ``mode`` (``global``, ``ensemble``, ``conformal`` ...) fitted on OOF data."""
    return INTERVALS[mode].factory.fit(y_true, oof_pred, fold, coverage)


def calibrators_from_oof(oof: object, targets: list[str], mode: str = "conformal",
                         coverage: float = 0.95) -> dict[str, IntervalCalibrator]:
    """One calibrator per target from a model's out-of-fold table (``fold``, ``<t>_true``,
    ``<t>_pred``), as saved in its ``oof.csv``."""
    return {t: fit_calibrator(mode, oof[f"{t}_true"].to_numpy(), oof[f"{t}_pred"].to_numpy(),
                              oof["fold"].to_numpy(), coverage) for t in targets}


def calibrator_from_state(state: dict) -> IntervalCalibrator:
    """Inverse of :meth:`IntervalCalibrator.state`."""
    return INTERVALS[state["mode"]].factory.from_state(state)


def empirical_coverage(y_true: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of labelled molecules whose true value lies inside ``[lower, upper]``."""
    y, lo, hi = (np.asarray(a, float) for a in (y_true, lower, upper))
    ok = np.isfinite(y) & np.isfinite(lo) & np.isfinite(hi)
    return float(np.mean((y[ok] >= lo[ok]) & (y[ok] <= hi[ok])))
