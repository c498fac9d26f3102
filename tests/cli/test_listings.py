"""Listings: on stdout (pipeable), readable at 80 columns, and as JSON; help lists from the
registries."""

import json
import re

from typer.testing import CliRunner

from redoxscreen.cli.main import app

runner = CliRunner()


def test_solvents_go_to_stdout_and_fit_80_columns():
    r = runner.invoke(app, ["solvents"], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert r.stderr == ""  # `redoxscreen solvents | grep DMC` sees everything
    assert "dimethyl carbonate (DMC)" in r.stdout
    lines = r.stdout.splitlines()
    header = next(line for line in lines if "name" in line and "kind" in line)
    assert "…" not in header and "red. V" in header and "ox. V" in header
    table = lines[: lines.index(next(x for x in lines if x.startswith("└"))) + 1]
    assert max(len(x) for x in table) <= 80


def test_solvents_json_is_the_window_table():
    r = runner.invoke(app, ["solvents", "--json"])
    assert r.exit_code == 0 and r.stderr == ""
    rows = {row["name"]: row for row in json.loads(r.stdout)}
    assert rows["acetonitrile"]["reduction_limit_v"] == -2.6
    assert rows["Al"]["oxidation_limit_v"] == 4.7 and rows["Al"]["reduction_limit_v"] is None
    assert all(row["source"] for row in rows.values())


def test_models_and_featurizers_list_what_is_registered():
    r = runner.invoke(app, ["models", "--json"])
    assert r.exit_code == 0, r.output
    models = {m["name"]: m for m in json.loads(r.stdout)}
    assert {"fcnn", "ridge", "rf", "lgbm", "gp", "dmpnn"} <= set(models)
    assert "ensemble" not in models and "zoo" not in models  # building blocks are not listed
    assert models["rf"]["settings"]["n_estimators"] == 300  # our default, not the library's
    assert models["dmpnn"]["reads"] == "smiles" and models["fcnn"]["reads"] == "features"
    assert models["fcnn"]["settings"]["dropout"] == 0.1 and "seed" not in models["fcnn"]["settings"]
    table = runner.invoke(app, ["models"], env={"COLUMNS": "120"})
    assert table.exit_code == 0 and "lgbm" in table.stdout and "LightGBM" in table.stdout
    r = runner.invoke(app, ["featurizers", "--json"])
    feats = {f["name"]: f for f in json.loads(r.stdout)}
    assert set(feats) == {"atompair", "conjugation", "ecfp", "maccs", "rdkit2d", "torsion"}
    assert feats["ecfp"]["options"]["aliases"] == {"r": "radius", "bits": "n_bits"}
    assert feats["ecfp"]["settings"]["radius"] == 2
    assert models["tanimoto-gp"]["settings"] == {"max_train": 5000}
    r = runner.invoke(app, ["acquisitions", "--json"])
    acq = {a["name"]: a for a in json.loads(r.stdout)}
    assert {"random", "greedy", "ucb", "ei", "pi", "thompson", "maxvar", "pwindow"} <= set(acq)
    assert acq["ucb"]["settings"] == {"beta": 2.0}
    r = runner.invoke(app, ["campaign", "propose", "--help"], env={"COLUMNS": "200"})
    assert "pwindow" in r.stdout and "{acquisitions}" not in r.stdout


def test_help_lists_come_from_the_registries():
    r = runner.invoke(app, ["train", "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0
    text = " ".join(r.stdout.split()).replace("│ ", "")
    names = re.search(r"--model\b.*?(\w+(?:, \w+)+)", text).group(1).split(", ")
    # every registered model, by name (a test file may have registered more)
    assert {"dmpnn", "et", "fcnn", "gp", "krr", "lasso", "lgbm", "rf", "ridge", "svr"} <= set(
        names) and names == sorted(names)
    assert "atompair, conjugation, ecfp, maccs, rdkit2d, torsion" in text
    r = runner.invoke(app, ["screen", "--help"], env={"COLUMNS": "200"})
    assert "conformal, ensemble, global" in " ".join(r.stdout.split())
