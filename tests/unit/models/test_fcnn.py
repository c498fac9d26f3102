import json
import math

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone

from redoxscreen.features import make_featurizer
from redoxscreen.models import PRESETS, EnsembleRegressor, FCNNRegressor, RedoxModel, load_model
from redoxscreen.models.serialize import estimator_from_state, estimator_to_state

FAST = dict(hidden_layer_sizes=(64, 32), max_epochs=60, patience=60, batch_size=32, lr=3e-3,
            dropout=0.0, weight_decay=0.0)


@pytest.fixture(scope="module")
def linear_data():
    rng = np.random.default_rng(0)
    X = sp.random(300, 40, density=0.2, random_state=1, format="csr", dtype=np.float32)
    X.data = np.round(X.data * 4)  # count-like values
    X.eliminate_zeros()
    w = rng.normal(size=(40, 2))
    Y = X @ w
    return X, Y


def test_learns_and_beats_mean_predictor(linear_data):
    X, Y = linear_data
    m = FCNNRegressor(**FAST, seed=0)
    assert m.fit(X[:240], Y[:240]) is m
    pred = m.predict(X[240:])
    mae = np.abs(pred - Y[240:]).mean()
    baseline = np.abs(Y[240:] - Y[:240].mean(0)).mean()
    assert pred.shape == (60, 2)
    assert mae < 0.35 * baseline
    assert 0 <= m.best_epoch_ < len(m.history_["train_loss"]) <= FAST["max_epochs"]
    assert len(m.history_["val_mae"]) == len(m.history_["train_loss"])


def test_seeded_fits_are_reproducible_and_1d_targets_stay_1d(linear_data):
    X, Y = linear_data
    a = FCNNRegressor(**{**FAST, "max_epochs": 5}, seed=3).fit(X, Y[:, 0]).predict(X[:5])
    b = FCNNRegressor(**{**FAST, "max_epochs": 5}, seed=3).fit(X, Y[:, 0]).predict(X[:5])
    assert a.shape == (5,)
    np.testing.assert_allclose(a, b, rtol=1e-5)


def test_missing_labels_are_masked(linear_data):
    X, Y = linear_data
    Ym = Y.copy()
    Ym[::2, 1] = np.nan
    m = FCNNRegressor(**{**FAST, "max_epochs": 20}, seed=0).fit(X, Ym)
    assert np.isfinite(m.predict(X)).all()
    assert np.isfinite(m.history_["train_loss"]).all()


def test_thesis_preset_and_schedule():
    m = FCNNRegressor.from_preset("thesis")
    assert (m.l2, m.dropout, m.lr, m.batch_size, m.max_epochs) == (0.003, 0.1, 0.003, 30000, 5000)
    assert m.target_scaling == "minmax" and m.init == "random_normal"
    assert m._lr_factor(9) == 1.0
    assert m._lr_factor(20) == pytest.approx(math.exp(-1.0))
    with pytest.raises(ValueError, match="unknown preset"):
        FCNNRegressor.from_preset("nope")
    assert set(PRESETS) >= {"thesis", "default"}


def test_minmax_scaling_and_random_normal_init(linear_data):
    X, Y = linear_data
    m = FCNNRegressor(**{**FAST, "max_epochs": 3}, target_scaling="minmax",
                      init="random_normal", l2=0.003).fit(X, Y)
    np.testing.assert_allclose(m.y_offset_, Y.min(0))
    np.testing.assert_allclose(m.y_scale_, Y.max(0) - Y.min(0))
    assert np.isfinite(m.predict(X)).all()


def test_clone_and_dense_descriptor_standardisation():
    f = make_featurizer("ecfp:r=1,bits=64+conjugation")
    X = f.transform(["c1ccccc1", "CCO", "c1ccncc1", "O=C1C=CC(=O)C=C1", "CCCl", "c1ccsc1"] * 5)
    m = clone(FCNNRegressor(**{**FAST, "max_epochs": 2})).fit(X, np.arange(30.0))
    n_dense = int((m.x_center_ != 0).sum())
    assert n_dense >= 5  # descriptor columns are centred through the bias
    assert m.predict(X).shape == (30,)


def test_state_round_trip_is_exact(linear_data, tmp_path):
    X, Y = linear_data
    ens = EnsembleRegressor.from_fitted(
        [FCNNRegressor(**{**FAST, "max_epochs": 3}, seed=s).fit(X, Y) for s in (0, 1)])
    cfg, arrays = estimator_to_state(ens)
    json.dumps(cfg)  # the config is plain JSON
    back = estimator_from_state(cfg, arrays)
    np.testing.assert_allclose(back.predict(X), ens.predict(X), rtol=1e-6)
    mean, std = back.predict_dist(X)
    members = np.stack([m.predict(X) for m in ens.estimators_])
    np.testing.assert_allclose(std, members.std(0), rtol=1e-5)


