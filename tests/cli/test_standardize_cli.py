"""Standardisation in train and predict: recorded on the card, reported per row, applied the
same way to the molecules predicted (a salt is predicted as its organic ion)."""

import json

import pandas as pd
from typer.testing import CliRunner

from redoxscreen.cli.main import app

runner = CliRunner()


def test_train_records_and_predict_repeats_the_standardisation(tmp_path, toy_df):
    df = toy_df[["smiles", "vie"]].head(60).copy()
    df.loc[0, "smiles"] = df.loc[0, "smiles"] + ".[Na+].[Cl-]"  # a salt in the table
    data = tmp_path / "d.csv"
    df.to_csv(data, index=False)
    r = runner.invoke(app, ["train", str(data), "-t", "vie", "--model", "ridge", "--folds", "3",
                            "--split", "random", "--featurizer", "ecfp:r=2,bits=512",
                            "--out", str(tmp_path / "t")])
    assert r.exit_code == 0, r.output
    card = json.loads((tmp_path / "t" / "model" / "model.json").read_text())
    assert card["standardize"] == {"largest_fragment": True, "uncharge": False,
                                   "strip_isotopes": False}
    report = pd.read_csv(tmp_path / "t" / "invalid_rows.csv")
    row = report[report["action"] == "standardized"]
    assert row["row"].tolist() == [1]
    assert "kept the largest organic fragment" in row["reason"].iloc[0]
    parent = toy_df["smiles"].iloc[0]
    lib = tmp_path / "lib.csv"
    pd.DataFrame({"smiles": [parent, parent + ".Cl", "[Na+].[Cl-]"]}).to_csv(lib, index=False)
    r = runner.invoke(app, ["predict", str(tmp_path / "t" / "model"), str(lib), "-o",
                            str(tmp_path / "p.csv")])
    assert r.exit_code == 0, r.output
    p = pd.read_csv(tmp_path / "p.csv")
    assert p["smiles"].tolist()[:2] == [parent, parent + ".Cl"]  # the input is kept
    assert p.loc[1, "vie_pred"] == p.loc[0, "vie_pred"]
    assert "kept the largest organic fragment" in p.loc[1, "standardization"]
    assert p["vie_pred"].isna().tolist()[2] and "no organic fragment" in p.loc[2, "reason"]
    r = runner.invoke(app, ["train", str(data), "-t", "vie", "--model", "ridge", "--folds", "3",
                            "--split", "random", "--featurizer", "ecfp:r=2,bits=512",
                            "--no-standardize", "--out", str(tmp_path / "n")])
    assert r.exit_code == 0, r.output
    card = json.loads((tmp_path / "n" / "model" / "model.json").read_text())
    assert card["standardize"] is None
    report = pd.read_csv(tmp_path / "n" / "invalid_rows.csv")
    assert "standardized" not in set(report["action"])
