"""The classical model zoo: every model learns the toy labels, gives predict_dist, and survives
a save/load round trip bit for bit without pickle."""

from __future__ import annotations

import json

import numpy as np
import pytest

from redoxscreen.features import make_featurizer
from redoxscreen.models import EnsembleRegressor, RedoxModel, load_model
from redoxscreen.models.sk_state import decode, encode
from redoxscreen.models.zoo import NATIVE_SPREAD, ZOO, ZooRegressor
from redoxscreen.runtime.errors import ConfigError, ModelFileError

FAST = {"rf": {"n_estimators": 30}, "et": {"n_estimators": 30}, "lgbm": {"n_estimators": 60},
        "gp": {}, "svr": {}, "krr": {}, "ridge": {}, "lasso": {}}


@pytest.fixture(scope="module")
def data(toy_df):
    feat = make_featurizer("ecfp:r=2,bits=512+conjugation")
    X = feat.transform(toy_df.smiles)
    Y = np.column_stack([toy_df.vie, -toy_df.vea])
    Y[::7, 1] = np.nan  # gaps in the second target
    idx = np.random.default_rng(0).permutation(len(Y))
    return feat, X, Y, idx[:400], idx[400:]


@pytest.mark.parametrize("name", sorted(ZOO))
def test_every_model_learns_and_round_trips(name, data, tmp_path):
    feat, X, Y, tr, te = data
    est = ZooRegressor(name, params=FAST[name], max_train=300 if name == "gp" else None)
    assert est.fit(X[tr], Y[tr]) is est
    pred = est.predict(X[te])
    assert pred.shape == (len(te), 2)
    ok = np.isfinite(Y[te])
    mae = np.abs(pred - Y[te])[ok].mean()
    baseline = np.abs(Y[te] - np.nanmean(Y[tr], axis=0))[ok].mean()
    assert mae < 0.6 * baseline, f"{name}: MAE {mae:.3f} vs mean-predictor {baseline:.3f}"
    assert est.n_train_[1] < est.n_train_[0] or name == "gp"  # NaN labels were skipped
    mean, std = est.predict_dist(X[te])
    np.testing.assert_allclose(mean, pred, rtol=1e-6, atol=1e-9)
    if name in NATIVE_SPREAD:
        assert (std > 0).all()
    else:
        assert np.isnan(std).all()
    # saved like any model: JSON + safetensors, identical predictions after loading
    model = RedoxModel(featurizer=feat, estimator=EnsembleRegressor.from_fitted([est]),
                       targets=["ie", "ea"])
    model.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["model.json",
                                                                 "weights.safetensors"]
    back = load_model(tmp_path / "m").estimator.estimators_[0]
    np.testing.assert_array_equal(back.predict(X[te]), pred)


def test_state_codec_refuses_unknown_classes():
    arrays: dict = {}
    state = encode(ZooRegressor("ridge").fit(np.eye(3), np.arange(3.0)), arrays, "k")
    text = json.dumps(state).replace("sklearn.linear_model._ridge.Ridge", "os.system")
    with pytest.raises(ModelFileError, match="does not load"):
        decode(json.loads(text), arrays)
    with pytest.raises(TypeError, match="cannot save"):
        encode(object(), {}, "k")


def test_unknown_model_and_too_few_labels():
    with pytest.raises(ConfigError, match="known: .*ridge"):
        ZooRegressor("xgboost").fit(np.eye(3), np.arange(3.0))
    with pytest.raises(ConfigError, match="holds 1 labelled molecules for target 1"):
        ZooRegressor("ridge").fit(np.eye(3), np.array([1.0, np.nan, np.nan]))
