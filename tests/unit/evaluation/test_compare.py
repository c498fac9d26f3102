"""Stacking weights, the leaderboard's combinations, and options checked before any fit."""

from __future__ import annotations

import numpy as np
import pytest

from redoxscreen.models.stacking import cross_fitted_stack, fit_stack_weights


def test_stack_weights_pick_the_informative_member():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(300, 1))
    good = y + rng.normal(0, 0.1, y.shape)
    noise = rng.normal(size=y.shape)
    w, b = fit_stack_weights(np.stack([noise, good]), y)
    assert w[1, 0] == pytest.approx(1.0, abs=0.05) and w[0, 0] == pytest.approx(0.0, abs=0.05)
    assert (w >= 0).all()
    fold = np.arange(300) % 5
    oof = cross_fitted_stack(np.stack([noise, good]), y, fold)
    assert np.abs(oof - y).mean() < 0.1
    # cross-fitting: changing the labels of fold 0 does not change fold 0's stacked predictions
    y2 = y.copy()
    y2[fold == 0] += 5.0
    oof2 = cross_fitted_stack(np.stack([noise, good]), y2, fold)
    np.testing.assert_allclose(oof2[fold == 0], oof[fold == 0])


def test_average_is_equal_weights_and_unknown_combination_fails_before_any_fit(tmp_path):
    from redoxscreen.pipeline.compare import CompareOptions, run_compare
    from redoxscreen.runtime.errors import ConfigError

    rng = np.random.default_rng(1)
    members, y = rng.normal(size=(3, 40, 2)), rng.normal(size=(40, 2))
    w, b = fit_stack_weights(members, y, "average")
    np.testing.assert_allclose(w, 1 / 3)
    np.testing.assert_allclose(b, 0)
    np.testing.assert_allclose(cross_fitted_stack(members, y, np.arange(40) % 4, "average"),
                               members.mean(axis=0))
    with pytest.raises(ConfigError, match="unknown combination 'avg'"):
        fit_stack_weights(members, y, "avg")
    # the data file does not even exist: the option is checked first
    with pytest.raises(ConfigError, match="unknown combination 'avg'"):
        run_compare(tmp_path / "none.csv", ["y"], tmp_path / "out",
                    options=CompareOptions(models=["ridge"], combine="avg"))
    with pytest.raises(ConfigError, match="fold_jobs=0"):
        run_compare(tmp_path / "none.csv", ["y"], tmp_path / "out",
                    options=CompareOptions(models=["ridge"], fold_jobs=0))
    # a misspelt setting of the last model fails before the first model is fitted
    with pytest.raises(ConfigError, match="model 'rf' has no setting 'n_trees'"):
        run_compare(tmp_path / "none.csv", ["y"], tmp_path / "out",
                    options=CompareOptions(models=["ridge", "rf"],
                                           params={"rf": {"n_trees": 5}}))
