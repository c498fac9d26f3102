"""The commands end to end on the toy dataset (tiny nets, few epochs), and their bad-input paths."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from redoxscreen.cli.main import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from toydata import toy_frame

    d = tmp_path_factory.mktemp("train")
    data = d / "toy.csv"
    df = toy_frame()
    df.loc[5, "vie"] = np.inf  # a broken label upstream: masked and reported, not a crash
    df.to_csv(data, index=False)
    out = d / "run"
    r = invoke("train", data, "-t", "vie", "-t", "ea=-vea", "--out", out, "--folds", "3",
               "--featurizer", "ecfp:r=2,bits=512+conjugation", "--max-epochs", "40",
               "--split", "random")
    assert r.exit_code == 0, r.output
    assert "1 labels are not finite numbers (first: row 6)" in " ".join(r.stderr.split())
    assert "cross-validation" in r.stderr and "cross-validation" not in r.stdout  # progress
    assert "MAE" in r.stdout and "run folder" in r.stdout  # results
    return data, out


def test_train_writes_a_complete_run_folder(trained):
    _, out = trained
    for name in ("config.json", "versions.json", "data.json", "metrics.json",
                 "oof_predictions.csv", "invalid_rows.csv", "plots/parity_vie.png",
                 "plots/parity_ea.png", "plots/learning_curves.png", "plots/errors_ea.png",
                 "model/model.json", "model/weights.safetensors", "model/oof.csv"):
        assert (out / name).exists(), name
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics["overall"]) == {"vie", "ea"} and len(metrics["per_fold"]) == 3
    # labels are a smooth function of π-system descriptors: CV must beat the mean predictor
    oof = pd.read_csv(out / "oof_predictions.csv")
    for t in ("vie", "ea"):
        baseline = (oof[f"{t}_true"] - oof[f"{t}_true"].mean()).abs().mean()
        assert metrics["overall"][t]["mae"] < 0.6 * baseline
    data = json.loads((out / "data.json").read_text())
    assert len(data["file_sha256"]) == 64 and data["n_molecules"] == len(oof)
    model = json.loads((out / "model" / "model.json").read_text())
    assert len(model["estimator"]["members"]) == 3 and model["targets"] == ["vie", "ea"]
    report = pd.read_csv(out / "invalid_rows.csv")
    assert report[["row", "action"]].values.tolist() == [[6, "masked"]]
    assert oof["vie_true"].isna().sum() == 1 and np.isfinite(oof["ea_true"]).all()
    assert not (out / "cache").exists()  # finished folds are dropped once the model is saved
    assert "torch" in json.loads((out / "versions.json").read_text())


def test_predict_keeps_order_and_reports_invalid(trained, tmp_path):
    _, out = trained
    lib = tmp_path / "lib.csv"
    pd.DataFrame({"name": ["a", "b", "c"], "smiles": ["c1ccccc1", "C1CC(", "Oc1ccccc1"]}).to_csv(
        lib, index=False)
    r = invoke("predict", out / "model", lib, "-o", tmp_path / "p.csv")
    assert r.exit_code == 0, r.output
    p = pd.read_csv(tmp_path / "p.csv", keep_default_na=False)
    assert p["name"].tolist() == ["a", "b", "c"]
    assert {"vie_pred", "vie_std", "ea_pred", "ea_std", "reason"} <= set(p.columns)
    assert p.loc[1, "vie_pred"] == "" and "syntax" in p.loc[1, "reason"]
    assert float(p.loc[0, "vie_pred"]) > 0


def test_evaluate(trained, tmp_path):
    data, out = trained
    r = invoke("evaluate", out / "model", data, "-t", "vie", "-t", "ea=-vea", "--out",
               tmp_path / "ev")
    assert r.exit_code == 0, r.output
    m = json.loads((tmp_path / "ev" / "metrics.json").read_text())["overall"]
    assert m["vie"]["r2"] > 0.5  # in-sample for the ensemble
    r = invoke("evaluate", out / "model", data, "-t", "homo=vie", "--out", tmp_path / "ev2")
    assert r.exit_code == 2 and "predicts vie, ea" in r.output


def test_search_runs_a_grid_file_and_saves_the_best(trained, tmp_path):
    data, _ = trained
    grid = tmp_path / "g.yaml"
    grid.write_text("preset: default\nfolds: 2\nproduct:\n  radius: [1, 2]\n  n_bits: [256]\n"
                    "  hidden_layer_sizes: [[32]]\n")
    r = invoke("search", data, "-t", "vie", "--grid", grid, "--folds", "2", "--max-epochs", "3",
               "--out", tmp_path / "s")
    assert r.exit_code == 0, r.output
    res = pd.read_csv(tmp_path / "s" / "search_results.csv")
    assert len(res) == 2 and res["val_mae"].is_monotonic_increasing
    assert (tmp_path / "s" / "model" / "model.json").exists()
    best = json.loads((tmp_path / "s" / "best_config.json").read_text())
    assert json.loads(res.loc[0, "config_json"]) == best
    # the configurations are trials of a study: a rerun scores none of them again
    r = invoke("search", data, "-t", "vie", "--grid", grid, "--folds", "2", "--max-epochs", "3",
               "--out", tmp_path / "s")
    assert r.exit_code == 0, r.output
    again = pd.read_csv(tmp_path / "s" / "search_results.csv")
    pd.testing.assert_frame_equal(again, res)  # fit seconds included: nothing was refitted



def test_train_another_model_of_the_zoo_and_predict_with_it(trained, tmp_path):
    data, _ = trained
    out = tmp_path / "rf"
    r = invoke("train", data, "-t", "vie", "--out", out, "--folds", "3", "--split", "random",
               "--featurizer", "ecfp:r=2,bits=512+conjugation", "--model", "rf",
               "--set", "n_estimators=40", "--set", "max_features=0.5")
    assert r.exit_code == 0, r.output
    model = json.loads((out / "model" / "model.json").read_text())
    members = model["estimator"]["members"]
    assert len(members) == 3 and "n_estimators" in json.dumps(members[0])
    config = json.loads((out / "config.json").read_text())
    assert config["options"]["model"] == "rf"
    assert config["options"]["params"] == {"n_estimators": 40, "max_features": 0.5}
    oof = pd.read_csv(out / "oof_predictions.csv")
    mae = (oof["vie_true"] - oof["vie_pred"]).abs().mean()
    assert mae < 0.7 * (oof["vie_true"] - oof["vie_true"].mean()).abs().mean()
    lib = tmp_path / "lib.smi"
    lib.write_text("c1ccccc1\nOc1ccccc1\n")
    r = invoke("predict", out / "model", lib, "-o", tmp_path / "p.csv")
    assert r.exit_code == 0, r.output
    pred = pd.read_csv(tmp_path / "p.csv")
    assert pred["vie_pred"].notna().all() and pred["vie_std"].gt(0).all()


@pytest.mark.parametrize("args,message", [
    (["--model", "rf", "--set", "n_trees=5"], "model 'rf' has no setting 'n_trees'; its "
     "settings: bootstrap"),
    (["--model", "rf", "--set", "n_estimators"], "write SETTING=VALUE, e.g. n_estimators=500"),
    (["--model", "xgb"], "unknown model 'xgb'; known: dmpnn, et, fcnn"),
    (["--model", "ensemble"], "unknown model 'ensemble'"),  # a building block, not a choice
])
def test_bad_model_settings_fail_before_any_fit(trained, tmp_path, args, message):
    data, _ = trained
    r = invoke("train", data, "-t", "vie", "--out", tmp_path / "o", *args)
    assert r.exit_code == 2 and message in " ".join(r.output.split()), r.output
    assert not (tmp_path / "o" / "metrics.json").exists()

@pytest.mark.parametrize("content,args,message", [
    ("", ["-t", "vie"], "the file is empty"),
    ("smiles,vie\nCCO,1\nCCC,2\n", ["-t", "vx"], "no column 'vx'"),
    ("smiles,vie\nCCO,1\nCCC,oops\n", ["-t", "vie"], "non-numeric labels at row 2"),
    ("smiles,vie\nxx,1\nyy,2\n", ["-t", "vie"], "none of the 2 rows holds valid SMILES"),
    ("smiles,vie\nCCO,1\n", ["-t", "vie", "--folds", "8"], "has 1 molecule; 8-fold"),
])
def test_bad_input_gives_one_clear_error(tmp_path, content, args, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    r = invoke("train", path, *args, "--out", tmp_path / "o")
    assert r.exit_code == 2
    assert message in " ".join(r.output.split())
    assert "Traceback" not in r.output
    assert str(path) in " ".join(r.output.split()).replace("\n", "") or "folds" in message
