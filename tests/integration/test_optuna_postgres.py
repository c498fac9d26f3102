"""compare --tune --storage postgresql://…: Optuna studies in a real PostgreSQL server (the
test starts one), shared by two runs as by two machines."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from redoxscreen.cli.main import app

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import postgres  # noqa: E402

pytest.importorskip("psycopg")
optuna = pytest.importorskip("optuna")


@pytest.fixture(scope="module")
def pg_url():
    got = postgres.start()
    if isinstance(got, str):
        pytest.skip(f"no PostgreSQL server: {got}")
    url, stop = got
    yield url
    stop()


@pytest.fixture()
def table(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(60, 4)), columns=[f"x{i}" for i in range(4)])
    df["y"] = 2 * df.x0 - df.x1 + rng.normal(0, 0.1, 60)
    df.to_csv(tmp_path / "t.csv", index=False)
    return tmp_path / "t.csv"


def compare(table, out, storage):
    return CliRunner().invoke(app, [
        "compare", str(table), "-t", "y:none", "--features", "all", "--models", "ridge",
        "--split", "random", "--scheme", "kfold", "--folds", "2", "--tune", "3",
        "--storage", storage, "--out", str(out)])


def test_studies_live_in_postgres_and_are_shared_by_runs(pg_url, table, tmp_path):
    r = compare(table, tmp_path / "a", pg_url)
    assert r.exit_code == 0, r.output
    assert not (tmp_path / "a" / "optuna.sqlite3").exists()
    studies = {s.study_name: s.n_trials for s in optuna.get_all_study_summaries(pg_url)}
    mine = {k: v for k, v in studies.items() if k.endswith("random-kfold-ridge-fold0")
            or k.endswith("random-kfold-ridge-fold1")}
    assert len(mine) == 2 and set(mine.values()) == {3}
    # a second machine (another run folder) with the same command finds the trials done
    r = compare(table, tmp_path / "b", pg_url)
    assert r.exit_code == 0, r.output
    again = {s.study_name: s.n_trials for s in optuna.get_all_study_summaries(pg_url)}
    assert {k: again[k] for k in mine} == mine
    cfg = (tmp_path / "b" / "config.json").read_text()
    assert "postgresql://postgres@127.0.0.1" in cfg


def test_an_unreachable_database_is_a_clear_error_without_the_password(table, tmp_path):
    r = compare(table, tmp_path / "c", "postgresql://me:s3cret@127.0.0.1:9/nodb")
    assert r.exit_code != 0
    assert "cannot open the Optuna storage" in r.output and "me:***@" in r.output
    assert "s3cret" not in r.output and "Traceback" not in r.output
