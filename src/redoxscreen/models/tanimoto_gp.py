r"""Gaussian process on count fingerprints with the Tanimoto (MinMax) kernel.

For non-negative count vectors :math:`x, y`

.. math:: T(x, y) = \frac{\sum_i \min(x_i, y_i)}{\sum_i \max(x_i, y_i)}, \qquad
          \sum_i \max(x_i, y_i) = \sum_i x_i + \sum_i y_i - \sum_i \min(x_i, y_i),

a positive-definite kernel (Ralaivola et al., Neural Networks 18, 1093 (2005)) with no length
scale to tune. The sums of minima are one sparse product: a count :math:`c` is written in unary,
as ones in :math:`c` columns ``(feature, 1..c)``, so :math:`\min(a, b)` is the dot product of
the unary codes. The prior is :math:`f \sim \mathcal{GP}(\bar y, s^2 T)` with Gaussian noise
:math:`\sigma_n^2`; :math:`s^2` and :math:`\sigma_n^2` maximise the log marginal likelihood of
each (standardised) target, computed for every value from one eigendecomposition
:math:`T = Q \Lambda Q^\top`:

.. math:: \log p(y) = -\tfrac12 \sum_j \frac{(Q^\top y)_j^2}{s^2\lambda_j + \sigma_n^2}
          - \tfrac12 \sum_j \log(s^2\lambda_j + \sigma_n^2) - \tfrac n2 \log 2\pi .

This is the surrogate of small active-learning campaigns (FlowMO, Moss et al. 2020; GAUCHE).
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from redoxscreen.models.registry import register_model
from redoxscreen.runtime.errors import ConfigError

_BOUNDS = [(np.log(1e-3), np.log(1e2)), (np.log(1e-4), np.log(10.0))]  # s², σn² (std. units)


def _counts(X: object, what: str) -> sp.csr_matrix:
    X = sp.csr_matrix(X)
    if X.nnz and (X.data.min() < 0 or np.any(X.data != np.round(X.data))):
        raise ConfigError(f"the Tanimoto GP needs non-negative integer counts ({what}); use a "
                          "count fingerprint such as 'ecfp:r=2,bits=2048'")
    return X


def unary(X: sp.csr_matrix, depth: int) -> sp.csr_matrix:
    """Unary code of a count matrix: count ``c`` of feature ``f`` → ones in columns
    ``f + n_features·t`` for ``t < min(c, depth)``; ``depth`` ≥ the largest count keeps it exact."""
    c = np.minimum(np.round(X.data).astype(np.int64), depth)
    rows = np.repeat(np.repeat(np.arange(X.shape[0]), np.diff(X.indptr)), c)
    start = np.repeat(np.cumsum(c) - c, c)
    t = np.arange(int(c.sum())) - start
    cols = np.repeat(X.indices.astype(np.int64), c) + X.shape[1] * t
    U = sp.csr_matrix((np.ones(len(cols), np.float32), (rows, cols)),
                      shape=(X.shape[0], X.shape[1] * depth))
    U.sum_duplicates()
    return U


def tanimoto(A: object, B: object | None = None) -> np.ndarray:
    """MinMax similarity of the rows of two count matrices, shape ``(len(A), len(B))``."""
    A = _counts(A, "first matrix")
    B = A if B is None else _counts(B, "second matrix")
    depth = int(max(A.data.max(initial=0), B.data.max(initial=0), 1))
    UB = unary(B, depth)
    used = np.unique(UB.indices)  # unary columns B never sets add nothing to a minimum
    dense_b = UB[:, used].T.toarray()
    UA = UB if B is A else unary(A, depth)
    inter = np.asarray(UA[:, used] @ dense_b, dtype=np.float64)  # sparse × dense: fastest
    union = np.asarray(A.sum(axis=1)).reshape(-1, 1) + np.asarray(B.sum(axis=1)).reshape(1, -1)
    union -= inter
    out = np.ones_like(inter)  # two empty fingerprints are identical
    np.divide(inter, union, out=out, where=union > 0)
    return out


def _neg_log_ml(theta: np.ndarray, lam: np.ndarray, qy2: np.ndarray) -> tuple[float, np.ndarray]:
    s2, n2 = np.exp(theta)
    d = s2 * lam + n2
    nll = 0.5 * np.sum(qy2 / d) + 0.5 * np.sum(np.log(d))
    g = 0.5 * (1.0 / d - qy2 / d**2)  # d nll / d d_j
    return float(nll), np.array([np.sum(g * lam) * s2, np.sum(g) * n2])


@register_model("tanimoto-gp", description="Gaussian process, Tanimoto (MinMax) kernel on count "
                "fingerprints; exact, for up to a few thousand labels")
class TanimotoGP(RegressorMixin, BaseEstimator):
    """Exact GP regression with the Tanimoto kernel, one set of hyperparameters per target.

    Parameters
    ----------
    max_train : refuse larger training sets (the exact GP costs O(n³) time, O(n²) memory).

    Fitted attributes: ``X_train_`` (CSR counts), ``Q_``/``lam_`` (eigenvectors/values of the
    training kernel), ``signal_var_``/``noise_var_`` (per target, standardised units),
    ``y_mean_``/``y_std_``, ``alpha_`` (weights of the posterior mean), ``fit_seconds_``.
    """

    def __init__(self, max_train: int = 5000):
        self.max_train = max_train

    def fit(self, X: object, y: np.ndarray) -> TanimotoGP:
        t0 = time.perf_counter()
        X = _counts(X, "training features")
        Y = np.asarray(y, float)
        self._y_1d = Y.ndim == 1
        Y = Y.reshape(len(Y), -1)
        if not np.isfinite(Y).all():
            raise ConfigError("the Tanimoto GP needs every target labelled on every row")
        if len(Y) > self.max_train:
            raise ConfigError(f"{len(Y)} training rows exceed the exact GP's max_train="
                              f"{self.max_train}; use an ensemble surrogate (lgbm, fcnn)")
        self.X_train_ = X
        K = tanimoto(X)
        self.lam_, self.Q_ = np.linalg.eigh(K)
        self.lam_ = np.clip(self.lam_, 0.0, None)
        self.y_mean_, self.y_std_ = Y.mean(axis=0), Y.std(axis=0)
        self.y_std_[self.y_std_ == 0] = 1.0
        Z = (Y - self.y_mean_) / self.y_std_
        QZ = self.Q_.T @ Z
        self.signal_var_, self.noise_var_ = np.empty(Y.shape[1]), np.empty(Y.shape[1])
        self.alpha_ = np.empty_like(Z)
        for j in range(Y.shape[1]):
            qy2 = QZ[:, j] ** 2
            best = min((minimize(_neg_log_ml, np.array(x0), args=(self.lam_, qy2), jac=True,
                                 method="L-BFGS-B", bounds=_BOUNDS)
                        for x0 in ((0.0, np.log(0.1)), (np.log(0.3), np.log(0.01)))),
                       key=lambda r: r.fun)
            self.signal_var_[j], self.noise_var_[j] = np.exp(best.x)
            d = self.signal_var_[j] * self.lam_ + self.noise_var_[j]
            self.alpha_[:, j] = self.Q_ @ (QZ[:, j] / d)
        self.n_features_in_, self.n_targets_ = X.shape[1], Y.shape[1]
        self.fit_seconds_ = time.perf_counter() - t0
        return self

    def _shape(self, a: np.ndarray) -> np.ndarray:
        return a.ravel() if self._y_1d else a

    def _latent_var(self, V: np.ndarray) -> np.ndarray:
        r"""Latent variance (standardised units) from :math:`V = K_{*n} Q`:
        :math:`s^2 - s^4 \sum_j V_{ij}^2 / (s^2\lambda_j + \sigma_n^2)`."""
        V2 = V**2
        var = np.column_stack([s2 - s2**2 * (V2 @ (1.0 / (s2 * self.lam_ + n2)))
                               for s2, n2 in zip(self.signal_var_, self.noise_var_,
                                                 strict=True)])
        return np.clip(var, 1e-12, None)

    def _cross(self, X: object) -> tuple[np.ndarray, np.ndarray]:
        """Cross-kernel to the training rows and the latent mean (standardised units)."""
        check_is_fitted(self, "alpha_")
        Ks = tanimoto(X, self.X_train_)
        return Ks, self.signal_var_ * (Ks @ self.alpha_)

    def predict(self, X: object) -> np.ndarray:
        _, mean = self._cross(X)
        return self._shape(mean * self.y_std_ + self.y_mean_)

    def predict_dist(self, X: object, latent: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation of a new label (of the noise-free function
        with ``latent=True``)."""
        Ks, mean = self._cross(X)
        var = self._latent_var(Ks @ self.Q_)
        if not latent:
            var = var + self.noise_var_
        return (self._shape(mean * self.y_std_ + self.y_mean_),
                self._shape(np.sqrt(var) * self.y_std_))

    def sample_y(self, X: object, n_samples: int, rng: np.random.Generator) -> np.ndarray:
        """Joint draws of the noise-free function at the rows of ``X``:
        shape ``(n_samples, n_rows, n_targets)`` (keep ``X`` to a few thousand rows)."""
        Ks, mean = self._cross(X)
        Kss = tanimoto(X)
        V = Ks @ self.Q_
        out = np.empty((n_samples, *mean.shape))
        for j in range(self.n_targets_):
            s2 = self.signal_var_[j]
            d = s2 * self.lam_ + self.noise_var_[j]
            cov = s2 * Kss - s2**2 * (V / d) @ V.T
            w, U = np.linalg.eigh((cov + cov.T) / 2)
            L = U * np.sqrt(np.clip(w, 0.0, None))
            z = rng.standard_normal((n_samples, len(w)))
            out[:, :, j] = (mean[:, j] + z @ L.T) * self.y_std_[j] + self.y_mean_[j]
        return out

    def to_state(self, prefix: str = "") -> tuple[dict, dict[str, np.ndarray]]:
        X = self.X_train_
        arrays = {f"{prefix}{k}": v for k, v in {
            "x_data": X.data, "x_indices": X.indices, "x_indptr": X.indptr, "Q": self.Q_,
            "lam": self.lam_, "alpha": self.alpha_}.items()}
        config = {"params": self.get_params(), "shape": list(X.shape),
                  "y_1d": self._y_1d, "prefix": prefix,
                  **{k: getattr(self, f"{k}_").tolist() for k in
                     ("signal_var", "noise_var", "y_mean", "y_std")}}
        return config, arrays

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray]) -> TanimotoGP:
        p = config["prefix"]
        gp = cls(**config["params"])
        gp.X_train_ = sp.csr_matrix((arrays[f"{p}x_data"], arrays[f"{p}x_indices"],
                                     arrays[f"{p}x_indptr"]), shape=tuple(config["shape"]))
        gp.Q_, gp.lam_, gp.alpha_ = arrays[f"{p}Q"], arrays[f"{p}lam"], arrays[f"{p}alpha"]
        for k in ("signal_var", "noise_var", "y_mean", "y_std"):
            setattr(gp, f"{k}_", np.asarray(config[k], float))
        gp._y_1d = config["y_1d"]
        gp.n_features_in_, gp.n_targets_ = gp.X_train_.shape[1], len(gp.y_mean_)
        return gp
