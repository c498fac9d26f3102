"""The applicability domain end to end: saved with the model, a column of every prediction,
and out-of-domain molecules never ranked as candidates unless asked."""

import json

import pandas as pd
from typer.testing import CliRunner

from redoxscreen.cli.main import app

runner = CliRunner()
STRANGE = ["[U]", "[Na+].[Cl-]", "[Pt](Cl)(Cl)(N)N"]


def test_the_model_folder_holds_its_domain(toy_model_dir):
    card = json.loads((toy_model_dir / "model.json").read_text())["domain"]
    assert card["molecules"] > 100 and "U" not in card["elements"]
    assert 0 <= card["out_similarity"] <= card["edge_similarity"] <= 1
    assert card["error_by_similarity"] and "rule" in card
    assert (toy_model_dir / "domain.safetensors").exists()


def test_predict_flags_what_the_model_has_not_seen(toy_model_dir, toy_df, tmp_path):
    lib = tmp_path / "lib.csv"
    pd.DataFrame({"smiles": STRANGE + toy_df["smiles"].head(5).tolist()}).to_csv(lib,
                                                                              index=False)
    r = runner.invoke(app, ["predict", str(toy_model_dir), str(lib), "-o",
                            str(tmp_path / "p.csv")])
    assert r.exit_code == 0, r.output
    p = pd.read_csv(tmp_path / "p.csv")
    assert p["domain"].tolist()[:3] == ["out"] * 3
    assert "unseen element U" in p["domain_reason"][0]
    assert "multi-fragment input" in p["domain_reason"][1]
    assert "unseen element Pt" in p["domain_reason"][2]
    assert (p["domain"][3:] == "in").all() and (p["nn_similarity"][3:] == 1.0).all()


def test_out_of_domain_molecules_never_pass_unless_allowed(toy_model_dir, toy_df, tmp_path):
    lib = tmp_path / "lib.smi"
    lib.write_text("\n".join(STRANGE + toy_df["smiles"].head(30).tolist()) + "\n")
    runs = {}
    for allow in (False, True):
        out = tmp_path / f"s{allow}"
        args = ["screen", str(toy_model_dir), str(lib), "--role", "cathode", "--workers", "1",
                "--solvent", "acetonitrile", "--out", str(out)]
        r = runner.invoke(app, args + (["--allow-out-of-domain"] if allow else []))
        assert r.exit_code == 0, r.output
        runs[allow] = pd.read_parquet(out / "results.parquet")
        summary = json.loads((out / "summary.json").read_text())
        assert summary["domain"]["out"] >= 3
    strict, loose = runs[False], runs[True]
    odd = strict["domain"] == "out"
    assert odd[:3].all() and not strict.loc[odd, "cathode_pass"].any()
    assert (loose["cathode_pass"] == loose["cathode_in_window"]).all()  # allowed: window only
