"""enumerate, label and demo commands (demo on the toy data, tiny nets, small library)."""

import json

import numpy as np
import pandas as pd
from toydata import toy_frame
from typer.testing import CliRunner

from redoxscreen.cli.main import app
from redoxscreen.pipeline.demo import run_demo

runner = CliRunner()


def test_enumerate_and_label(tmp_path):
    out = tmp_path / "lib.csv"
    r = runner.invoke(app, ["enumerate", "-o", str(out), "--n", "40", "--seed", "1",
                            "--family", "quinone", "--max-substituents", "1"])
    assert r.exit_code == 0, r.output
    lib = pd.read_csv(out)
    assert len(lib) <= 40 and set(lib["family"]) == {"quinone"}
    small = tmp_path / "few.csv"
    pd.DataFrame({"smiles": list(lib["smiles"][:3]) + ["C1CC("]}).to_csv(small, index=False)
    r = runner.invoke(app, ["label", str(small), "-o", str(tmp_path / "l.csv"), "--workers", "1"])
    assert r.exit_code == 0, r.output
    res = pd.read_csv(tmp_path / "l.csv")
    assert (res["status"] == "ok").sum() == 3 and (res["status"] == "failed").sum() == 1
    r = runner.invoke(app, ["enumerate", "-o", str(out), "--family", "crown-ether"])
    assert r.exit_code == 2 and "unknown core families" in r.output


def test_label_in_solution_writes_potentials(tmp_path):
    pd.DataFrame({"smiles": ["O=C1C=CC(=O)C=C1", "CO"]}).to_csv(tmp_path / "m.csv", index=False)
    out = tmp_path / "s.csv"
    r = runner.invoke(app, ["label", str(tmp_path / "m.csv"), "-o", str(out), "--solvent",
                            "acetonitrile", "--workers", "1"])
    assert r.exit_code == 0, r.output
    res = pd.read_csv(out)
    assert (res["method"] == "tblite:IPEA1-xTB+ALPB(acetonitrile)").all()
    assert (res["e_red_v_li"] - (res["ea_ev"] - 1.40)).abs().max() < 1e-9
    r = runner.invoke(app, ["label", str(tmp_path / "m.csv"), "-o", str(tmp_path / "x.csv"),
                            "--solvent", "propylene carbonate"])
    assert r.exit_code == 2 and "no parameters for propylene carbonate" in " ".join(
        r.stderr.split())


def test_demo_end_to_end_on_toy_data(tmp_path):
    df = toy_frame()
    data = tmp_path / "toy.csv"
    # potentials in acetonitrile, as the built-in dataset's (a line of the gas-phase numbers)
    pd.DataFrame({"smiles": df["smiles"], "e_ox_v_li": df["vie"] - 3.0,
                  "e_red_v_li": -df["vea"] + 1.6}).to_csv(data, index=False)
    result = run_demo(tmp_path / "demo", library_size=400, folds=3, top=3, workers=1,
                      dataset=data, max_epochs=3, campaign_rounds=1, campaign_batch=2)
    assert result.library_molecules == 400
    assert set(result.screen.roles) == {"cathode", "anode"}
    summary = json.loads((tmp_path / "demo" / "demo_summary.json").read_text())
    assert summary["cv_metrics"]["e_ox"]["n"] == len(df)
    meta = json.loads((tmp_path / "demo" / "train" / "model" / "model.json").read_text())
    assert meta["units"] == {"e_ox": "V", "e_red": "V"} and meta["label_solvent"] == (
        "acetonitrile")
    screen_cfg = json.loads((tmp_path / "demo" / "screen" / "config.json").read_text())
    assert "labels" in json.dumps(screen_cfg)  # the model's own potentials: no conversion
    html = (tmp_path / "demo" / "summary.html").read_text()
    assert "Cross-validation" in html and "data:image/png;base64" in html
    assert "ALPB" in html and "no gas-to-solution constant" in html  # says what the labels are
    rounds = summary["campaign"]["rounds"]  # round 0: the xTB check; round 1: two more
    assert [r["round"] for r in rounds] == [0, 1] and rounds[1]["acquisition"] == "pwindow"
    assert rounds[1]["labelled"] == 2 and "Campaign: what to compute next" in html
    for m in result.oracle_check.values():
        assert m.n <= 3
        if m.n:
            assert m.n_labelled >= 1 and m.mae_v >= 0


def test_builtin_dataset_is_shipped_and_clean():
    from redoxscreen.pipeline.demo import builtin_dataset
    from redoxscreen.pipeline.train import load_training_table

    table = load_training_table(builtin_dataset(), ["ie_ev", "ea_ev", "e_ox_v_li:V",
                                                    "e_red_v_li:V"])
    assert len(table) >= 5000 and len(table.report) == 0
    assert 5 < table.y[:, 0].mean() < 11 and -3 < table.y[:, 1].mean() < 4
    # for a neutral molecule the solvent stabilises its cation and anion: E_ox = IE_solv − 1.40 V
    # lies below the gas-phase IE − 1.40, E_red above EA − 1.40 (vs Li/Li⁺); for a cation
    # (viologens, cyclopropeniums) the reduced form is the less solvated one, so not there
    from rdkit import Chem

    neutral = np.array([Chem.GetFormalCharge(Chem.MolFromSmiles(s)) == 0 for s in table.smiles])
    assert neutral.mean() > 0.8
    assert (table.y[neutral, 2] < table.y[neutral, 0] - 1.40).mean() > 0.99
    assert (table.y[neutral, 3] > table.y[neutral, 1] - 1.40).mean() > 0.99
    assert (table.y[~neutral, 3] < table.y[~neutral, 1] - 1.40).mean() > 0.9
    df = pd.read_csv(builtin_dataset())
    assert {"core", "family", "substituents"} <= set(df.columns) and df["family"].nunique() >= 10


def test_demo_command_prints_the_oracle_check(tmp_path, monkeypatch):
    """The CLI's summary lines read the result's fields (a stand-in result, no work)."""
    from types import SimpleNamespace

    import redoxscreen.pipeline.demo as demo_mod
    from redoxscreen.pipeline.demo import OracleCheck

    fake = SimpleNamespace(oracle_check={"cathode": OracleCheck(20, 19, 0.123, 7),
                                         "anode": OracleCheck(0)},
                           seconds=12.0, run_dir=tmp_path)
    monkeypatch.setattr(demo_mod, "run_demo", lambda *a, **k: fake)
    r = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "cathode: top 20 re-labelled with xTB + ALPB, MAE vs prediction 0.123 V, 7 still" in (
        " ".join(r.stdout.split()))
