"""A model defined and registered in this file — nothing in ``src/`` knows it — is trained,
listed, saved, loaded, predicted, compared and screened (in worker processes too) by the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin
from typer.testing import CliRunner

from redoxscreen.cli.main import app
from redoxscreen.electrochem import PotentialConversion
from redoxscreen.models import load_model, register_model

runner = CliRunner()


@register_model("toy", reads="features")
class ToyRegressor(RegressorMixin, BaseEstimator):
    """Ridge regression in closed form, one target at a time on its labelled rows."""

    def __init__(self, alpha: float = 1.0, seed: int = 0):
        self.alpha = alpha
        self.seed = seed

    def fit(self, X, y):
        X = X.toarray() if sp.issparse(X) else np.asarray(X, float)
        Y = np.asarray(y, float)
        self.y_1d_ = Y.ndim == 1
        Y = Y.reshape(len(Y), -1)
        self.mean_, self.scale_ = X.mean(axis=0), X.std(axis=0) + 1e-9
        Z = (X - self.mean_) / self.scale_
        self.coef_, self.intercept_ = np.zeros((X.shape[1], Y.shape[1])), np.zeros(Y.shape[1])
        for j in range(Y.shape[1]):
            ok = np.isfinite(Y[:, j])
            A, b = Z[ok], Y[ok, j]
            self.intercept_[j] = b.mean()
            self.coef_[:, j] = np.linalg.solve(A.T @ A + self.alpha * np.eye(A.shape[1]),
                                               A.T @ (b - b.mean()))
        return self

    def predict(self, X):
        X = X.toarray() if sp.issparse(X) else np.asarray(X, float)
        P = ((X - self.mean_) / self.scale_) @ self.coef_ + self.intercept_
        return P.ravel() if self.y_1d_ else P


def invoke(*args, **kw):
    return runner.invoke(app, [str(a) for a in args], **kw)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from toydata import toy_frame

    d = tmp_path_factory.mktemp("toy")
    toy_frame().to_csv(d / "toy.csv", index=False)
    r = invoke("train", d / "toy.csv", "-t", "vie", "-t", "ea=-vea", "--model", "toy",
               "--set", "alpha=0.5", "--featurizer", "conjugation", "--folds", "3",
               "--split", "random", "--out", d / "run")
    assert r.exit_code == 0, r.output
    return d


def test_the_toy_model_is_listed_trained_and_saved_without_pickle(trained):
    r = invoke("models", "--json")
    toy = next(m for m in json.loads(r.stdout) if m["name"] == "toy")
    assert toy["reads"] == "features" and toy["settings"] == {"alpha": 1.0}
    meta = json.loads((trained / "run" / "model" / "model.json").read_text())
    members = meta["estimator"]["members"]
    assert [m["name"] for m in members] == ["toy"] * 3
    assert [m["params"]["alpha"] for m in members] == [0.5] * 3
    assert [m["params"]["seed"] for m in members] == [0, 1, 2]  # fold k: seed + k
    oof = pd.read_csv(trained / "run" / "oof_predictions.csv")
    for t in ("vie", "ea"):  # the labels are a linear function of two conjugation columns
        assert (oof[f"{t}_true"] - oof[f"{t}_pred"]).abs().mean() < 0.15
    r = invoke("train", trained / "toy.csv", "-t", "vie", "--model", "toy", "--set", "beta=1",
               "--out", trained / "bad")
    assert r.exit_code == 2 and "model 'toy' has no setting 'beta'; its settings: alpha" in \
        " ".join(r.output.split())


def test_the_saved_toy_model_loads_predicts_and_compares(trained, tmp_path):
    model = load_model(trained / "run" / "model")
    assert all(isinstance(m, ToyRegressor) for m in model.estimator.estimators_)
    lib = tmp_path / "lib.csv"
    pd.DataFrame({"smiles": ["c1ccccc1O", "C1CC(", "c1ccc2ccccc2c1"]}).to_csv(lib, index=False)
    r = invoke("predict", trained / "run" / "model", lib, "-o", tmp_path / "p.csv")
    assert r.exit_code == 0, r.output
    pred = pd.read_csv(tmp_path / "p.csv")
    expected = model.predict_smiles(["c1ccccc1O", "c1ccc2ccccc2c1"])
    np.testing.assert_allclose(pred["vie_pred"].dropna(), expected["vie_pred"])
    assert pred["reason"].notna().tolist() == [False, True, False]
    r = invoke("compare", trained / "toy.csv", "-t", "vie", "--models", "toy,ridge",
               "--featurizer", "conjugation", "--split", "random", "--scheme", "kfold",
               "--folds", "3", "--set", "toy.alpha=2", "--out", tmp_path / "zoo")
    assert r.exit_code == 0, r.output
    board = pd.read_csv(tmp_path / "zoo" / "leaderboard.csv")
    assert {"toy", "ridge", "stack"} <= set(board.model) and board.mae.lt(0.2).all()


@pytest.mark.parametrize("workers", [1, 2])
def test_the_toy_model_screens_in_this_process_and_in_workers(trained, tmp_path, workers):
    from toydata import toy_frame

    lib = tmp_path / "lib.smi"
    lib.write_text("\n".join(toy_frame()["smiles"].tolist()[:300] + ["not_a_smiles"]) + "\n")
    conv = tmp_path / "conv.json"
    PotentialConversion.solvation(-5.0, 2.2).save(conv)
    r = invoke("screen", trained / "run" / "model", lib, "--workers", workers, "--chunk-size",
               "100", "--collector", "Al", "--conversion", conv, "--out", tmp_path / "s")
    assert r.exit_code == 0, r.output
    res = pd.read_parquet(tmp_path / "s" / "results.parquet")
    assert len(res) == 301 and res["valid"].sum() == 300 and res["row"].tolist()[-1] == 301
    expected = load_model(trained / "run" / "model").predict_smiles(res["smiles"][:300])
    np.testing.assert_allclose(res["vie_pred"][:300], expected["vie_pred"], rtol=1e-9)
    ok = res[res["valid"]]
    assert ok["cathode_pass"].any() and not res["cathode_pass"].iloc[-1]
    assert (ok["e_ox_lo_v_li"] < ok["e_ox_hi_v_li"]).all()


@register_model("flaky", reads="features")
class FlakyRegressor(ToyRegressor):
    """The toy ridge, killed (as by Ctrl-C) when it fits the fold whose seed is ``FAIL_AT``."""

    FAIL_AT: int | None = None
    FITTED: list[int] = []

    def fit(self, X, y):
        if self.seed == FlakyRegressor.FAIL_AT:
            raise KeyboardInterrupt
        FlakyRegressor.FITTED.append(self.seed)
        return super().fit(X, y)


def test_an_interrupted_train_resumes_at_the_fold_in_progress(trained):
    args = ("train", trained / "toy.csv", "-t", "vie", "--model", "flaky", "--featurizer",
            "conjugation", "--folds", "4", "--split", "random", "--out", trained / "flaky")
    FlakyRegressor.FAIL_AT, FlakyRegressor.FITTED[:] = 2, []
    r = invoke(*args)
    assert r.exit_code == 130 and "finished steps are kept" in r.stderr
    assert FlakyRegressor.FITTED == [0, 1]
    assert sorted(p.name for p in next((trained / "flaky" / "cache").iterdir()).iterdir()) == [
        "fold0", "fold1"]
    FlakyRegressor.FAIL_AT, FlakyRegressor.FITTED[:] = None, []
    r = invoke(*args)
    assert r.exit_code == 0, r.output
    assert FlakyRegressor.FITTED == [2, 3]  # folds 0 and 1 were read back, not refitted
    oof = pd.read_csv(trained / "flaky" / "oof_predictions.csv")
    assert sorted(oof["fold"].unique()) == [0, 1, 2, 3] and oof["vie_pred"].notna().all()
    assert not (trained / "flaky" / "cache").exists()
