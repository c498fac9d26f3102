"""What a model reads: a feature matrix, the molecules, or both (:class:`MolBatch`).

Fingerprint models read a feature matrix; a graph net (the D-MPNN) reads the molecules
themselves. A model that combines both (a stack with a D-MPNN member) is given a
:class:`MolBatch`, and each part takes what it reads (:func:`model_input`). What a part reads
is declared when it is registered (``register_model(..., reads=...)``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


class MolBatch:
    """Rows of model input: feature matrix ``X`` and the SMILES it was computed from."""

    __slots__ = ("X", "smiles")

    def __init__(self, X: object, smiles: Sequence[str]):
        self.smiles = np.asarray(smiles, dtype=object).ravel()
        if X.shape[0] != len(self.smiles):
            raise ValueError(f"{X.shape[0]} feature rows for {len(self.smiles)} SMILES")
        self.X = X

    def __len__(self) -> int:
        return len(self.smiles)

    @property
    def shape(self) -> tuple[int, int]:
        return self.X.shape

    def __getitem__(self, rows: object) -> MolBatch:
        return MolBatch(self.X[rows], self.smiles[rows])


def input_kinds(estimator: object) -> set[str]:
    """What ``estimator``'s parts read: ``"features"`` (a matrix), ``"smiles"`` (molecules), or
    both for a stack that mixes them; a model without parts reads its ``input_kind``, and a model
    that decides at run time (a transfer model with an oracle) says so with ``reads()``."""
    if callable(getattr(estimator, "reads", None)):
        return set(estimator.reads())
    parts = getattr(estimator, "members", None) or getattr(estimator, "estimators_", None) or []
    if parts:
        return set().union(*(input_kinds(p) for p in parts))
    return {getattr(estimator, "input_kind", "features")}


def reads_smiles(estimator: object) -> bool:
    """Whether ``estimator`` or any part of it (ensemble or stack member) reads molecules."""
    return "smiles" in input_kinds(estimator)


def reads_features(estimator: object) -> bool:
    """Whether any part of ``estimator`` reads a feature matrix (a model made only of graph
    nets does not, and its featurizer need not run)."""
    return "features" in input_kinds(estimator)


def estimator_input(estimator: object, smiles: Sequence[str],
                    featurize: Callable[[], object]) -> object:
    """The input ``estimator`` reads for ``smiles``: the feature matrix ``featurize()`` (run only
    if some part reads it), wrapped with the molecules in a :class:`MolBatch` if a part is a
    graph net."""
    X = featurize() if reads_features(estimator) else np.zeros((len(smiles), 0))
    return MolBatch(X, smiles) if reads_smiles(estimator) else X


def model_input(estimator: object, X: object) -> object:
    """What ``estimator`` reads from ``X``: the whole batch if it reads molecules, else the
    feature matrix."""
    if isinstance(X, MolBatch) and not reads_smiles(estimator):
        return X.X
    return X


def as_smiles(X: object) -> np.ndarray:
    """The SMILES of a :class:`MolBatch`, or ``X`` itself as a 1-D object array."""
    return X.smiles if isinstance(X, MolBatch) else np.asarray(X, dtype=object).ravel()


def n_members(estimator: object) -> int:
    """How many members :func:`member_predictions` returns: fold models, heads or 1."""
    if hasattr(estimator, "n_members_"):
        return int(estimator.n_members_)
    return len(estimator.estimators_) if hasattr(estimator, "predict_members") else 1


def member_predictions(estimator: object, X: object) -> np.ndarray:
    """Predictions of each member ``(k, n[, t])``: the fold models of an ensemble or a stack;
    a single estimator is an ensemble of one."""
    if hasattr(estimator, "predict_members"):
        return estimator.predict_members(X)
    return np.asarray(estimator.predict(X))[None]
