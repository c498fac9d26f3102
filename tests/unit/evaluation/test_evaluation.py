import numpy as np
import pytest

from redoxscreen.data import kfold_splits
from redoxscreen.evaluation import cross_validate, load_grid, regression_metrics
from redoxscreen.evaluation.search import best_config, config_label, rank_results
from redoxscreen.models import FCNNRegressor
from redoxscreen.runtime.errors import ConfigError


def test_metrics_known_values():
    m = regression_metrics(np.array([1.0, 2.0, 3.0, np.nan]), np.array([1.5, 2.0, 2.5, 9.0]))
    assert m["n"] == 3
    assert m["mae"] == pytest.approx(1 / 3)
    assert m["rmse"] == pytest.approx(np.sqrt(0.5 / 3))
    assert m["r2"] == pytest.approx(1 - 0.5 / 2)
    assert m["error_std"] == pytest.approx(0.5)
    assert m["mean_error"] == pytest.approx(0.0)


def test_thesis_grid_is_the_studys_25_configurations():
    g = load_grid("thesis")
    assert len(g.configs) == 25 and g.folds == 2 and g.preset == "thesis"
    labels = {config_label(c) for c in g.configs}
    assert "r3/2048/1024-512-256" in labels and "r1/1024/512-256" in labels
    assert "r2/1024/512-256" not in labels
    assert g.featurizer_spec(g.configs[0]).endswith("bits-only")


def test_grid_files_and_errors(tmp_path):
    p = tmp_path / "g.yaml"
    p.write_text("preset: default\nextra:\n  - {radius: 2, n_bits: 512, dropout: 0.3}\n")
    g = load_grid(str(p))
    assert g.configs == [{"radius": 2, "n_bits": 512, "dropout": 0.3}]
    assert g.estimator_params(g.configs[0]) == {"dropout": 0.3}
    with pytest.raises(ConfigError, match="unknown grid"):
        load_grid("nope")
    (tmp_path / "b.yaml").write_text("extra:\n  - {radius: 2}\n")
    with pytest.raises(ConfigError, match="lacks n_bits"):
        load_grid(str(tmp_path / "b.yaml"))


def test_rank_results_picks_lowest_mae():
    rows = [{"config": "a", "val_mae": 0.3, "config_json": '{"radius": 1}'},
            {"config": "b", "val_mae": 0.2, "config_json": '{"radius": 2}'}]
    df = rank_results(rows)
    assert df["config"].tolist() == ["b", "a"] and best_config(df) == {"radius": 2}


def test_cross_validate_gives_complete_out_of_fold_predictions():
    rng = np.random.default_rng(0)
    X = rng.random((60, 8)).astype(np.float32)
    Y = X @ rng.normal(size=(8, 2))
    est = FCNNRegressor(hidden_layer_sizes=(16,), max_epochs=3, batch_size=16)
    res = cross_validate(est, X, Y, kfold_splits(60, 3, 0), ["a", "b"], seed=5)
    assert np.isfinite(res.oof).all() and sorted(set(res.fold)) == [0, 1, 2]
    assert [m.seed for m in res.models] == [5, 6, 7]
    assert set(res.metrics) == {"a", "b"} and len(res.fold_metrics) == 3
