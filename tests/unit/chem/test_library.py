import pandas as pd
import pytest
from rdkit import Chem

from redoxscreen.chem.library import enumerate_library, library_size, load_cores, load_groups
from redoxscreen.runtime.errors import ConfigError


def _bq_only():
    cores = load_cores()
    return cores[cores["name"] == "benzoquinone"], load_groups()


def test_packaged_cores_cover_the_families_with_notes():
    cores = load_cores()
    for fam in ("quinone", "phenazine", "alloxazine", "viologen", "nitroxide", "phenothiazine",
                "dialkoxybenzene", "quinoxaline", "benzothiadiazole", "fluorenone",
                "triarylamine", "cyclopropenium"):
        assert fam in set(cores["family"])
    assert {"benzoquinone", "naphthoquinone", "anthraquinone"} <= set(cores["name"])
    assert cores["note"].str.len().min() > 20


def test_exhaustive_enumeration_of_one_core():
    cores, groups = _bq_only()
    two = groups[groups["name"].isin(["methyl", "cyano"])]
    df = enumerate_library(cores, two, max_substituents=1)
    # benzoquinone's 4 sites are equivalent: parent + methyl-BQ + cyano-BQ
    assert sorted(df["smiles"]) == sorted(
        Chem.CanonSmiles(s) for s in ["O=C1C=CC(=O)C=C1", "CC1=CC(=O)C=CC1=O",
                                      "N#CC1=CC(=O)C=CC1=O"])
    assert set(df["core"]) == {"benzoquinone"} and df["smiles"].is_unique
    assert library_size(cores, two, 1) == 1 + 4 * 2
    two_sub = enumerate_library(cores, two, max_substituents=2)
    assert len(two_sub) > len(df)
    row = two_sub[two_sub["substituents"].str.count(";") == 1].iloc[0]
    assert len(row["substituents"].split(";")) == 2


def test_sampling_is_seeded_unique_and_filtered():
    a = enumerate_library(max_substituents=3, n=300, seed=3, max_heavy_atoms=30)
    b = enumerate_library(max_substituents=3, n=300, seed=3, max_heavy_atoms=30)
    c = enumerate_library(max_substituents=3, n=300, seed=4, max_heavy_atoms=30)
    pd.testing.assert_frame_equal(a, b)
    assert set(a["smiles"]) != set(c["smiles"])
    assert len(a) == 300 and a["smiles"].is_unique and a["n_heavy"].max() <= 30
    no_s = enumerate_library(max_substituents=2, n=200, seed=0,
                             elements=frozenset({"H", "C", "N", "O"}))
    assert not no_s["smiles"].str.contains("S|Cl|F").any()


def test_bad_core_file(tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("name,family,smiles,groups,note\nx,y,[*:1]c1ccccc1,all,n\n")
    with pytest.raises(ConfigError, match="branches"):
        load_cores(str(p))
