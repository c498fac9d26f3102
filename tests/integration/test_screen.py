"""Streaming screening end to end: one row per input, rules, store, resume after a real kill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import duckdb
import numpy as np
import pandas as pd
import pytest

from redoxscreen.electrochem import PotentialConversion
from redoxscreen.screen import ScreenSettings, run_screen
from redoxscreen.screen.schema import result_columns


def _settings(**kw):
    # The toy labels sit around 6–8 eV (IE) and −1.5–0.7 eV (EA): absolute-scale solvation offsets
    # puts a share of them inside the acetonitrile window so both outcomes occur.
    conv = PotentialConversion.solvation(-5.0, 2.2).to_dict()
    base = dict(roles=["cathode", "anode"], solvent="acetonitrile", collector="Al",
                uncertainty="conformal", conversion=conv, chunk_size=256, n_workers=1, top_n=20)
    return ScreenSettings(**{**base, **kw})


def test_every_input_row_is_written_once_in_order(toy_model_dir, toy_library, tmp_path):
    path, smiles = toy_library
    summary = run_screen(toy_model_dir, path, tmp_path / "s", _settings())
    res = pd.read_parquet(tmp_path / "s" / "results.parquet")
    # the worker writes exactly the columns the schema names, in its order
    assert list(res.columns) == result_columns(["vie", "ea"], ["cathode", "anode"], "vs_li")
    assert res["row"].tolist() == list(range(1, len(smiles) + 1))  # 1-based record numbers
    assert res["smiles"].tolist() == smiles
    bad = res[~res["valid"]]
    assert len(bad) == summary.invalid == sum(s == "not_a_smiles" for s in smiles)
    assert (bad["reason"].str.contains("syntax")).all() and bad["vie_pred"].isna().all()
    good = res[res["valid"]]
    assert (good["e_ox_lo_v_li"] <= good["e_ox_v_li"]).all()
    assert (good["e_ox_v_li"] <= good["e_ox_hi_v_li"]).all()
    passed = good[good["cathode_pass"]]
    assert 0 < len(passed) < len(good)
    assert (passed["e_ox_lo_v_li"] >= 0.44).all() and (passed["e_ox_hi_v_li"] <= 4.7).all()
    with duckdb.connect(str(tmp_path / "s" / "results.duckdb"), read_only=True) as con:
        n, n_pass = con.execute("SELECT count(*), count(*) FILTER (WHERE cathode_pass) "
                                "FROM molecules").fetchone()
    assert n == len(smiles) and n_pass == summary.roles["cathode"].n_pass == len(passed)
    top = pd.read_csv(tmp_path / "s" / "top_cathode.csv")
    assert top["e_ox_v_li"].is_monotonic_decreasing and top["cathode_pass"].all()
    anode = pd.read_csv(tmp_path / "s" / "top_anode.csv")
    assert anode["e_red_v_li"].is_monotonic_increasing
    pairs = pd.read_csv(tmp_path / "s" / "top_pairs.csv")
    assert pairs["cell_voltage_v"].is_monotonic_decreasing
    np.testing.assert_allclose(pairs["cell_voltage_v"],
                               pairs["cathode_e_ox_v_li"] - pairs["anode_e_red_v_li"])


def test_resume_after_stop_gives_identical_results(toy_model_dir, toy_library, tmp_path):
    path, _ = toy_library
    ref = run_screen(toy_model_dir, path, tmp_path / "ref", _settings())
    part = run_screen(toy_model_dir, path, tmp_path / "r", _settings(), max_chunks=3)
    assert part.interrupted and part.rows_done == 3 * 256
    done = run_screen(toy_model_dir, path, tmp_path / "r", _settings())
    assert done.to_dict()["roles"] == ref.to_dict()["roles"]
    a = pd.read_parquet(tmp_path / "ref" / "results.parquet")
    b = pd.read_parquet(tmp_path / "r" / "results.parquet")
    pd.testing.assert_frame_equal(a, b)


def test_changed_settings_refuse_to_resume(toy_model_dir, toy_library, tmp_path):
    from redoxscreen.runtime.errors import ConfigError

    path, _ = toy_library
    run_screen(toy_model_dir, path, tmp_path / "r", _settings(), max_chunks=1)
    with pytest.raises(ConfigError, match="other inputs or settings"):
        run_screen(toy_model_dir, path, tmp_path / "r", _settings(solvent="water"))


@pytest.mark.parametrize("mode", ["global", "ensemble"])
def test_other_uncertainty_modes(toy_model_dir, toy_library, tmp_path, mode):
    path, _ = toy_library
    summary = run_screen(toy_model_dir, path, tmp_path / mode, _settings(uncertainty=mode))
    res = pd.read_parquet(tmp_path / mode / "results.parquet").dropna(subset=["e_ox_v_li"])
    width = res["e_ox_hi_v_li"] - res["e_ox_lo_v_li"]
    if mode == "global":
        assert width.std() < 1e-9 and summary.calibrators["vie"]["half_width"] > 0
    else:
        assert width.std() > 0


def test_real_kill_and_restart_loses_and_duplicates_nothing(toy_model_dir, tmp_path):
    from toydata import toy_frame

    smiles = (toy_frame()["smiles"].tolist() * 100)[:30000]
    lib = tmp_path / "big.smi"
    lib.write_text("\n".join(smiles) + "\n")
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "redoxscreen", "screen", str(toy_model_dir),
           str(lib), "--out", str(out), "--chunk-size", "500", "--workers", "1",
           "--collector", "Al"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    manifest = out / "manifest.json"
    deadline = time.time() + 120
    while time.time() < deadline:
        if manifest.exists():
            try:
                if json.loads(manifest.read_text())["rows_done"] >= 2000:
                    break
            except (json.JSONDecodeError, KeyError):
                pass
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done_before = json.loads(manifest.read_text())["rows_done"]
    assert 0 < done_before < len(smiles), "the run must be killed mid-way"
    assert not (out / "summary.json").exists()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    res = pd.read_parquet(out / "results.parquet", columns=["row", "smiles"])
    assert res["row"].tolist() == list(range(1, len(smiles) + 1))
    assert res["smiles"].tolist() == smiles


def test_blank_records_come_back_invalid_at_their_file_row(toy_model_dir, tmp_path):
    lib = tmp_path / "gaps.smi"
    lib.write_text("c1ccccc1O first\n\nO=C1C=CC(=O)C=C1 third\n\t\nc1ccc2ccccc2c1\n")
    summary = run_screen(toy_model_dir, lib, tmp_path / "s", _settings(chunk_size=2))
    res = pd.read_parquet(tmp_path / "s" / "results.parquet")
    assert res["row"].tolist() == [1, 2, 3, 4, 5]  # the record number in the file
    assert res["valid"].tolist() == [True, False, True, False, True]
    assert (res.loc[~res["valid"], "reason"] == "empty SMILES").all()
    assert res.loc[2, "smiles"] == "O=C1C=CC(=O)C=C1" and summary.invalid == 2
    # people read summary.json: no binary noise in the window limits (0.44, not 0.4399...)
    text = (tmp_path / "s" / "summary.json").read_text()
    assert '"low_v": 0.44,' in text and "0.4399" not in text
    assert json.loads(text)["window"]["cathode"]["high_v"] == 4.7


@pytest.mark.parametrize("precision", ["mixed", "int8"])
def test_low_precision_screen_is_close_to_float32_and_is_part_of_the_run(
        toy_model_dir, toy_library, tmp_path, precision):
    from redoxscreen.runtime.errors import ConfigError

    path, _ = toy_library
    run_screen(toy_model_dir, path, tmp_path / "fp32", _settings())
    run_screen(toy_model_dir, path, tmp_path / "mixed", _settings(precision=precision))
    a, b = (pd.read_parquet(tmp_path / d / "results.parquet") for d in ("fp32", "mixed"))
    ok = a["valid"].to_numpy()
    diff = np.abs(a["e_ox_v_li"] - b["e_ox_v_li"])[ok]
    assert 0 < diff.max() < 0.02  # V: rounded, far below the model's error
    assert (a["domain"] == b["domain"]).all()  # the domain does not depend on the nets
    config = json.loads((tmp_path / "mixed" / "config.json").read_text())
    assert config["settings"]["precision"] == precision
    with pytest.raises(ConfigError, match="other inputs or settings"):  # rows would differ
        run_screen(toy_model_dir, path, tmp_path / "fp32", _settings(precision=precision))
    with pytest.raises(ConfigError, match="unknown precision"):
        run_screen(toy_model_dir, path, tmp_path / "bad", _settings(precision="fp8"))
