"""Mixed model input: graph members of a stack read SMILES, fingerprint members the matrix."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from redoxscreen.features import MolFeaturizer
from redoxscreen.models import EnsembleRegressor, RedoxModel
from redoxscreen.models.inputs import MolBatch, model_input, reads_features, reads_smiles
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
    assert reads_features(stack) and reads_features(fp) and not reads_features(graph)
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


class _Unused(MolFeaturizer):
    """A featurizer that must not run: a model made only of graph nets never reads its output."""

    name = "unused"

    @property
    def n_features_out(self) -> int:
        return 4

    def _featurize(self, mols):
        raise AssertionError("featurizer ran for a graph-only model")


def test_graph_only_model_skips_its_featurizer():
    graph = EnsembleRegressor.from_fitted([_Graph(0.0), _Graph(2.0)])
    model = RedoxModel(featurizer=_Unused(), estimator=graph, targets=["ie"])
    out = model.predict_smiles(["CCO", "not a smiles", "c1ccccc1"])
    np.testing.assert_allclose(out["ie_pred"], [4.0, np.nan, 9.0])  # mean of len, len + 2
    np.testing.assert_allclose(out["ie_std"], [1.0, np.nan, 1.0])
    assert out["reason"][1] != "" and out["reason"][0] == ""


def test_screen_worker_skips_the_featurizer_of_a_graph_only_model():
    from redoxscreen.screen.settings import ScreenSettings
    from redoxscreen.screen.worker import ChunkScreener

    graph = EnsembleRegressor.from_fitted([_Graph(0.0)])
    model = RedoxModel(featurizer=_Unused(), estimator=graph, targets=["ie", "ea"])
    X, ok, reasons = ChunkScreener(model, ScreenSettings(), {}).featurize(["CCO", "C1CC", "CN"])
    assert X.shape == (2, 0) and ok.tolist() == [True, False, True] and reasons[1]
