"""The Tanimoto-kernel GP: the kernel against its definition, the posterior against the textbook
formulas, its draws, and its saved state."""

import numpy as np
import pytest
import scipy.sparse as sp

from redoxscreen.features.spec import make_featurizer
from redoxscreen.models.serialize import estimator_from_state, estimator_to_state
from redoxscreen.models.tanimoto_gp import TanimotoGP, tanimoto
from redoxscreen.runtime.errors import ConfigError


@pytest.fixture(scope="module")
def data(toy_df):
    X = make_featurizer("ecfp:r=2,bits=1024").transform(toy_df["smiles"].tolist())
    return X, -toy_df["vea"].to_numpy()


def test_kernel_is_minmax_of_counts(data):
    X, _ = data
    A, B = X[:6].toarray(), X[6:11].toarray()
    naive = np.minimum(A[:, None], B[None]).sum(-1) / np.maximum(A[:, None], B[None]).sum(-1)
    np.testing.assert_allclose(tanimoto(X[:6], X[6:11]), naive, atol=1e-6)
    K = tanimoto(X[:20])
    np.testing.assert_allclose(np.diag(K), 1.0)
    np.testing.assert_allclose(K, K.T)
    assert np.linalg.eigvalsh(K).min() > -1e-8  # positive semi-definite
    # a count above every count of the other matrix is still exact
    big = sp.csr_matrix(np.array([[7.0, 0, 1]]))
    np.testing.assert_allclose(tanimoto(big, sp.csr_matrix(np.array([[2.0, 1, 1]]))), 3 / 9)


def test_kernel_refuses_non_counts():
    with pytest.raises(ConfigError, match="count fingerprint"):
        tanimoto(np.array([[0.5, 1.0]]))


def test_posterior_matches_textbook_gp(data):
    X, y = data
    tr, te = np.arange(0, 200), np.arange(200, 260)
    gp = TanimotoGP().fit(X[tr], y[tr])
    s2, n2 = gp.signal_var_[0], gp.noise_var_[0]
    K = s2 * tanimoto(X[tr]) + n2 * np.eye(len(tr))
    Ks = s2 * tanimoto(X[te], X[tr])
    z = (y[tr] - y[tr].mean()) / y[tr].std()
    mean = Ks @ np.linalg.solve(K, z) * y[tr].std() + y[tr].mean()
    var = s2 - np.einsum("ij,ji->i", Ks, np.linalg.solve(K, Ks.T)) + n2
    m, s = gp.predict_dist(X[te])
    np.testing.assert_allclose(m, mean, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(s, np.sqrt(var) * y[tr].std(), rtol=1e-5)
    assert np.mean(np.abs(m - y[te])) < 0.5 * np.mean(np.abs(y[te] - y[tr].mean()))


def test_draws_and_saved_state(data):
    X, y = data
    gp = TanimotoGP().fit(X[:150], np.column_stack([y[:150], 2 * y[:150]]))
    draws = gp.sample_y(X[150:170], 400, np.random.default_rng(0))
    assert draws.shape == (400, 20, 2)
    m, _ = gp.predict_dist(X[150:170])
    _, latent = gp.predict_dist(X[150:170], latent=True)
    np.testing.assert_allclose(draws.mean(axis=0), m, atol=4 * latent.max() / np.sqrt(400))
    config, arrays = estimator_to_state(gp)
    assert config["name"] == "tanimoto-gp"
    back = estimator_from_state(config, arrays)
    np.testing.assert_allclose(back.predict(X[150:170]), gp.predict(X[150:170]))
