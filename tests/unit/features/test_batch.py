"""Mixed model input: graph members of a stack read SMILES, fingerprint members the matrix."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from redoxscreen.features import MolBatch, model_input, reads_smiles
from redoxscreen.models import EnsembleRegressor
from redoxscreen.models.stacking import StackedRegressor


class _Graph(BaseEstimator):
    """Stands in for a graph net: reads SMILES (length + offset)."""

    input_kind = "smiles"

    def __init__(self, offset: float = 0.0):
        self.offset = offset

    def predict(self, X):
        assert isinstance(X, MolBatch), "a graph member must be given the molecules"
        return np.array([len(s) for s in X.smiles], float) + self.offset


class _Fingerprint(BaseEstimator):
    """Stands in for a fingerprint model: reads the feature matrix only."""

    def __init__(self, scale: float = 1.0):
        self.scale = scale

    def predict(self, X):
        assert sp.issparse(X), "a fingerprint member must be given the feature matrix"
        return self.scale * np.asarray(X.sum(axis=1)).ravel()


def test_stack_routes_each_member_its_own_input():
    smiles = ["C", "CCO", "c1ccccc1"]
    X = sp.csr_matrix(np.array([[1, 0], [2, 1], [0, 6]], float))
    graph = EnsembleRegressor.from_fitted([_Graph(0.0), _Graph(2.0)])
    fp = EnsembleRegressor.from_fitted([_Fingerprint(1.0), _Fingerprint(3.0)])
    stack = StackedRegressor.from_fitted([fp, graph], ["fp", "graph"],
                                         np.array([[0.25], [0.75]]), np.zeros(1))
    assert reads_smiles(stack) and reads_smiles(graph) and not reads_smiles(fp)
    batch = MolBatch(X, smiles)
    lengths, sums = np.array([1.0, 3.0, 8.0]), np.array([1.0, 3.0, 6.0])
    np.testing.assert_allclose(stack.predict(batch), 0.25 * 2 * sums + 0.75 * (lengths + 1))
    # fold f of the stack combines the members' fold-f models
    folds = stack.predict_members(batch)
    np.testing.assert_allclose(folds[0], 0.25 * sums + 0.75 * lengths)
    np.testing.assert_allclose(folds[1], 0.25 * 3 * sums + 0.75 * (lengths + 2))
    assert model_input(fp, batch) is X and model_input(graph, batch) is batch
    part = batch[np.array([2, 0])]
    assert list(part.smiles) == ["c1ccccc1", "C"] and part.X[0, 1] == 6
    with pytest.raises(ValueError, match="2 feature rows for 3 SMILES"):
        MolBatch(X[:2], smiles)
