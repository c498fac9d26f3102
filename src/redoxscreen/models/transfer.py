r"""A model for a small labelled set built on a model trained on big data (``finetune``).

:class:`TransferRegressor` keeps the base model whole and adds, per fold of a
cross-validation on the small set, one head per new target (:mod:`.transfer_heads`). Its
prediction is the mean of the fold heads, and ``predict_members`` gives the k fold predictions,
so the CV+ intervals of ``predict`` and ``screen`` are calibrated on the small set's own
out-of-fold residuals — a base model's residuals do not hold under a change of chemistry or
phase. What a head reads about a molecule (:meth:`TransferRegressor.features`):

- ``pred``: the base model's predictions of all its targets (mean of its fold models);
- ``emb``: the base FCNNs' last hidden layers, concatenated (a squared distance in it is the
  sum over the fold models' spaces); empty for a base without one;
- ``oracle``: the values of an oracle (``xtb:solvent=acetonitrile``) for the Δ strategy, which
  therefore runs the oracle on every molecule it predicts (seconds each).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from redoxscreen.models.ensemble import MemberMean
from redoxscreen.models.inputs import as_smiles, input_kinds, model_input
from redoxscreen.models.registry import register_model
from redoxscreen.models.transfer_heads import HEADS, Head, take


def base_members(base: object) -> list:
    """The fold models of an ensemble base, or the base itself."""
    return list(getattr(base, "estimators_", None) or [base])


@register_model("transfer", listed=False)
class TransferRegressor(MemberMean, RegressorMixin, BaseEstimator):
    """Base model + k fold heads per target (built by :func:`redoxscreen.pipeline.finetune`).

    Parameters
    ----------
    base : the fitted base estimator (a saved model's).
    strategy : the heads' registered name (``linear``, ``stack``, ``delta``, ``finetune``).
    oracle : oracle spec whose values the heads read (``delta``), or ``None``.
    oracle_targets : the oracle outputs used, in order.
    n_jobs : oracle worker processes at prediction time.
    """

    def __init__(self, base: object = None, strategy: str = "linear",
                 oracle: str | None = None, oracle_targets: tuple[str, ...] = (),
                 n_jobs: int = 1):
        self.base = base
        self.strategy = strategy
        self.oracle = oracle
        self.oracle_targets = oracle_targets
        self.n_jobs = n_jobs

    def reads(self) -> set[str]:
        """The base's inputs, and the molecules when an oracle is run on them."""
        return input_kinds(self.base) | ({"smiles"} if self.oracle else set())

    def features(self, X: object, oracle_values: np.ndarray | None = None) -> dict:
        """What the heads read about the rows of ``X`` (see the module docstring)."""
        members = base_members(self.base)
        xb = model_input(self.base, X)
        pred = np.asarray(self.base.predict(xb), float)
        F = {"pred": pred.reshape(len(pred), -1), "members": members,
             "X": model_input(members[0], X)}
        embs = [m.embed(model_input(m, X)) for m in members if hasattr(m, "embed")]
        F["emb"] = np.hstack(embs) if embs else np.zeros((len(pred), 0))
        if self.oracle:
            if oracle_values is None:
                from redoxscreen.oracle.base import build_oracle
                from redoxscreen.oracle.base import oracle_values as run

                oracle_values = run(build_oracle(self.oracle), list(as_smiles(X)),
                                    list(self.oracle_targets), n_workers=self.n_jobs)
            F["oracle"] = np.asarray(oracle_values, float).reshape(len(pred), -1)
        return F

    @classmethod
    def from_heads(cls, base: object, strategy: str, heads: list[list[Head]], *,
                   oracle: str | None = None, oracle_targets: tuple[str, ...] = (),
                   n_jobs: int = 1) -> TransferRegressor:
        est = cls(base, strategy, oracle, tuple(oracle_targets), n_jobs)
        est.estimators_ = heads  # k folds × targets
        return est

    def fit(self, X: object, y: np.ndarray) -> TransferRegressor:
        """One head per target on all of ``X`` (the fold heads come from ``finetune``)."""
        F = self.features(X)
        Y = np.asarray(y, float).reshape(len(y), -1)
        heads = []
        for j in range(Y.shape[1]):
            ok = np.isfinite(Y[:, j])
            heads.append(HEADS[self.strategy].factory().fit(take(F, np.flatnonzero(ok)),
                                                             Y[ok, j]))
        self.estimators_ = [heads]
        return self

    def predict_members_features(self, F: dict) -> np.ndarray:
        """``(k, n, t)``: each fold's heads on precomputed features."""
        return np.stack([np.column_stack([h.predict(F) for h in fold])
                         for fold in self.estimators_])

    def predict_members(self, X: object) -> np.ndarray:
        return self.predict_members_features(self.features(X))

    def to_state(self, prefix: str = "") -> tuple[dict, dict[str, np.ndarray]]:
        from redoxscreen.models.serialize import estimator_to_state

        base_cfg, arrays = estimator_to_state(self.base, f"{prefix}base.")
        heads = []
        for f, fold in enumerate(self.estimators_):
            row = []
            for j, head in enumerate(fold):
                cfg, arr = head.state()
                row.append(cfg)
                arrays.update({f"{prefix}h{f}.{j}.{k}": np.asarray(v) for k, v in arr.items()})
            heads.append(row)
        return {"base": base_cfg, "strategy": self.strategy, "oracle": self.oracle,
                "oracle_targets": list(self.oracle_targets), "n_jobs": self.n_jobs,
                "heads": heads, "prefix": prefix}, arrays

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray]) -> TransferRegressor:
        from redoxscreen.models.serialize import estimator_from_state

        base = estimator_from_state(config["base"], arrays)
        head_cls = HEADS[config["strategy"]].factory
        prefix = config["prefix"]
        heads = []
        for f, fold in enumerate(config["heads"]):
            row = []
            for j, cfg in enumerate(fold):
                key = f"{prefix}h{f}.{j}."
                arr = {k[len(key):]: v for k, v in arrays.items() if k.startswith(key)}
                row.append(head_cls.from_state(cfg, arr, base))
            heads.append(row)
        return cls.from_heads(base, config["strategy"], heads, oracle=config["oracle"],
                              oracle_targets=tuple(config["oracle_targets"]),
                              n_jobs=config.get("n_jobs", 1))
