"""``finetune``: a small set on top of a base model — strategies compared by CV, the chosen one
saved with its own out-of-fold table, intervals recalibrated on the small set."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from redoxscreen.cli.main import app
from redoxscreen.models import load_model
from redoxscreen.oracle.base import ORACLES, OracleResult
from redoxscreen.pipeline.finetune import FinetuneOptions, run_finetune
from redoxscreen.pipeline.train import TrainOptions, run_train

runner = CliRunner()


@pytest.fixture(scope="module")
def base(tmp_path_factory, toy_df):
    d = tmp_path_factory.mktemp("base")
    toy_df.to_csv(d / "big.csv", index=False)
    opts = TrainOptions(params={"hidden_layer_sizes": "64,32"}, max_epochs=30, folds=3,
                        featurizer="ecfp:r=2,bits=512", split="random")
    return run_train(d / "big.csv", ["vie", "ea=-vea"], d / "run", options=opts).model_dir


@pytest.fixture()
def small(tmp_path, toy_df):
    """A 'measured potential' that is a line of the base's target plus noise."""
    rng = np.random.default_rng(3)
    d = toy_df.sample(60, random_state=1)
    path = tmp_path / "small.csv"
    pd.DataFrame({"smiles": d["smiles"], "E": 0.7 * d["vie"] - 2.0
                  + rng.normal(0, 0.03, len(d))}).to_csv(path, index=False)
    return path


def test_auto_chooses_by_cv_and_saves_a_model_with_recalibrated_intervals(tmp_path, base,
                                                                          small, toy_df):
    res = run_finetune(base, small, ["e_ox=E:V"], tmp_path / "ft",
                       options=FinetuneOptions(label_solvent="acetonitrile"))
    assert set(res.cv) == {"linear", "stack", "finetune"}
    assert res.chosen == min(res.cv, key=lambda s: res.cv[s].mae)
    y = pd.read_csv(small)["E"]
    mad = float(np.mean(np.abs(y - y.mean())))
    assert res.cv["linear"].mae < 0.65 * mad  # the line on the base's vie explains much of it
    meta = json.loads((res.model_dir / "model.json").read_text())
    assert meta["units"] == {"e_ox": "V"} and meta["label_solvent"] == "acetonitrile"
    assert meta["transfer"]["strategy"] == res.chosen
    assert set(meta["transfer"]["strategies"]) == set(res.cv)
    oof = pd.read_csv(res.model_dir / "oof.csv")
    assert sorted(oof["fold"].unique()) == [0, 1, 2, 3, 4] and len(oof) == 60
    model = load_model(res.model_dir)
    assert len(model.estimator.estimators_) == 5  # the fold heads are the members (CV+)
    out = tmp_path / "pred.csv"
    r = runner.invoke(app, ["predict", str(res.model_dir), str(small), "-o", str(out)])
    assert r.exit_code == 0, r.output
    pred = pd.read_csv(out)
    assert {"e_ox_pred", "e_ox_lo", "e_ox_hi", "e_ox_std"} <= set(pred.columns)
    assert (pred["e_ox_lo"] < pred["e_ox_pred"]).all() and (
        pred["e_ox_pred"] < pred["e_ox_hi"]).all()
    # the interval's half-width is the small set's residual scale, not the base model's
    half = float((pred["e_ox_hi"] - pred["e_ox_lo"]).mean() / 2)
    assert 0.5 * res.cv[res.chosen].mae < half < 8 * res.cv[res.chosen].mae
    r = runner.invoke(app, ["predict", str(res.model_dir), str(small), "-o", str(out),
                            "--coverage", "0"])
    assert "e_ox_lo" not in pd.read_csv(out).columns
    # screen reads the transferred potentials as potentials, with the same CV+ intervals
    lib = tmp_path / "lib.smi"
    lib.write_text("\n".join(pd.read_csv(small)["smiles"]) + "\n")
    r = runner.invoke(app, ["screen", str(res.model_dir), str(lib), "--role", "cathode",
                            "--workers", "1", "--out", str(tmp_path / "scr")])
    assert r.exit_code == 0, r.output
    scr = pd.read_parquet(tmp_path / "scr" / "results.parquet")
    assert scr["e_ox_v_li"].to_numpy() == pytest.approx(scr["e_ox_pred"].to_numpy())
    assert scr["e_ox_lo_v_li"].to_numpy() == pytest.approx(pred["e_ox_lo"].to_numpy(),
                                                           abs=1e-6)


