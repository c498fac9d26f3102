"""The heads of a transfer: each recovers what it is built to find, and saves exactly."""

import numpy as np
import pytest

from redoxscreen.models.transfer_heads import HEADS, best_column, loo_line, ridge_loo, take
from redoxscreen.runtime.errors import ConfigError


def features(n=60, seed=0):
    rng = np.random.default_rng(seed)
    pred = rng.normal(size=(n, 2))
    emb = np.abs(rng.normal(size=(n, 8)))
    oracle = rng.normal(size=(n, 2))
    return {"pred": pred, "emb": emb, "oracle": oracle}, rng


def test_loo_line_is_the_leave_one_out_error():
    F, rng = features(25)
    x, y = F["pred"][:, 0], 1.5 * F["pred"][:, 0] + rng.normal(0, 0.1, 25)
    mae, beta = loo_line(x, y)
    brute = []
    for i in range(25):
        keep = np.arange(25) != i
        b = np.polyfit(x[keep], y[keep], 1)
        brute.append(abs(np.polyval(b, x[i]) - y[i]))
    assert mae == pytest.approx(np.mean(brute))
    assert beta[1] == pytest.approx(1.5, abs=0.1)


def test_linear_head_picks_the_base_output_that_explains_the_target():
    F, rng = features()
    y = 1.0 + 2.0 * F["pred"][:, 1] + rng.normal(0, 0.02, 60)
    head = HEADS["linear"].factory().fit(F, y)
    assert head.column == 1 and head.a == pytest.approx(1.0, abs=0.02)
    assert head.b == pytest.approx(2.0, abs=0.02)
    assert best_column(F["pred"], y)[0] == 1


def test_stack_corrects_what_the_line_misses_and_delta_reads_the_oracle():
    F, rng = features(120)
    y = F["pred"][:, 0] + np.sin(2 * F["emb"][:, 0]) + rng.normal(0, 0.02, 120)
    tr, te = np.arange(90), np.arange(90, 120)
    lin = HEADS["linear"].factory().fit(take(F, tr), y[tr])
    err = {"linear": np.abs(lin.predict(take(F, te)) - y[te]).mean()}
    head = HEADS["stack"].factory(kernel="gp").fit(take(F, tr), y[tr])
    err["gp"] = np.abs(head.predict(take(F, te)) - y[te]).mean()
    assert err["gp"] < 0.6 * err["linear"]  # the GP learns the non-linear part
    y1 = F["pred"][:, 0] + 0.8 * F["emb"][:, 2] + rng.normal(0, 0.02, 120)
    lin = HEADS["linear"].factory().fit(take(F, tr), y1[tr])
    ridge = HEADS["stack"].factory(kernel="ridge").fit(take(F, tr), y1[tr])
    assert (np.abs(ridge.predict(take(F, te)) - y1[te]).mean()
            < 0.3 * np.abs(lin.predict(take(F, te)) - y1[te]).mean())
    y2 = 3.0 * F["oracle"][:, 1] - 0.5 + rng.normal(0, 0.02, 120)
    delta = HEADS["delta"].factory().fit(take(F, tr), y2[tr])
    assert delta.o_col == 1
    assert np.abs(delta.predict(take(F, te)) - y2[te]).mean() < 0.05
    with pytest.raises(ConfigError, match="needs an oracle"):
        HEADS["delta"].factory().fit({"pred": F["pred"], "emb": F["emb"]}, y2)
    with pytest.raises(ConfigError, match="use gp or ridge"):
        HEADS["stack"].factory(kernel="poly")


@pytest.mark.parametrize("name", ["linear", "stack", "delta"])
def test_heads_round_trip_through_their_state(name):
    F, rng = features()
    y = F["pred"][:, 0] + 0.3 * F["oracle"][:, 0] + rng.normal(0, 0.1, 60)
    head = HEADS[name].factory().fit(F, y)
    config, arrays = head.state()
    import json

    json.dumps(config)  # the config is JSON, the arrays go to safetensors
    back = type(head).from_state(config, arrays, base=None)
    assert back.predict(F) == pytest.approx(head.predict(F))


def test_ridge_penalty_grows_with_noise():
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(40, 10))
    clean = Z @ rng.normal(size=10)
    lam_clean = ridge_loo(Z, clean)[1]
    lam_noisy = ridge_loo(Z, rng.normal(size=40))[1]
    assert lam_noisy > lam_clean


def finetune_checks(base, X, y):
    """Epoch 0 of ``finetune`` is the ``linear`` head; training lowers the error on the set it
    trains on; the state (trained layers only) reloads to the same predictions."""
    from redoxscreen.models.transfer import TransferRegressor

    F = TransferRegressor(base).features(X)
    lin = HEADS["linear"].factory().fit(F, y)
    zero = HEADS["finetune"].factory(max_epochs=0).fit(F, y)
    assert zero.epochs == 0
    assert zero.predict(F) == pytest.approx(lin.predict(F), abs=1e-4)
    head = HEADS["finetune"].factory(max_epochs=60, lr=3e-3).fit(F, y)
    config, arrays = head.state()
    back = type(head).from_state(config, arrays, base)
    assert back.predict(F) == pytest.approx(head.predict(F), abs=1e-5)
    trained = HEADS["finetune"].factory(max_epochs=0).fit(F, y)
    trained._train(trained._frozen(_encode(F)), y, 200)
    assert np.abs(trained.predict(F) - y).mean() < 0.9 * np.abs(lin.predict(F) - y).mean()
    return head


def _encode(F):
    from redoxscreen.models.transfer_finetune import encoder

    return encoder(F["members"][0])(F["X"])


def test_finetune_head_continues_training_an_fcnn(toy_df):
    from redoxscreen.features import make_featurizer
    from redoxscreen.models import EnsembleRegressor, FCNNRegressor

    X = make_featurizer("ecfp:r=2,bits=1024").transform(list(toy_df.smiles[:80]))
    net = FCNNRegressor(hidden_layer_sizes=(32, 16), max_epochs=30, batch_size=16, lr=3e-3,
                        seed=0).fit(X, toy_df[["vie", "vea"]].to_numpy()[:80])
    y = 0.7 * toy_df.vie.to_numpy()[:80] - 2.0 + np.sin(3 * toy_df.vea.to_numpy()[:80])
    head = finetune_checks(EnsembleRegressor.from_fitted([net]), X, y)
    from redoxscreen.models.transfer_finetune import linear_indices

    assert head.first_trained == linear_indices(head.layers)[-2]  # n_layers=2: 16 → out, too
