"""Screening from a library index and on Dask gives the rows of the plain screen, row for
row; a Dask run resumes from the chunks another back-end wrote."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from redoxscreen.models.card import read_model_card
from redoxscreen.runtime.errors import ConfigError
from redoxscreen.screen import ScreenSettings, run_screen
from redoxscreen.screen.index_build import build_index


def settings(**kw):
    return ScreenSettings(**{"roles": ["cathode", "anode"], "chunk_size": 256,
                             "n_workers": 1, "top_n": 20, **kw})


@pytest.fixture(scope="module")
def plain(toy_model_dir, toy_library, tmp_path_factory):
    out = tmp_path_factory.mktemp("plain") / "run"
    run_screen(toy_model_dir, toy_library[0], out, settings())
    return pd.read_parquet(out / "results.parquet")


@pytest.fixture(scope="module")
def index(toy_model_dir, toy_library, tmp_path_factory):
    meta = read_model_card(toy_model_dir).meta
    out = tmp_path_factory.mktemp("idx") / "lib.rsidx"
    build_index(toy_library[0], out, meta["featurizer"], meta.get("standardize"),
                chunk_size=300)
    return out


def test_screen_from_the_index_is_the_screen_from_smiles(toy_model_dir, index, plain,
                                                         tmp_path):
    run_screen(toy_model_dir, index, tmp_path / "r", settings(n_workers=2))
    got = pd.read_parquet(tmp_path / "r" / "results.parquet")
    pd.testing.assert_frame_equal(got, plain)
    ident = json.loads((tmp_path / "r" / "manifest.json").read_text())["identity"]
    assert ident["library"].endswith("lib.rsidx")


def test_a_model_the_index_was_not_built_for_is_refused(toy_model_dir, toy_library, tmp_path):
    from redoxscreen.features import make_featurizer

    other = tmp_path / "other.rsidx"
    build_index(toy_library[0], other, make_featurizer("maccs").get_config(), None,
                chunk_size=1000)
    with pytest.raises(ConfigError, match="other features than the model reads"):
        run_screen(toy_model_dir, other, tmp_path / "r", settings())


def test_dask_local_cluster_gives_the_same_rows_and_resumes(toy_model_dir, toy_library,
                                                            plain, tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "r"
    first = run_screen(toy_model_dir, toy_library[0], out, settings(), max_chunks=3)
    assert first.interrupted
    run_screen(toy_model_dir, toy_library[0], out, settings(scheduler="local:2"))
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), plain)


def test_an_index_built_on_dask_holds_the_same_shards(toy_model_dir, toy_library, index,
                                                      tmp_path):
    pytest.importorskip("distributed")
    import pyarrow.parquet as pq

    meta = read_model_card(toy_model_dir).meta
    m = build_index(toy_library[0], tmp_path / "d.rsidx", meta["featurizer"],
                    meta.get("standardize"), chunk_size=300, scheduler="local:2")
    assert m["complete"] and m["rows_done"] == 2000
    for f in sorted(index.glob("shard-*.parquet")):
        assert pq.read_table(f).equals(pq.read_table(tmp_path / "d.rsidx" / f.name))