@pytest.mark.parametrize("strategy", ["linear", "stack", "finetune"])
def test_each_strategy_reloads_to_the_same_predictions(tmp_path, base, small, toy_df, strategy):
    res = run_finetune(base, small, ["e_ox=E:V"], tmp_path / strategy,
                       options=FinetuneOptions(strategy=strategy, folds=3))
    assert res.chosen == strategy and list(res.cv) == [strategy]
    smiles = list(toy_df["smiles"].head(25))
    a = load_model(res.model_dir).predict_smiles(smiles)
    b = load_model(res.model_dir).predict_smiles(smiles)
    assert np.isfinite(a["e_ox_pred"]).all()
    assert a["e_ox_pred"].to_numpy() == pytest.approx(b["e_ox_pred"].to_numpy())


class LineOracle:
    """A test oracle: a potential that is a known line of the toy data's hidden truth."""

    name = "line-oracle"
    targets = ("ie_ev", "ea_ev", "e_ox_v_li", "e_red_v_li")
    truth: dict = {}

    def label(self, smiles):
        v = self.truth.get(smiles)
        if v is None:
            return OracleResult.failed(smiles, "unknown", self.name)
        return OracleResult(smiles, v + 4.0, 1.0, "ok", "", 0.0, self.name, v, 0.0)


def test_delta_reads_the_oracle_and_runs_it_again_at_prediction(tmp_path, base, small, toy_df):
    d = pd.read_csv(small)
    LineOracle.truth = dict(zip(toy_df["smiles"], 0.7 * toy_df["vie"] - 2.0, strict=True))
    ORACLES.add("line-oracle", LineOracle, reads="smiles")
    try:
        res = run_finetune(base, small, ["e_ox=E:V"], tmp_path / "delta",
                           options=FinetuneOptions(strategy="delta", oracle="line-oracle"))
        assert res.cv["delta"].mae < 0.06  # the oracle is the truth up to the label noise
        assert (tmp_path / "delta" / "oracle_labels.csv").exists()
        pred = load_model(res.model_dir).predict_smiles(list(d["smiles"]))
        assert np.abs(pred["e_ox_pred"] - d["E"]).mean() < 0.06
    finally:
        ORACLES._parts.pop("line-oracle", None)


def test_finetune_cli_reports_the_strategies_and_refuses_bad_requests(tmp_path, base, small):
    r = runner.invoke(app, ["finetune", str(base), str(small), "-t", "e_ox=E:V", "--strategy",
                            "linear", "-o", str(tmp_path / "c")])
    assert r.exit_code == 0, r.output
    assert "linear" in r.stdout and "chosen" in r.stdout
    r = runner.invoke(app, ["finetune", str(base), str(small), "-t", "e_ox=E:V", "--strategy",
                            "delta", "-o", str(tmp_path / "d")])
    assert r.exit_code == 2 and "needs --oracle" in r.stderr
    r = runner.invoke(app, ["finetune", str(base), str(small), "-t", "e_ox=E:V", "--strategy",
                            "magic", "-o", str(tmp_path / "e")])
    assert r.exit_code == 2 and "unknown strategy 'magic'" in r.stderr
    r = runner.invoke(app, ["finetune", str(base), str(small), "-t", "e_ox=E:V", "--folds", "40",
                            "-o", str(tmp_path / "f")])
    assert r.exit_code == 2 and "lower --folds" in " ".join(r.stderr.split())
    r = runner.invoke(app, ["finetune", str(base), str(small), "-t", "e_ox=E:V", "--set",
                            "kernel=ridge", "-o", str(tmp_path / "g")])
    assert r.exit_code == 2 and "named --strategy" in r.stderr
