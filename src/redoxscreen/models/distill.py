r"""One net in place of an ensemble's k fold models, keeping their CV+ intervals.

A k-fold ensemble predicts with k nets; at library scale that is most of the time after
featurisation. :func:`distill_ensemble` trains one FCNN of the members' architecture whose
:math:`k \cdot t` outputs are the k members' t predictions,

.. math:: \min_\theta \sum_{x \in S} \sum_{f=1}^{k} \lVert g_\theta(x)_f - \mu_{-f}(x) \rVert_1,

on a transfer set S: the training molecules plus, optionally, unlabelled molecules from the
library to be screened (the student then learns the members where it will be used). No label
enters the student, only the members' outputs, so the out-of-fold residuals the members left
stay the CV+ calibration set, and :class:`DistilledEnsemble` hands its k heads to
:class:`~redoxscreen.evaluation.calibration.ConformalInterval` as the fold models. The cost
is the student's disagreement with the members, measured on held-out transfer molecules and
saved as ``agreement``; its effect on accuracy and coverage is in ``bench/bench_distill.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

from redoxscreen.models.bundle import RedoxModel
from redoxscreen.models.ensemble import MemberMean
from redoxscreen.models.fcnn import FCNNRegressor
from redoxscreen.models.registry import register_model
from redoxscreen.runtime.errors import ConfigError


@register_model("distilled", listed=False)
class DistilledEnsemble(MemberMean, RegressorMixin, BaseEstimator):
    """An FCNN with one head per (member, target): ``predict_members`` in one forward pass.

    Parameters
    ----------
    student : the fitted :class:`FCNNRegressor` with ``n_members * n_targets`` outputs,
        member-major.
    n_members, n_targets : the ensemble it reproduces.
    y_1d : whether the ensemble predicted 1-D targets.
    """

    def __init__(self, student: FCNNRegressor | None = None, n_members: int = 1,
                 n_targets: int = 1, y_1d: bool = False):
        self.student = student
        self.n_members = n_members
        self.n_targets = n_targets
        self.y_1d = y_1d

    @property
    def n_members_(self) -> int:
        return self.n_members

    def predict_members(self, X: object) -> np.ndarray:
        """Shape ``(n_members, n_samples[, n_targets])``, as the ensemble's."""
        p = np.asarray(self.student.predict(X), float).reshape(-1, self.n_members,
                                                               self.n_targets)
        p = p.transpose(1, 0, 2)
        return p[:, :, 0] if self.y_1d else p

    def to_state(self, prefix: str = "") -> tuple[dict, dict[str, np.ndarray]]:
        config, arrays = self.student.to_state(f"{prefix}s.")
        return {"student": config, "n_members": self.n_members, "n_targets": self.n_targets,
                "y_1d": self.y_1d}, arrays

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray]) -> DistilledEnsemble:
        return cls(FCNNRegressor.from_state(config["student"], arrays),
                   int(config["n_members"]), int(config["n_targets"]), bool(config["y_1d"]))


def distill_ensemble(model: RedoxModel, extra_smiles: Sequence[str] = (), *, seed: int = 0,
                     holdout: float = 0.1, **student_params: object
                     ) -> tuple[RedoxModel, dict]:
    """The model with its ensemble replaced by one student net, and the student's agreement
    with the members on a held-out ``holdout`` share of the transfer set (MAE per target,
    over every member's output, and of the member mean).

    ``extra_smiles``: unlabelled molecules added to the training molecules of ``model.oof``;
    invalid ones are skipped (the featurizer drops nothing silently: they are counted).
    ``student_params`` override the student's settings (default: the members' own).
    """
    members = getattr(model.estimator, "estimators_", None)
    if not members or not all(isinstance(m, FCNNRegressor) for m in members):
        raise ConfigError("distill needs an ensemble of FCNN fold models (what 'redoxscreen "
                          "train' makes with the fcnn model)")
    if model.oof is None:
        raise ConfigError("the model has no out-of-fold table (oof.csv): without it there "
                          "are neither training molecules nor CV+ residuals to keep")
    from redoxscreen.chem.standardize import standardize_smiles

    train = list(dict.fromkeys(model.oof["smiles"].astype(str)))
    # the extra molecules go through the model's standardisation, as a screen's would
    canon, _, _ = standardize_smiles(list(extra_smiles), model.standardizer)
    known = set(train)
    extra = [c for c in dict.fromkeys(c for c in canon if c is not None) if c not in known]
    smiles = train + extra
    X = model.featurizer.transform(smiles).tocsr()
    teacher = model.estimator.predict_members(X)  # (k, n[, t])
    k, t = len(members), len(model.targets)
    Y = teacher.reshape(k, len(smiles), t).transpose(1, 0, 2).reshape(len(smiles), k * t)
    rng = np.random.default_rng(seed)
    held = rng.random(len(smiles)) < holdout
    params = {**members[0].get_params(), "seed": seed, **student_params}
    student = FCNNRegressor(**params).fit(X[~held], Y[~held])
    est = DistilledEnsemble(student, k, t, bool(np.asarray(teacher).ndim == 2))
    got = est.predict_members(X[held]).reshape(k, int(held.sum()), t)
    want = teacher.reshape(k, len(smiles), t)[:, held]
    agreement = {"transfer_molecules": len(smiles), "training_molecules": len(train),
                 "extra_molecules": len(extra),
                 "extra_invalid": sum(c is None for c in canon), "held_out": int(held.sum()),
                 "member_mae": {m: float(np.mean(np.abs(got[:, :, j] - want[:, :, j])))
                                for j, m in enumerate(model.targets)},
                 "mean_mae": {m: float(np.mean(np.abs(got[:, :, j].mean(0)
                                                      - want[:, :, j].mean(0))))
                              for j, m in enumerate(model.targets)}}
    info = {**model.info, "distilled": {"members": k, "seed": seed, "agreement": agreement}}
    return replace(model, estimator=est, info=info), agreement