def test_saved_model_directory_has_no_pickle(tmp_path):
    f = make_featurizer("ecfp:r=1,bits=64")
    smiles = ["c1ccccc1", "CCO", "c1ccncc1", "CCCl", "c1ccsc1", "CCN"] * 3
    X = f.transform(smiles)
    est = EnsembleRegressor.from_fitted([FCNNRegressor(**{**FAST, "max_epochs": 2}).fit(
        X, np.arange(18.0).reshape(-1, 1))])
    model = RedoxModel(featurizer=f, estimator=est, targets=["vie"])
    model.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["model.json",
                                                                 "weights.safetensors"]
    raw = (tmp_path / "m" / "weights.safetensors").read_bytes()
    assert b"\x80\x04" not in raw[:8]  # not a pickle stream
    loaded = load_model(tmp_path / "m")
    out = loaded.predict_smiles(["CCO", "not smiles", "c1ccccc1"])
    assert list(out.columns) == ["vie_pred", "vie_std", "reason", "standardization", "domain",
                                 "domain_reason",
                                 "nn_similarity"]
    assert out["domain"].tolist() == ["in", "", "in"]  # no oof table: no domain record
    assert np.isnan(out.loc[1, "vie_pred"]) and "syntax" in out.loc[1, "reason"]
    np.testing.assert_allclose(out.loc[[0, 2], "vie_pred"],
                               model.predict_smiles(["CCO", "c1ccccc1"])["vie_pred"])


def test_int8_moves_a_row_with_its_batch_only_within_the_rounding(linear_data):
    from redoxscreen.runtime.precision import inference_precision

    X, Y = linear_data
    m = FCNNRegressor(**FAST, seed=0).fit(X[:240], Y[:240])
    before = {k: v.clone() for k, v in m.net_.state_dict().items()}
    full = m.predict(X[240:])
    with inference_precision("int8"):
        together = m.predict(X[240:])
        alone = np.vstack([m.predict(X[i:i + 1]) for i in range(240, 250)])
    spread = np.abs(full - full.mean(0)).mean()
    assert np.abs(alone - together[:10]).max() < 0.05 * spread
    # the quantised copy is a cache beside the net: the weights saved are float32, unchanged
    after = m.net_.state_dict()
    assert before.keys() == after.keys()
    assert all(after[k].dtype == before[k].dtype and torch.equal(after[k], before[k])
               for k in before)


def test_fit_leaves_the_callers_thread_count(linear_data):
    # a screening worker or a benchmark sets one thread; training a model in it must not
    # silently give it every core (the stage benchmark's nets ran on two threads so)
    X, Y = linear_data
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        FCNNRegressor(**FAST, seed=0, n_threads=2).fit(X[:100], Y[:100])
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)


def test_cpu_batches_of_2048_rows_give_the_rows_of_one_batch(linear_data):
    from redoxscreen.models.torch_utils import predict_batch_rows

    assert predict_batch_rows(torch.device("cpu")) == 2048
    assert predict_batch_rows(torch.device("cuda")) == 8192
    X, Y = linear_data
    m = FCNNRegressor(**FAST, seed=0).fit(X[:240], Y[:240])
    big = sp.vstack([X] * (5000 // X.shape[0] + 1), format="csr")[:5000]
    Xs, cpu = m._scale_x(big), torch.device("cpu")
    batched = m._predict_scaled(Xs, cpu)  # 2048 + 2048 + 904 rows
    whole = m._predict_scaled(Xs, cpu, batch=5000)
    np.testing.assert_allclose(batched, whole, rtol=1e-5, atol=1e-6)


def test_load_errors(tmp_path):
    from redoxscreen.runtime.errors import ModelFileError

    with pytest.raises(ModelFileError, match="no model.json"):
        load_model(tmp_path)
    (tmp_path / "model.json").write_text("{}")
    with pytest.raises(ModelFileError, match="not a redoxscreen model"):
        load_model(tmp_path)


@pytest.mark.parametrize("precision", ["mixed", "int8"])
def test_low_precision_predicts_close_to_float32_and_never_trains(linear_data, precision):
    from redoxscreen.runtime.precision import current_precision, inference_precision

    X, Y = linear_data
    m = FCNNRegressor(**FAST, seed=0).fit(X[:240], Y[:240])
    full = m.predict(X[240:])
    with inference_precision(precision):
        assert current_precision() == precision
        low = m.predict(X[240:])
        again = m.predict(X[240:])
        refit = FCNNRegressor(**FAST, seed=0).fit(X[:240], Y[:240])  # fits stay float32
    assert current_precision() == "fp32"
    spread = np.abs(full - full.mean(0)).mean()
    err = np.abs(low - full)
    # rounded, but by far less than the signal (int8 more: 8 bits against bfloat16's 8 of
    # mantissa and float16's 11 in the sums; on real data: bench/results/precision.json)
    assert 0 < err.max() < {"mixed": 0.02, "int8": 0.05}[precision] * spread
    assert err.mean() < {"mixed": 0.005, "int8": 0.01}[precision] * spread
    assert np.array_equal(low, again)  # the cast copies are reused, not re-rounded
    assert np.array_equal(refit.predict(X[240:]), full)
    assert np.array_equal(m.predict(X[240:]), full)  # float32 again outside the block
    with pytest.raises(ValueError, match="unknown precision"), inference_precision("int4"):
        pass
