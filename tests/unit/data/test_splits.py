import numpy as np
import pytest

from redoxscreen.chem import murcko_scaffold
from redoxscreen.data import kfold_splits, make_splits, scaffold_kfold_splits
from redoxscreen.data.splits import evaluation_splits, scaffold_holdout
from redoxscreen.runtime.errors import ConfigError


def test_kfold_partitions_and_is_seeded():
    s1, s2, s3 = kfold_splits(50, 5, 1), kfold_splits(50, 5, 1), kfold_splits(50, 5, 2)
    val = np.concatenate([v for _, v in s1])
    assert sorted(val) == list(range(50))
    assert all((a[1] == b[1]).all() for a, b in zip(s1, s2, strict=True))
    assert any((a[1] != b[1]).any() for a, b in zip(s1, s3, strict=True))


def test_scaffold_folds_share_no_scaffold(toy_df):
    smiles = toy_df["smiles"].tolist()
    splits = scaffold_kfold_splits(smiles, 3, seed=0)
    seen = [set(murcko_scaffold(smiles[i]) for i in va) for _, va in splits]
    assert not (seen[0] & seen[1]) and not (seen[0] & seen[2]) and not (seen[1] & seen[2])
    assert sorted(np.concatenate([v for _, v in splits])) == list(range(len(smiles)))
    for tr, va in splits:
        assert not set(tr) & set(va)


def test_too_many_folds_is_a_clear_error():
    with pytest.raises(ConfigError, match="has 1 molecule; 8-fold"):
        kfold_splits(1, 8, source="one.csv")
    with pytest.raises(ConfigError, match="use --folds 3 or fewer"):
        kfold_splits(3, 8)
    with pytest.raises(ConfigError, match="distinct scaffold"):
        make_splits(["CCO", "CCCO", "CCCCO"], "scaffold", 2, 0)
    with pytest.raises(ConfigError, match="unknown split"):
        make_splits(["CCO"], "temporal", 2, 0)


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
