"""The chemprop D-MPNN wrapper (optional extra: skipped without chemprop)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("chemprop")

from redoxscreen.features import make_featurizer  # noqa: E402
from redoxscreen.models import EnsembleRegressor, RedoxModel, load_model  # noqa: E402
from redoxscreen.models.dmpnn import DMPNNRegressor  # noqa: E402
from redoxscreen.runtime.errors import ConfigError  # noqa: E402
from redoxscreen.screen import ScreenSettings, run_screen  # noqa: E402


def _saved_and_loaded(est: DMPNNRegressor, tmp_path) -> DMPNNRegressor:
    """``est`` saved as a one-target model (JSON + safetensors) and loaded back."""
    model = RedoxModel(featurizer=make_featurizer("ecfp:r=1,bits=64"),
                       estimator=EnsembleRegressor.from_fitted([est]), targets=["ie"])
    model.save(tmp_path / "m")
    return load_model(tmp_path / "m").estimator.estimators_[0]


def test_dmpnn_learns_masks_gaps_and_round_trips(toy_df, tmp_path):
    rows = np.random.default_rng(0).permutation(len(toy_df))[:160]
    smiles = toy_df.smiles.to_numpy(dtype=object)[rows]
    Y = np.column_stack([toy_df.vie, -toy_df.vea])[rows]
    Y[::5, 1] = np.nan
    est = DMPNNRegressor(hidden_size=64, ffn_hidden_size=64, max_epochs=15, batch_size=16,
                         warmup_epochs=1, max_lr=3e-3, n_threads=1).fit(smiles[:120], Y[:120])
    assert len(est.history_["val_loss"]) == 15 and 0 <= est.best_epoch_ < 15
    pred = est.predict(smiles[120:])
    assert pred.shape == (40, 2)
    # one molecule (or 257) is a batch chemprop's loader would drop
    np.testing.assert_allclose(est.predict(smiles[120:121]), pred[:1], rtol=1e-5)
    assert est.predict(np.resize(smiles, 257)).shape == (257, 2)
    ok = np.isfinite(Y[120:])
    mae = np.abs(pred - Y[120:])[ok].mean()
    baseline = np.abs(Y[120:] - np.nanmean(Y[:120], axis=0))[ok].mean()
    assert mae < baseline, (mae, baseline)
    mean, std = est.predict_dist(smiles[120:])
    np.testing.assert_array_equal(mean, pred)
    assert np.isnan(std).all()
    # no pickle: hyper-parameters in JSON, weights in safetensors, same predictions after loading
    model = RedoxModel(featurizer=make_featurizer("ecfp:r=1,bits=64"),
                       estimator=EnsembleRegressor.from_fitted([est]), targets=["ie", "ea"])
    model.save(tmp_path / "m")
    back = load_model(tmp_path / "m").estimator.estimators_[0]
    np.testing.assert_allclose(back.predict(smiles[120:]), pred, rtol=1e-6)


def test_dmpnn_descriptors_are_scaled_inputs_and_saved(toy_df, tmp_path):
    smiles = toy_df.smiles.to_numpy(dtype=object)[:100]
    y = toy_df.vie.to_numpy()[:100]
    est = DMPNNRegressor(hidden_size=32, ffn_hidden_size=32, max_epochs=3, batch_size=16,
                         warmup_epochs=1, descriptors="conjugation", n_threads=1).fit(smiles, y)
    n_desc = make_featurizer("conjugation").n_features_out
    # the FFN reads graph embedding + descriptors; the descriptor scaler is the training set's
    assert est.net_.predictor.ffn[0][0].in_features == 32 + n_desc
    X_d = make_featurizer("conjugation").transform(list(smiles)).toarray()
    train_rows = np.sort(np.random.default_rng(0).permutation(100)[10:])
    mean = est.net_.X_d_transform.mean.numpy().ravel()
    np.testing.assert_allclose(mean, X_d[train_rows].mean(axis=0), rtol=1e-4, atol=1e-4)
    pred = est.predict(smiles)
    assert np.isfinite(pred).all() and pred.std() > 0
    back = _saved_and_loaded(est, tmp_path)
    assert back.descriptors == "conjugation"
    np.testing.assert_allclose(back.predict(smiles), pred, rtol=1e-5)


def test_dmpnn_huckel_atom_features_enter_message_passing_and_are_saved(toy_df, tmp_path):
    smiles = toy_df.smiles.to_numpy(dtype=object)[:80]
    y = toy_df.vie.to_numpy()[:80]
    plain = DMPNNRegressor(hidden_size=32, ffn_hidden_size=32, max_epochs=2, batch_size=16,
                           warmup_epochs=1, n_threads=1).fit(smiles, y)
    est = DMPNNRegressor(hidden_size=32, ffn_hidden_size=32, max_epochs=2, batch_size=16,
                         warmup_epochs=1, atom_features="huckel", n_threads=1).fit(smiles, y)
    # six more inputs per atom to the first message-passing layer
    assert (est.net_.message_passing.W_i.in_features
            == plain.net_.message_passing.W_i.in_features + 6)
    pred = est.predict(smiles)
    assert np.isfinite(pred).all()
    back = _saved_and_loaded(est, tmp_path)
    assert back.atom_features == "huckel"
    np.testing.assert_allclose(back.predict(smiles), pred, rtol=1e-5)
    with pytest.raises(ValueError, match="molecule 1 .*filter invalid"):
        est.predict(np.array(["CCO", "C1CC("], dtype=object))
    with pytest.raises(ConfigError, match="atom features"):
        DMPNNRegressor(atom_features="xtb", max_epochs=1).fit(smiles[:20], y[:20])


def test_stack_with_a_dmpnn_member_saves_and_predicts_from_smiles(toy_df, tmp_path):
    from redoxscreen.models.registry import make_estimator
    from redoxscreen.models.stacking import StackedRegressor

    smiles = toy_df.smiles.to_numpy(dtype=object)[:80]
    y = toy_df.vie.to_numpy()[:80]
    featurizer = make_featurizer("ecfp:r=1,bits=256")
    X = featurizer.transform(list(smiles))
    graph = EnsembleRegressor.from_fitted([DMPNNRegressor(
        hidden_size=16, ffn_hidden_size=16, max_epochs=2, batch_size=16, warmup_epochs=1,
        seed=s, n_threads=1).fit(smiles, y) for s in (0, 1)])
    ridge = EnsembleRegressor.from_fitted([make_estimator("ridge", seed=s).fit(X, y)
                                           for s in (0, 1)])
    stack = StackedRegressor.from_fitted([ridge, graph], ["ridge", "dmpnn"],
                                         np.array([[0.6], [0.4]]), np.zeros(1))
    oof = pd.DataFrame({"smiles": smiles, "fold": np.arange(80) % 2, "ie_true": y,
                        "ie_pred": y + np.random.default_rng(0).normal(0, 0.2, 80)})
    RedoxModel(featurizer=featurizer, estimator=stack, targets=["ie"], oof=oof).save(
        tmp_path / "m")
    model = load_model(tmp_path / "m")
    out = model.predict_smiles([*smiles[:5], "not a smiles"])
    expected = 0.6 * ridge.predict(X[:5]) + 0.4 * graph.predict(smiles[:5])
    np.testing.assert_allclose(out["ie_pred"].to_numpy()[:5], expected, rtol=1e-5)
    assert np.isnan(out["ie_pred"].iloc[5]) and out["reason"].iloc[5]
    assert np.isfinite(out["ie_std"].to_numpy()[:5]).all()  # spread of the two fold stacks
    # the screen hands the stack features and SMILES of the valid rows
    library = tmp_path / "lib.smi"
    library.write_text("\n".join([*smiles[:5], "C1CC"]) + "\n")
    settings = ScreenSettings(roles=["cathode"], n_workers=1, chunk_size=4)
    run_screen(tmp_path / "m", library, tmp_path / "run", settings)
    rows = pd.read_parquet(tmp_path / "run" / "results.parquet").sort_values("row")
    assert rows["valid"].tolist() == [True] * 5 + [False]
    np.testing.assert_allclose(rows["ie_pred"].to_numpy()[:5], expected, rtol=1e-5)


def test_dmpnn_keeps_a_lone_validation_molecule():
    # 11 rows → 1 validation molecule, a batch of one that chemprop's loader would drop
    smiles = np.array(["CCO", "c1ccccc1", "CCN", "c1ccncc1", "CC(=O)C", "CCCC", "OCCO", "CC#N",
                       "c1ccoc1", "CCCl", "CCOC"], dtype=object)
    y = np.arange(11, dtype=float)
    est = DMPNNRegressor(hidden_size=8, ffn_hidden_size=8, max_epochs=2, batch_size=4,
                         n_threads=1).fit(smiles, y)
    assert len(est.history_["val_loss"]) == 2 and np.isfinite(est.history_["val_loss"]).all()


def test_train_a_dmpnn_then_screen_with_it(toy_df, tmp_path):
    from redoxscreen.pipeline.train import TrainOptions, run_train

    data = tmp_path / "toy.csv"
    toy_df.iloc[:60].to_csv(data, index=False)
    options = TrainOptions(model="dmpnn", folds=2, split="random", max_epochs=2,
                           params={"hidden_size": 16, "ffn_hidden_size": 16, "batch_size": 16,
                                   "warmup_epochs": 1})
    trained = run_train(data, ["vie"], tmp_path / "run", options=options)
    result = trained.cv
    assert len(result.models) == 2 and all(m.max_epochs == 2 for m in result.models)
    assert np.isfinite(result.oof).all()
    model = load_model(trained.model_dir)
    smiles = [*toy_df.smiles.iloc[60:64], "C1CC"]
    expected = model.predict_smiles(smiles)
    # graph nets only: the screen skips the featurizer and still flags the invalid row
    library = tmp_path / "lib.smi"
    library.write_text("\n".join(smiles) + "\n")
    run_screen(trained.model_dir, library, tmp_path / "screen",
               ScreenSettings(roles=["cathode"], ie_target="vie", n_workers=1, chunk_size=3))
    rows = pd.read_parquet(tmp_path / "screen" / "results.parquet").sort_values("row")
    assert rows["valid"].tolist() == [True] * 4 + [False]
    np.testing.assert_allclose(rows["vie_pred"].to_numpy()[:4],
                               expected["vie_pred"].to_numpy()[:4], rtol=1e-5)


def test_dmpnn_mae_loss_picks_the_epoch_of_least_absolute_error(toy_df):
    smiles = toy_df.smiles.to_numpy(dtype=object)[:90]
    y = toy_df.vie.to_numpy()[:90]
    est = DMPNNRegressor(hidden_size=16, ffn_hidden_size=16, max_epochs=4, batch_size=16,
                         warmup_epochs=1, loss="mae", n_threads=1)
    est.fit(smiles[:60], y[:60], X_val=smiles[60:], y_val=y[60:])
    # the validation loss is the MAE in units of the training labels' spread (chemprop scales)
    scaled_mae = np.abs(est.predict(smiles[60:]) - y[60:]).mean() / y[:60].std()
    assert est.history_["val_loss"][est.best_epoch_] == pytest.approx(scaled_mae, rel=1e-4)
    assert est.best_epoch_ == int(np.argmin(est.history_["val_loss"]))
    with pytest.raises(ConfigError, match="unknown loss 'huber'"):
        DMPNNRegressor(max_epochs=1, loss="huber").fit(smiles[:20], y[:20])


def test_a_dmpnn_base_gives_stack_its_encoding_and_finetune_its_ffn(toy_df):
    from redoxscreen.models.transfer import TransferRegressor
    from redoxscreen.models.transfer_heads import HEADS, take
    from redoxscreen.runtime.errors import ConfigError as Err

    smiles = toy_df.smiles.to_numpy(dtype=object)[:80]
    est = DMPNNRegressor(hidden_size=32, ffn_hidden_size=32, max_epochs=3, batch_size=16,
                         warmup_epochs=1, n_threads=1).fit(smiles, toy_df.vie.to_numpy()[:80])
    emb = est.embed(smiles)
    assert emb.shape == (80, 32) and np.isfinite(emb).all()
    base = EnsembleRegressor.from_fitted([est])
    F = TransferRegressor(base).features(smiles)
    assert F["emb"].shape == (80, 32)
    y = 0.7 * toy_df.vie.to_numpy()[:80] - 2.0
    head = HEADS["stack"].factory().fit(take(F, np.arange(60)), y[:60])
    assert np.isfinite(head.predict(take(F, np.arange(60, 80)))).all()
    from test_transfer_heads import finetune_checks  # the same checks as on an FCNN base

    ft = finetune_checks(base, smiles, y)
    assert [type(m).__name__ for m in ft.layers] == ["Linear", "ReLU", "Dropout", "Linear"]
    with pytest.raises(Err, match="continues training an FCNN or D-MPNN"):
        HEADS["finetune"].factory().fit({**F, "members": [object()]}, y)


def test_finetune_command_on_a_dmpnn_base_trains_its_ffn(toy_df, tmp_path):
    """``finetune`` end to end on a saved D-MPNN base: ``auto`` offers ``finetune``, and the
    chosen fine-tuned model reloads with recalibrated intervals."""
    from redoxscreen.pipeline.finetune import FinetuneOptions, run_finetune
    from redoxscreen.pipeline.train import TrainOptions, run_train

    toy_df.to_csv(tmp_path / "big.csv", index=False)
    opts = TrainOptions(model="dmpnn", params={"hidden_size": 32, "ffn_hidden_size": 32,
                                               "batch_size": 16, "warmup_epochs": 1},
                        max_epochs=3, folds=2, split="random")
    base = run_train(tmp_path / "big.csv", ["vie"], tmp_path / "base", options=opts).model_dir
    d = toy_df.sample(40, random_state=1)
    pd.DataFrame({"smiles": d.smiles, "E": 0.7 * d.vie - 2.0}).to_csv(tmp_path / "s.csv",
                                                                      index=False)
    res = run_finetune(base, tmp_path / "s.csv", ["e_ox=E:V"], tmp_path / "ft",
                       options=FinetuneOptions(folds=3))
    assert "finetune" in res.cv and np.isfinite(res.cv["finetune"].oof).all()
    ft = run_finetune(base, tmp_path / "s.csv", ["e_ox=E:V"], tmp_path / "ft2",
                      options=FinetuneOptions(strategy="finetune", folds=3))
    from redoxscreen.evaluation.calibration import calibrators_from_oof

    model = load_model(ft.model_dir)
    assert len(model.estimator.estimators_) == 3  # the fold heads are the members (CV+)
    out = model.predict_smiles(list(d.smiles[:5]),
                               intervals=calibrators_from_oof(model.oof, ["e_ox"]))
    assert np.isfinite(out["e_ox_pred"]).all() and (out["e_ox_hi"] > out["e_ox_lo"]).all()
