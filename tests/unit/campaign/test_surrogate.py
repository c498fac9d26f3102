"""Surrogates: native σ scaled on out-of-fold errors; other models as fold ensembles with σ from
their CV+ interval; auto by size; the D-MPNN when chemprop is installed."""

import numpy as np
import pytest

from redoxscreen.campaign.surrogate import GP_MAX_LABELS, auto_surrogate, fit_surrogate
from redoxscreen.features.spec import make_featurizer
from redoxscreen.models.inputs import MolBatch


@pytest.fixture(scope="module")
def data(toy_df):
    X = make_featurizer("ecfp:r=2,bits=1024").transform(toy_df["smiles"].tolist())
    return X, -toy_df["vea"].to_numpy(), toy_df["smiles"].to_numpy()


def coverage(sur, X, y):
    m, s = sur.predict(X)
    return float(np.mean(np.abs(m[:, 0] - y) <= s[:, 0])), m, s


def test_native_gp_sigma_is_calibrated_on_held_out_molecules(data):
    X, y, _ = data
    sur = fit_surrogate("tanimoto-gp", X[:250], y[:250], ["ea_ev"], seed=0)
    assert sur.native and sur.metrics["ea_ev"]["n"] == 250
    assert sur.calibration["ea_ev"]["sigma_scale"] > 0
    cov, m, _ = coverage(sur, X[250:], y[250:])
    assert 0.5 < cov < 0.9  # 1 σ ≈ 68 % of new molecules
    draws = sur.sample(X[250:260], 3, np.random.default_rng(0))
    assert draws.shape == (3, 10, 1)


def test_a_model_without_sigma_becomes_a_fold_ensemble(data):
    X, y, _ = data
    sur = fit_surrogate("lgbm", X[:250], y[:250], ["ea_ev"], seed=0,
                        settings={"n_estimators": 60})
    assert not sur.native and len(sur.model.estimators_) == 5
    cov, _, s = coverage(sur, X[250:], y[250:])
    assert 0.45 < cov < 0.95 and (s > 0).all()
    draws = sur.sample(X[250:260], 4, np.random.default_rng(0))
    members = sur.model.predict_members(X[250:260])
    assert all(any(np.allclose(d[:, 0], mm) for mm in members) for d in draws)


def test_auto_picks_by_size_and_kind():
    assert auto_surrogate(100, True) == "tanimoto-gp"
    assert auto_surrogate(100, False) == "gp"
    assert auto_surrogate(GP_MAX_LABELS + 1, False) == "lgbm"


def test_dmpnn_surrogate_reads_molecules(data):
    pytest.importorskip("chemprop")
    X, y, smiles = data
    batch = MolBatch(X[:120], smiles[:120])
    sur = fit_surrogate("dmpnn", batch, y[:120], ["ea_ev"], folds=3,
                        settings={"max_epochs": 3})
    m, s = sur.predict(MolBatch(X[120:140], smiles[120:140]))
    assert m.shape == (20, 1) and np.isfinite(s).all()
