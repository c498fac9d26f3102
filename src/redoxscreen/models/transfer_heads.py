r"""Small models on top of a big model's outputs: the heads of a transfer (``finetune``).

Each head maps what the base model says about a molecule — its predictions ``pred`` (all
targets), its learned embedding ``emb`` (the FCNN's last hidden layer), an oracle's value
``oracle`` (xTB, solvated) — to one new target, fitted on a small labelled set:

``linear``
    :math:`y = a + b\,p_j`, the base output :math:`j` chosen by leave-one-out error (closed
    form for least squares: :math:`r_i / (1 - h_{ii})`).
``stack``
    The line as the mean function, plus a GP on its residuals whose kernel multiplies an RBF on
    the standardised base predictions and one on the embedding, each with its own length scale
    (``kernel="gp"``); or ridge regression on both, its penalty chosen by leave-one-out error
    (``kernel="ridge"``).
``delta``
    Δ-learning: the mean is a line on the oracle's value (and the base prediction when that
    lowers the leave-one-out error); the GP corrects its residuals as in ``stack``.
``finetune``
    Continue training the base net (FCNN or D-MPNN; :mod:`.transfer_finetune`): its output
    layer becomes the line above (so epoch 0 is the ``linear`` head), then its last layers are
    trained with the others frozen, for the number of epochs an inner 3-fold CV picks.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.spatial.distance import cdist

from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.registry import Registry

HEADS = Registry("transfer strategy")


def take(F: dict, rows: np.ndarray) -> dict:
    """The rows ``rows`` of a base-feature dict (arrays and model input; nets are shared)."""
    return {k: (v if k == "members" else v[rows]) for k, v in F.items()}


def loo_line(x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Least squares ``y ≈ A·β`` with ``A = [1, x]`` (``x``: (n,) or (n, m)): the leave-one-out
    MAE and β."""
    A = np.column_stack([np.ones(len(y)), np.asarray(x, float).reshape(len(y), -1)])
    beta, *_ = np.linalg.lstsq(A, y, rcond=None)
    pinv = np.linalg.pinv(A.T @ A)
    h = np.einsum("ij,jk,ik->i", A, pinv, A)
    r = (y - A @ beta) / np.clip(1.0 - h, 1e-6, None)
    return float(np.mean(np.abs(r))), beta


def best_column(P: np.ndarray, y: np.ndarray) -> tuple[int, np.ndarray]:
    """The column of ``P`` whose line fits ``y`` best by leave-one-out MAE, and its (a, b)."""
    fits = [loo_line(P[:, j], y) for j in range(P.shape[1])]
    j = int(np.argmin([f[0] for f in fits]))
    return j, fits[j][1]


class Head:
    """A fitted map from base features to one target; registered in :data:`HEADS`."""

    def fit(self, F: dict, y: np.ndarray) -> Head:
        raise NotImplementedError

    def predict(self, F: dict) -> np.ndarray:
        raise NotImplementedError

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        return {k: v for k, v in vars(self).items() if not isinstance(v, np.ndarray)}, {
            k: v for k, v in vars(self).items() if isinstance(v, np.ndarray)}

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray], base: object) -> Head:
        head = cls.__new__(cls)
        vars(head).update(config)
        vars(head).update(arrays)
        return head


@HEADS.register("linear")
class LinearHead(Head):
    """``y = a + b·p_j`` on the base output ``j`` that fits best (leave-one-out)."""

    def fit(self, F: dict, y: np.ndarray) -> LinearHead:
        self.column, beta = best_column(F["pred"], y)
        self.a, self.b = float(beta[0]), float(beta[1])
        return self

    def predict(self, F: dict) -> np.ndarray:
        return self.a + self.b * F["pred"][:, self.column]


