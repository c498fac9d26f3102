"""``redoxscreen compare`` end to end: leaderboard, stacking, saved stack, tabular mode, tuning."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from redoxscreen.cli.main import app

runner = CliRunner()
FAST = ["--set", "rf.n_estimators=40", "--set", "lgbm.n_estimators=80", "--max-epochs", "8"]


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    from toydata import toy_frame

    d = tmp_path_factory.mktemp("compare")
    data = d / "toy.csv"
    toy_frame().to_csv(data, index=False)
    out = d / "run"
    r = invoke("compare", data, "-t", "vie", "-t", "ea=-vea", "--models", "ridge,rf,lgbm,fcnn",
               "--featurizer", "ecfp:r=2,bits=512+conjugation", "--folds", "3", *FAST,
               "--n-jobs", "2", "--fold-jobs", "2", "--out", out)  # folds in worker processes
    assert r.exit_code == 0, r.output
    return data, out


def test_leaderboard_covers_every_split_scheme_model_and_target(compared):
    _, out = compared
    board = pd.read_csv(out / "leaderboard.csv")
    stack = ["stack"]
    assert board[board.model == "stack"].members.str.count(r"\+").eq(2).all()
    for kind in ("random", "scaffold"):
        for scheme in ("kfold", "holdout"):
            part = board[(board.split == kind) & (board.scheme == scheme)]
            models = {"ridge", "rf", "lgbm", "fcnn"} | (set(stack) if scheme == "kfold" else set())
            assert set(part.model) == models, (kind, scheme)
            assert set(part.target) == {"vie", "ea"}
            assert (part.groupby("target")["rank"].min() == 1).all()
            assert part.mae.between(0.0, 2.0).all() and (part.fit_s > 0).all()
    rand = board[board.split == "random"]
    assert rand[rand.scheme == "holdout"].n.max() < 0.35 * rand[rand.scheme == "kfold"].n.max()
    for kind in ("random", "scaffold"):
        for t in ("vie", "ea"):
            assert (out / "plots" / f"parity_{kind}_kfold_{t}.png").stat().st_size > 5000


def test_stack_is_no_worse_than_its_best_member_and_is_saved(compared):
    data, out = compared
    board = pd.read_csv(out / "leaderboard.csv")
    kf = board[(board.split == "random") & (board.scheme == "kfold")]
    stack = kf[kf.model == "stack"].groupby("target").mae.first()
    best = kf[kf.model != "stack"].groupby("target").mae.min()
    assert (stack <= best * 1.05).all(), (stack, best)
    from redoxscreen.models import load_model

    model = load_model(out / "model")
    assert type(model.estimator).__name__ == "StackedRegressor"
    assert len(model.estimator.predict_members(model.featurizer.transform(["c1ccccc1O"]))) == 3
    r = invoke("predict", out / "model", data, "-o", out / "pred.csv")
    assert r.exit_code == 0, r.output
    pred = pd.read_csv(out / "pred.csv")
    assert pred["vie_pred"].notna().all() and pred["vie_std"].notna().all()


def test_tabular_mode_with_tuning_and_feature_curve(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 6))
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(6)])
    df["tg_k"] = 300 + 40 * df.x0 - 25 * df.x1 + rng.normal(0, 2, 120)
    df.to_csv(tmp_path / "formulations.csv", index=False)
    out = tmp_path / "run"
    r = invoke("compare", tmp_path / "formulations.csv", "-t", "tg=tg_k:k", "--features", "all",
               "--models", "ridge,svr", "--split", "random,scaffold", "--scheme", "kfold",
               "--folds", "3", "--tune", "4", "--feature-counts", "1,2,4,6", "--unit", "K",
               "--combine", "average", "--out", out)
    assert r.exit_code == 0, r.output
    board = pd.read_csv(out / "leaderboard.csv")
    assert set(board.split) == {"random"}  # no SMILES: no scaffold split
    pred = pd.read_csv(out / "predictions_random_kfold.csv")
    np.testing.assert_allclose(pred.tg_pred_average, (pred.tg_pred_ridge + pred.tg_pred_svr) / 2)
    assert "C" in json.loads(board[board.model == "svr"].tuned_params.iloc[0])[0]
    ridge = board[board.model == "ridge"].mae.iloc[0]
    assert ridge < 3.0  # a linear truth with noise σ = 2 K
    curve = pd.read_csv(out / "feature_counts.csv")
    assert list(curve.k) == [1, 2, 4, 6]
    assert curve.tg_mae.iloc[1] < 0.5 * curve.tg_mae.iloc[0]  # x0 and x1 carry the signal
    assert (out / "plots" / "feature_counts.png").exists()
    import optuna

    storage = f"sqlite:///{out / 'optuna.sqlite3'}"
    names = {s.study_name for s in optuna.get_all_study_summaries(storage)}
    assert "random-kfold-svr-fold0" in names
    # a second run in the same folder resumes: finished trials are not run again
    before = len(optuna.load_study(study_name="random-kfold-svr-fold0", storage=storage).trials)
    r = invoke("compare", tmp_path / "formulations.csv", "-t", "tg=tg_k:k", "--features", "all",
               "--models", "ridge,svr", "--split", "random", "--scheme", "kfold", "--folds", "3",
               "--tune", "4", "--out", out)
    assert r.exit_code == 0, r.output
    after = len(optuna.load_study(study_name="random-kfold-svr-fold0", storage=storage).trials)
    assert after == before == 4
    again = pd.read_csv(out / "leaderboard.csv")  # finished model runs came from DIR/cache
    assert again[again.model == "svr"].fit_s.iloc[0] == board[board.model == "svr"].fit_s.iloc[0]
    assert len(list((out / "cache").iterdir())) == 2
    assert not (out / "model").exists()  # tabular models are not screenable models


def test_bad_tabular_input_names_rows_and_fix(tmp_path):
    df = pd.DataFrame({"a": [1.0, None, 3.0, 4.0], "b": [1, 2, 3, 4], "y": [1.0, 2.0, 3.0, 4.0]})
    df.to_csv(tmp_path / "t.csv", index=False)
    r = invoke("compare", tmp_path / "t.csv", "-t", "y:none", "--features", "a,b",
               "--out", tmp_path / "o")
    assert r.exit_code == 2
    assert "lines [3]" in r.output and "'a'" in r.output
    r = invoke("compare", tmp_path / "t.csv", "-t", "y:none", "--features", "b", "--set", "rf",
               "--out", tmp_path / "o2")
    assert r.exit_code == 2 and "MODEL.PARAM=VALUE" in r.output


def test_saved_stack_screens_with_conformal_intervals(compared, tmp_path):
    from redoxscreen.electrochem import PotentialConversion
    from redoxscreen.screen import ScreenSettings, run_screen

    _, out = compared
    lib = tmp_path / "lib.smi"
    lib.write_text("c1ccccc1O\nO=C1C=CC(=O)C=C1\nnot_a_smiles\nc1ccc2ccccc2c1N\n")
    settings = ScreenSettings(roles=["cathode", "anode"], collector="Al", n_workers=1,
                              uncertainty="conformal", chunk_size=2,
                              conversion=PotentialConversion.solvation(-5.0, 2.2).to_dict())
    summary = run_screen(out / "model", lib, tmp_path / "s", settings)
    res = pd.read_parquet(tmp_path / "s" / "results.parquet")
    assert summary.molecules == 4 and summary.invalid == 1
    good = res[res.valid]
    assert (good.e_ox_lo_v_li < good.e_ox_v_li).all() and (good.e_ox_v_li < good.e_ox_hi_v_li).all()
    assert good.vie_std.gt(0).all()  # three fold stacks disagree a little
