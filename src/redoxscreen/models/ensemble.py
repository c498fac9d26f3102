"""Ensemble of fitted regressors: prediction = member mean, uncertainty = member spread."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone

from redoxscreen.models.registry import register_model


class MemberMean:
    """``predict`` and ``predict_dist`` of a model made of members: their mean and spread
    (``ddof=0``) over ``predict_members(X)``, shape ``(n_members, n_samples[, n_targets])``."""

    def predict(self, X: object) -> np.ndarray:
        return self.predict_members(X).mean(axis=0)

    def predict_dist(self, X: object) -> tuple[np.ndarray, np.ndarray]:
        draws = self.predict_members(X)
        return draws.mean(axis=0), draws.std(axis=0)


@register_model("ensemble", listed=False)
class EnsembleRegressor(MemberMean, RegressorMixin, BaseEstimator):
    """Average of several regressors (e.g. the k fold models of a cross-validation).

    ``fit`` fits a clone of each member on the same data; :meth:`from_fitted` wraps members
    already trained elsewhere (the CV fold models). ``predict_dist`` returns the mean and the
    standard deviation across members (``ddof=0``).
    """

    def __init__(self, estimators: list[BaseEstimator] | None = None):
        self.estimators = estimators

    @classmethod
    def from_fitted(cls, models: list[BaseEstimator]) -> EnsembleRegressor:
        ens = cls(estimators=list(models))
        ens.estimators_ = list(models)
        return ens

    def fit(self, X: object, y: np.ndarray) -> EnsembleRegressor:
        self.estimators_ = [clone(e).fit(X, y) for e in self.estimators or []]
        return self

    def predict_members(self, X: object) -> np.ndarray:
        """Each member's prediction, stacked: shape ``(n_members, n_samples[, n_targets])``."""
        return np.stack([np.asarray(m.predict(X), float) for m in self.estimators_])

    def to_state(self, prefix: str = "") -> tuple[dict, dict[str, np.ndarray]]:
        from redoxscreen.models.serialize import members_to_state

        members, arrays = members_to_state(self.estimators_, f"{prefix}m")
        return {"members": members}, arrays

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray]) -> EnsembleRegressor:
        from redoxscreen.models.serialize import members_from_state

        return cls.from_fitted(members_from_state(config["members"], arrays))
