"""Stacked combination of models: ``ŷ = Σᵢ wᵢ·ŷᵢ``, ``wᵢ ≥ 0``, ``Σᵢ wᵢ = 1``, per target.

The weights are fitted on out-of-fold predictions (never on predictions of rows a model was
trained on) by least squares on the simplex. A convex combination cannot extrapolate: an
unconstrained fit with an intercept stretched shrunken out-of-fold predictions (weights summing
to 1.5 and a large offset) and did worse than its best member on a scaffold split whose folds
differ (Bicerano Tg). Each member is usually the k-fold ensemble of one model family; when all
members have the same k fold models, fold ``f`` of the stack is the weighted sum of the members'
fold-``f`` models, so ``predict_members`` gives k stacked fold predictions and the CV+ intervals
of the screen work for stacks as for any k-fold ensemble.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, RegressorMixin

from redoxscreen.models.inputs import model_input
from redoxscreen.models.registry import register_model
from redoxscreen.runtime.errors import ConfigError

COMBINATIONS = ("stack", "average")


def fit_stack_weights(member_preds: np.ndarray, Y: np.ndarray, combine: str = "stack"
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Convex weights ``(m, t)`` (and zero intercepts ``(t,)``) from predictions ``(m, n, t)``.

    ``combine="average"`` gives equal weights (nothing is fitted)."""
    m, _, t = member_preds.shape
    weights, intercepts = np.zeros((m, t)), np.zeros(t)
    if combine == "average":
        return np.full((m, t), 1.0 / m), intercepts
    if combine != "stack":
        raise ConfigError(f"unknown combination {combine!r}; use {' or '.join(COMBINATIONS)}")
    for j in range(t):
        ok = np.isfinite(Y[:, j]) & np.isfinite(member_preds[:, :, j]).all(axis=0)
        res = _simplex_least_squares(member_preds[:, ok, j].T, Y[ok, j])
        w = np.clip(res.x, 0.0, None)
        weights[:, j] = w / w.sum()
    return weights, intercepts


def _simplex_least_squares(A: np.ndarray, y: np.ndarray) -> object:
    m = A.shape[1]
    return minimize(lambda w: np.mean((A @ w - y) ** 2), np.full(m, 1.0 / m),
                    jac=lambda w: 2 * A.T @ (A @ w - y) / len(y), method="SLSQP",
                    bounds=[(0.0, 1.0)] * m,
                    constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0}])


def cross_fitted_stack(member_oof: np.ndarray, Y: np.ndarray, fold: np.ndarray,
                       combine: str = "stack") -> np.ndarray:
    """Honest out-of-fold predictions of the stack: rows of fold ``f`` are combined with weights
    fitted on the other folds' out-of-fold predictions. Shapes ``(m, n, t)``, ``(n, t)``, ``(n,)``.
    """
    out = np.full(Y.shape, np.nan)
    for f in np.unique(fold[fold >= 0]):
        test, train = fold == f, (fold >= 0) & (fold != f)
        w, b = fit_stack_weights(member_oof[:, train], Y[train], combine)
        out[test] = b + np.einsum("mnt,mt->nt", member_oof[:, test], w)
    return out


@register_model("stacked", listed=False)
class StackedRegressor(RegressorMixin, BaseEstimator):
    """A fitted stack: ``members`` (fitted regressors), ``weights_`` ``(m, t)``, ``intercepts_``.

    Build it with :meth:`from_fitted`; ``fit`` is not meaningful for a stack of already trained
    k-fold ensembles and raises.
    """

    def __init__(self, members: list[BaseEstimator] | None = None, names: list[str] | None = None):
        self.members = members
        self.names = names

    @classmethod
    def from_fitted(cls, members: list[BaseEstimator], names: list[str], weights: np.ndarray,
                    intercepts: np.ndarray) -> StackedRegressor:
        st = cls(members=list(members), names=list(names))
        st.weights_ = np.asarray(weights, float).reshape(len(members), -1)
        st.intercepts_ = np.asarray(intercepts, float).ravel()
        st.estimators_ = _fold_stacks(st)
        return st

    def fit(self, X: object, y: np.ndarray) -> StackedRegressor:
        raise NotImplementedError("build stacks with StackedRegressor.from_fitted on "
                                  "out-of-fold predictions (redoxscreen compare --save)")

    def _combine(self, preds: list[np.ndarray]) -> np.ndarray:
        P = np.stack([np.asarray(p, float).reshape(len(p), -1) for p in preds])
        out = self.intercepts_ + np.einsum("mnt,mt->nt", P, self.weights_)
        return out.ravel() if out.shape[1] == 1 else out

    def predict(self, X: object) -> np.ndarray:
        """``X``: a feature matrix, or a :class:`~redoxscreen.features.MolBatch` when a member
        is a graph net (each member reads its own input from it)."""
        return self._combine([m.predict(model_input(m, X)) for m in self.members])

    def predict_members(self, X: object) -> np.ndarray:
        """Stacked prediction of each fold when the members are k-fold ensembles of equal k
        (else one row: the stack itself)."""
        return np.stack([s.predict(X) for s in self.estimators_])

    def predict_dist(self, X: object) -> tuple[np.ndarray, np.ndarray]:
        draws = self.predict_members(X)
        return draws.mean(axis=0), draws.std(axis=0)

    def to_state(self, prefix: str = "") -> tuple[dict, dict[str, np.ndarray]]:
        from redoxscreen.models.serialize import members_to_state

        members, arrays = members_to_state(self.members, f"{prefix}s")
        return {"members": members, "names": self.names, "weights": self.weights_.tolist(),
                "intercepts": self.intercepts_.tolist()}, arrays

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray]) -> StackedRegressor:
        from redoxscreen.models.serialize import members_from_state

        return cls.from_fitted(members_from_state(config["members"], arrays), config["names"],
                               np.asarray(config["weights"]), np.asarray(config["intercepts"]))


class _FoldStack(BaseEstimator):
    """Fold ``f`` of a stack: the weighted sum of each member's fold-``f`` model (``None``:
    of the members themselves)."""

    def __init__(self, parent: StackedRegressor, fold: int | None):
        self.parent = parent
        self.fold = fold

    def predict(self, X: object) -> np.ndarray:
        p = self.parent
        if self.fold is None:
            return p._combine([m.predict(model_input(m, X)) for m in p.members])
        return p._combine([m.estimators_[self.fold].predict(model_input(m, X))
                           for m in p.members])


def _fold_stacks(st: StackedRegressor) -> list[_FoldStack]:
    ks = {len(getattr(m, "estimators_", []) or []) for m in st.members}
    if len(ks) != 1 or 0 in ks or not all(hasattr(m, "predict_members") for m in st.members):
        return [_FoldStack(st, None)]
    return [_FoldStack(st, f) for f in range(ks.pop())]
