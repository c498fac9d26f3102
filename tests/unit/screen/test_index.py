"""The library index: shards hold exactly the features a screen computes, resume, refuse
what they do not hold."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from redoxscreen.chem.standardize import Standardizer, parse_for_features
from redoxscreen.features import make_featurizer
from redoxscreen.models.domain import fingerprint_matrix, molecule_facts
from redoxscreen.runtime.errors import ConfigError, DataError
from redoxscreen.screen.index import LibraryIndex, read_shard, shard_name
from redoxscreen.screen.index_build import build_index

SPEC = "ecfp:r=2,bits=512+conjugation"


@pytest.fixture()
def library(tmp_path, toy_df):
    smiles = [*toy_df["smiles"].head(90), "not_a_smiles", "", "[Na+].[O-]C(=O)c1ccccc1"]
    lib = tmp_path / "lib.csv"
    pd.DataFrame({"smiles": smiles, "id": [f"x{i:03d}" for i in range(len(smiles))]}
                 ).to_csv(lib, index=False)
    return lib, smiles


def build(library, out, **kw):
    return build_index(library, out, make_featurizer(SPEC).get_config(),
                       Standardizer().to_dict(), chunk_size=25, **kw)


def test_shards_hold_the_features_a_screen_would_compute(library, tmp_path):
    lib, smiles = library
    m = build(lib, tmp_path / "i.rsidx")
    assert m["complete"] and m["rows_done"] == 93 and m["valid"] == 91
    assert sorted(int(k) for k in m["shards"]) == [0, 1, 2, 3]
    featurizer = make_featurizer(SPEC)
    mols, reasons, changes = parse_for_features(smiles, featurizer.sanitize_ops,
                                                Standardizer())
    ok = np.array([r == "" for r in reasons])
    valid = [x for x, good in zip(mols, ok, strict=True) if good]
    X = featurizer.transform_mols(valid).toarray()
    fp = fingerprint_matrix(valid).toarray()
    got = [read_shard(c.path, featurizer.n_features_out) for c in
           LibraryIndex(tmp_path / "i.rsidx").chunks()]
    assert np.array_equal(np.concatenate([g.ok for g in got]), ok)
    assert np.array_equal(np.vstack([g.X.toarray() for g in got]), X)
    assert np.array_equal(np.vstack([g.bits.toarray() for g in got]), fp)
    facts = pd.concat([g.facts for g in got], ignore_index=True)
    pd.testing.assert_frame_equal(facts, molecule_facts(valid), check_dtype=False)
    assert sum((g.changes for g in got), []) == changes  # the salt lost its sodium
    assert changes[-1] and not any(changes[:-3])
    table = pq.read_table(tmp_path / "i.rsidx" / shard_name(3))
    assert table["id"].to_pylist()[-1] == "x092" and table["row"].to_pylist()[0] == 76
    assert table["canonical"].to_pylist()[-1] == "O=C([O-])c1ccccc1"


def test_an_interrupted_index_resumes_to_the_same_shards(library, tmp_path):
    lib, _ = library
    build(lib, tmp_path / "a.rsidx")
    part = build(lib, tmp_path / "b.rsidx", max_chunks=2)
    assert not part["complete"] and len(part["shards"]) == 2
    with pytest.raises(DataError, match="not finished"):
        LibraryIndex(tmp_path / "b.rsidx")
    done = build(lib, tmp_path / "b.rsidx")
    assert done["complete"] and done["shards"] == \
        json.loads((tmp_path / "a.rsidx" / "manifest.json").read_text())["shards"]
    for k in range(4):
        a = pq.read_table(tmp_path / "a.rsidx" / shard_name(k))
        b = pq.read_table(tmp_path / "b.rsidx" / shard_name(k))
        assert a.equals(b)


def test_other_settings_on_the_same_folder_are_refused(library, tmp_path):
    lib, _ = library
    build(lib, tmp_path / "i.rsidx")
    with pytest.raises(ConfigError, match="another library or other features"):
        build_index(lib, tmp_path / "i.rsidx", make_featurizer("maccs").get_config(), None)


def test_a_model_with_other_features_is_refused_naming_both(library, tmp_path):
    lib, _ = library
    build(lib, tmp_path / "i.rsidx")
    idx = LibraryIndex(tmp_path / "i.rsidx")
    idx.check_model(make_featurizer(SPEC, n_jobs=4).get_config(), Standardizer().to_dict())
    with pytest.raises(ConfigError) as err:
        idx.check_model(make_featurizer("ecfp:r=3,bits=512").get_config(), None)
    msg = str(err.value)
    assert "featurizer, standardize differ" in msg and '"radius": 3' in msg
    assert '"radius": 2' in msg and "redoxscreen index" in msg
    with pytest.raises(DataError, match="not a library index"):
        LibraryIndex(tmp_path)


def test_a_shard_is_the_same_whether_its_molecules_are_parsed_in_one_batch_or_many(library):
    from redoxscreen.screen.index import IndexBuilder

    _, smiles = library
    builder = IndexBuilder(make_featurizer(SPEC).get_config(), Standardizer().to_dict())
    whole = builder.table(smiles, 100, None)
    builder.mol_batch = 4  # the invalid rows at the end fall in batches of their own
    assert builder.table(smiles, 100, None).equals(whole)
    assert whole.num_rows == len(smiles) and whole["row"][0].as_py() == 100
    assert builder.table([], 0, None).num_rows == 0