class SmallGP:
    r"""Exact GP regression with :math:`k = s^2 \prod_g \exp(-\lVert z_g - z'_g\rVert^2 /
    2\ell_g^2) + \sigma_n^2\delta`: one length scale per block of inputs, hyperparameters by
    maximum marginal likelihood (L-BFGS from the median pairwise distances)."""

    def fit(self, blocks: list[np.ndarray], y: np.ndarray) -> SmallGP:
        self.Z = [np.asarray(b, float) for b in blocks]
        self.y_mean, self.y_sd = float(y.mean()), float(y.std()) or 1.0
        t = (y - self.y_mean) / self.y_sd
        D = [cdist(b, b, "sqeuclidean") for b in self.Z]
        med = [np.sqrt(np.median(d[d > 0])) if (d > 0).any() else 1.0 for d in D]

        def nll(theta: np.ndarray) -> float:
            K = self._k(D, theta) + np.exp(theta[1]) * np.eye(len(t))
            try:
                L = np.linalg.cholesky(K)
            except np.linalg.LinAlgError:
                return 1e10
            a = np.linalg.solve(L.T, np.linalg.solve(L, t))
            return float(0.5 * t @ a + np.log(np.diag(L)).sum())

        x0 = np.array([0.0, np.log(0.1), *np.log(med)])
        bounds = [(-3, 3), (-8, 1)] + [(np.log(m) - 3, np.log(m) + 4) for m in med]
        self.theta = minimize(nll, x0, method="L-BFGS-B", bounds=bounds).x
        K = self._k(D, self.theta) + np.exp(self.theta[1]) * np.eye(len(t))
        Kinv = np.linalg.inv(K)
        self.alpha = Kinv @ t
        # leave-one-out residuals in closed form (Rasmussen & Williams, eq. 5.12)
        self.loo_mae = float(np.mean(np.abs(self.alpha / np.diag(Kinv)))) * self.y_sd
        return self

    @staticmethod
    def _k(D: list[np.ndarray], theta: np.ndarray) -> np.ndarray:
        expo = sum(d / (2 * np.exp(2 * ell)) for d, ell in zip(D, theta[2:], strict=True))
        return np.exp(theta[0]) * np.exp(-expo)

    def predict(self, blocks: list[np.ndarray]) -> np.ndarray:
        D = [cdist(np.asarray(b, float), z, "sqeuclidean") for b, z in zip(blocks, self.Z,
                                                                          strict=True)]
        return self.y_mean + self.y_sd * (self._k(D, self.theta) @ self.alpha)

    def state(self) -> dict[str, np.ndarray]:
        out = {f"Z{g}": z for g, z in enumerate(self.Z)}
        out.update(theta=self.theta, alpha=self.alpha,
                   y=np.array([self.y_mean, self.y_sd]))
        return out

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray]) -> SmallGP:
        gp = cls()
        n = sum(k.startswith("Z") for k in arrays)
        gp.Z = [arrays[f"Z{g}"] for g in range(n)]
        gp.theta, gp.alpha = arrays["theta"], arrays["alpha"]
        gp.y_mean, gp.y_sd = (float(v) for v in arrays["y"])
        return gp


