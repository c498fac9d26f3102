import numpy as np
import pytest

from redoxscreen.chem import murcko_scaffold
from redoxscreen.data import kfold_splits, make_splits, scaffold_kfold_splits
from redoxscreen.errors import ConfigError


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
