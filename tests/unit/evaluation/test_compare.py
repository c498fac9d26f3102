"""Splits of the comparison, stacking weights, and the feature-count curve."""

from __future__ import annotations

import numpy as np
import pytest

from redoxscreen.chem import murcko_scaffold
from redoxscreen.evaluation.compare import evaluation_splits, scaffold_holdout
from redoxscreen.models.stacking import cross_fitted_stack, fit_stack_weights


def test_scaffold_holdout_is_disjoint_and_near_the_fraction(toy_df):
    smiles = toy_df.smiles.tolist()
    tr, te = scaffold_holdout(smiles, 0.3, seed=1)
    assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == len(smiles)
    assert {murcko_scaffold(smiles[i]) for i in tr}.isdisjoint(
        {murcko_scaffold(smiles[i]) for i in te})
    assert 0.15 < len(te) / len(smiles) <= 0.3


def test_random_holdout_and_kfold_cover_rows():
    [(tr, te)] = evaluation_splits(None, 100, "random", "holdout", 5, seed=0)
    assert len(te) == 30 and len(np.union1d(tr, te)) == 100
    folds = evaluation_splits(None, 100, "random", "kfold", 4, seed=0)
    assert sorted(np.concatenate([te for _, te in folds]).tolist()) == list(range(100))
    with pytest.raises(Exception, match="need SMILES"):
        evaluation_splits(None, 100, "scaffold", "kfold", 4, seed=0)


def test_stack_weights_pick_the_informative_member():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(300, 1))
    good = y + rng.normal(0, 0.1, y.shape)
    noise = rng.normal(size=y.shape)
    w, b = fit_stack_weights(np.stack([noise, good]), y)
    assert w[1, 0] == pytest.approx(1.0, abs=0.05) and w[0, 0] == pytest.approx(0.0, abs=0.05)
    assert (w >= 0).all()
    fold = np.arange(300) % 5
    oof = cross_fitted_stack(np.stack([noise, good]), y, fold)
    assert np.abs(oof - y).mean() < 0.1
    # cross-fitting: changing the labels of fold 0 does not change fold 0's stacked predictions
    y2 = y.copy()
    y2[fold == 0] += 5.0
    oof2 = cross_fitted_stack(np.stack([noise, good]), y2, fold)
    np.testing.assert_allclose(oof2[fold == 0], oof[fold == 0])
