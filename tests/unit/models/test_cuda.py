"""Where a CUDA device exists, the nets predict there (device="auto") and agree with the CPU.
Skipped on machines without CUDA (as CI here is)."""

import numpy as np
import pytest
import scipy.sparse as sp

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device here")


def test_fcnn_predicts_on_cuda_as_on_cpu():
    from redoxscreen.models import FCNNRegressor

    rng = np.random.default_rng(0)
    X = sp.random(4000, 512, density=0.05, format="csr", random_state=0, dtype=np.float32)
    y = np.asarray(X.sum(axis=1)).ravel() + rng.normal(0, 0.1, 4000)
    est = FCNNRegressor(hidden_layer_sizes=(256, 128), max_epochs=3, device="cpu").fit(X, y)
    cpu = est.predict(X)
    est.device = "auto"  # what a screen worker uses: CUDA when present, in batches of 8192
    gpu = est.predict(X)
    assert next(est.net_.parameters()).device.type == "cpu"  # moved back after predicting
    np.testing.assert_allclose(gpu, cpu, rtol=1e-4, atol=1e-4)
