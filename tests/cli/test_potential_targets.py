"""Potentials as targets: a model trained on V labels on a named scale is screened without a
conversion, and an explicit one (it would convert twice) is refused."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from redoxscreen.cli.main import app

runner = CliRunner()


def test_a_model_of_potentials_screens_without_a_conversion(tmp_path, toy_df):
    data = tmp_path / "pot.csv"
    pd.DataFrame({"smiles": toy_df["smiles"], "E_ox": toy_df["vie"] - 4.2}).to_csv(
        data, index=False)
    r = runner.invoke(app, ["train", str(data), "-t", "e_ox=E_ox:V", "--scale", "vs_li",
                            "--label-solvent", "acetonitrile", "--model", "ridge", "--folds",
                            "3", "--split", "random", "--featurizer", "ecfp:r=2,bits=512",
                            "--out", str(tmp_path / "t")])
    assert r.exit_code == 0, r.output
    meta = json.loads((tmp_path / "t" / "model" / "model.json").read_text())
    assert meta["units"] == {"e_ox": "V"} and meta["potential_scale"] == "vs_li"
    assert meta["label_solvent"] == "acetonitrile"
    lib = tmp_path / "lib.smi"
    lib.write_text("\n".join(toy_df["smiles"].head(30)) + "\n")
    for scale, offset in (("vs_li", 0.0), ("vs_she", -3.04)):
        out = tmp_path / f"s_{scale}"
        r = runner.invoke(app, ["screen", str(tmp_path / "t" / "model"), str(lib), "--role",
                                "cathode", "--scale", scale, "--workers", "1", "--out",
                                str(out)])
        assert r.exit_code == 0, r.output
        res = pd.read_parquet(out / "results.parquet")
        tag = {"vs_li": "li", "vs_she": "she"}[scale]
        assert res[f"e_ox_v_{tag}"].to_numpy() == pytest.approx(
            res["e_ox_pred"].to_numpy() + offset)  # the prediction itself, moved to the scale
    r = runner.invoke(app, ["screen", str(tmp_path / "t" / "model"), str(lib), "--role",
                            "cathode", "--conversion", "study", "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "convert them twice" in " ".join(r.stderr.split())
    # a line fitted on this model's own potentials is a correction, not a second conversion
    meas = tmp_path / "measured.csv"
    pd.DataFrame({"smiles": toy_df["smiles"].head(20),
                  "E": toy_df["vie"].head(20) - 4.0}).to_csv(meas, index=False)
    cal = tmp_path / "cal.json"
    r = runner.invoke(app, ["calibrate", str(meas), "--model", str(tmp_path / "t" / "model"),
                            "--potential-col", "E", "--role", "oxidation", "-o", str(cal)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["screen", str(tmp_path / "t" / "model"), str(lib), "--role",
                            "cathode", "--conversion", str(cal), "--workers", "1", "--out",
                            str(tmp_path / "c")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["train", str(data), "-t", "e_ox=E_ox:V", "--scale", "vs_moon",
                            "--out", str(tmp_path / "bad")])
    assert r.exit_code == 2 and "unknown potential scale 'vs_moon'" in r.stderr