def ridge_loo(Z: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Ridge on centred ``Z`` with the penalty of lowest leave-one-out MAE (via the SVD): the
    weights, the penalty and that MAE."""
    U, s, _ = np.linalg.svd(Z, full_matrices=False)
    best = (np.inf, 1.0)
    for lam in np.logspace(-3, 4, 29) * max(float(s.max()) ** 2, 1e-12) / 100:
        d = s**2 / (s**2 + lam)
        fit = U @ (d * (U.T @ y))
        h = np.einsum("ij,j,ij->i", U, d, U)
        mae = float(np.mean(np.abs((y - fit) / np.clip(1 - h, 1e-6, None))))
        best = min(best, (mae, lam))
    mae, lam = best
    w = np.linalg.solve(Z.T @ Z + lam * np.eye(Z.shape[1]), Z.T @ y)
    return w, lam, mae


class _ResidualHead(Head):
    """A mean function (a line) plus a GP or ridge correction on the base outputs."""

    def __init__(self, kernel: str = "gp"):
        if kernel not in ("gp", "ridge"):
            raise ConfigError(f"unknown kernel {kernel!r}; use gp or ridge")
        self.kernel = kernel

    def _mean_inputs(self, F: dict) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def _outputs(F: dict) -> np.ndarray:
        """The base predictions, and the oracle's values when there are any."""
        return np.column_stack([F["pred"], F["oracle"]]) if "oracle" in F else F["pred"]

    def _blocks(self, F: dict) -> list[np.ndarray]:
        blocks = [(self._outputs(F) - self.mu_p) / self.sd_p]
        if F["emb"].shape[1]:
            blocks.append((F["emb"] - self.mu_e) / self.sd_e)
        return blocks

    def fit(self, F: dict, y: np.ndarray) -> _ResidualHead:
        M = self._mean_inputs(F)
        mean_loo, self.beta = loo_line(M, y)
        r = y - self._mean(M)
        outputs = self._outputs(F)
        self.mu_p = outputs.mean(0)
        self.sd_p = np.where(outputs.std(0) > 0, outputs.std(0), 1.0)
        emb = F["emb"]
        self.mu_e = emb.mean(0) if emb.shape[1] else np.zeros(0)
        # one scale for the whole embedding: its RMS row distance from the mean
        self.sd_e = np.array(float(np.sqrt(((emb - self.mu_e) ** 2).sum(1).mean())) or 1.0
                             if emb.shape[1] else 1.0)
        blocks = self._blocks(F)
        if self.kernel == "gp":
            self.gp = SmallGP().fit(blocks, r)
            loo = self.gp.loo_mae
        else:
            Z = np.column_stack(blocks)
            self.z_mu = Z.mean(0)
            self.w, _, loo = ridge_loo(Z - self.z_mu, r - r.mean())
            self.r_mean = float(r.mean())
        # the correction is kept only where it lowers the leave-one-out error: on a dozen
        # labels a GP or ridge fit on hundreds of inputs can add more noise than it removes
        self.corrected = bool(loo < mean_loo)
        return self

    def _mean(self, M: np.ndarray) -> np.ndarray:
        return self.beta[0] + M.reshape(len(M), -1) @ self.beta[1:]

    def predict(self, F: dict) -> np.ndarray:
        base = self._mean(self._mean_inputs(F))
        if not self.corrected:
            return base
        blocks = self._blocks(F)
        if self.kernel == "gp":
            return base + self.gp.predict(blocks)
        return base + self.r_mean + (np.column_stack(blocks) - self.z_mu) @ self.w

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        config, arrays = super().state()
        gp = config.pop("gp", None)
        if gp is not None:
            arrays.update({f"gp.{k}": v for k, v in gp.state().items()})
        arrays["sd_e"] = np.asarray(self.sd_e, float)
        return config, arrays

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray], base: object) -> Head:
        gp = {k[3:]: v for k, v in arrays.items() if k.startswith("gp.")}
        head = super().from_state(config, {k: v for k, v in arrays.items()
                                           if not k.startswith("gp.")}, base)
        if gp:
            head.gp = SmallGP.from_state(gp)
        return head


@HEADS.register("stack")
class StackHead(_ResidualHead):
    """The best base output's line, corrected by a GP (or ridge) on predictions + embedding."""

    def fit(self, F: dict, y: np.ndarray) -> StackHead:
        self.column = best_column(F["pred"], y)[0]
        return super().fit(F, y)

    def _mean_inputs(self, F: dict) -> np.ndarray:
        return F["pred"][:, self.column]


@HEADS.register("delta")
class DeltaHead(_ResidualHead):
    """Δ-learning: a line on the oracle's value (+ the base output if it helps), corrected."""

    def fit(self, F: dict, y: np.ndarray) -> DeltaHead:
        if "oracle" not in F:
            raise ConfigError("the delta strategy needs an oracle: pass --oracle (e.g. "
                              "'xtb:solvent=acetonitrile')")
        self.o_col = best_column(F["oracle"], y)[0]
        self.p_col = best_column(F["pred"], y)[0]
        one = loo_line(F["oracle"][:, self.o_col], y)[0]
        two = loo_line(np.column_stack([F["oracle"][:, self.o_col],
                                        F["pred"][:, self.p_col]]), y)[0]
        self.with_base = bool(two < one)
        return super().fit(F, y)

    def _mean_inputs(self, F: dict) -> np.ndarray:
        o = F["oracle"][:, self.o_col]
        return np.column_stack([o, F["pred"][:, self.p_col]]) if self.with_base else o


# the finetune head (FCNN and D-MPNN nets) registers itself in HEADS
from redoxscreen.models import transfer_finetune  # noqa: E402,F401
