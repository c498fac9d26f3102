"""Choosing the k most informative feature columns (fit on training rows only).

``method``:
- ``correlation``: drop constant columns, rank the rest by |Pearson r| with the target (mean
  over targets), and skip a column correlated above ``max_corr`` with one already kept — the
  variance/correlation filter of the QSPR literature.
- ``importance``: rank by the impurity importance of a random forest fitted on the rows.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.ensemble import RandomForestRegressor
from sklearn.utils.validation import check_is_fitted

from redoxscreen.runtime.errors import ConfigError


def _dense(X: object) -> np.ndarray:
    return X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)


class FeatureSelector(TransformerMixin, BaseEstimator):
    """Keep ``k`` columns chosen by ``method``; ``support_`` holds their indices (best first)."""

    def __init__(self, k: int = 32, method: str = "correlation", max_corr: float = 0.95,
                 seed: int = 0):
        self.k = k
        self.method = method
        self.max_corr = max_corr
        self.seed = seed

    def fit(self, X: object, y: np.ndarray) -> FeatureSelector:
        Xd = _dense(X)
        Y = np.asarray(y, float).reshape(len(Xd), -1)
        std = Xd.std(axis=0)
        live = np.flatnonzero(std > 0)
        if len(live) == 0:
            raise ConfigError("every feature column is constant on these rows; nothing to select")
        if self.method == "correlation":
            Z = (Xd[:, live] - Xd[:, live].mean(axis=0)) / std[live]
            scores = np.zeros(len(live))
            for j in range(Y.shape[1]):
                ok = np.isfinite(Y[:, j])
                yz = (Y[ok, j] - Y[ok, j].mean()) / (Y[ok, j].std() or 1.0)
                scores += np.abs(Z[ok].T @ yz) / max(ok.sum(), 1)
            order = live[np.argsort(-scores, kind="stable")]
            kept: list[int] = []
            for c in order:
                if len(kept) == self.k:
                    break
                if kept:
                    r = np.corrcoef(Xd[:, kept].T, Xd[:, c])[-1, :-1]
                    if np.nanmax(np.abs(r)) > self.max_corr:
                        continue
                kept.append(int(c))
            self.support_ = np.array(kept, dtype=int)
        elif self.method == "importance":
            ok = np.isfinite(Y).all(axis=1)
            rf = RandomForestRegressor(n_estimators=200, max_features=0.3, n_jobs=1,
                                       random_state=self.seed).fit(Xd[ok][:, live], Y[ok])
            order = live[np.argsort(-rf.feature_importances_, kind="stable")]
            self.support_ = order[: self.k].astype(int)
        else:
            raise ConfigError(f"unknown selection method {self.method!r}; use correlation or "
                              "importance")
        self.n_features_in_ = Xd.shape[1]
        return self

    def transform(self, X: object) -> object:
        check_is_fitted(self, "support_")
        return X[:, self.support_]
