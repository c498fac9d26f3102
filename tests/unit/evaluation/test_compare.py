"""Splits of the comparison, stacking weights, and the feature-count curve."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from redoxscreen.chem import murcko_scaffold
from redoxscreen.evaluation.compare import evaluation_splits, scaffold_holdout
from redoxscreen.models.stacking import cross_fitted_stack, fit_stack_weights


def test_scaffold_holdout_is_disjoint_and_near_the_fraction(toy_df):
    smiles = toy_df.smiles.tolist()
    tr, te = scaffold_holdout(smiles, 0.3, seed=1)
    assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == len(smiles)
    assert {murcko_scaffold(smiles[i]) for i in tr}.isdisjoint(
        {murcko_scaffold(smiles[i]) for i in te})
    assert 0.15 < len(te) / len(smiles) <= 0.3


def test_random_holdout_and_kfold_cover_rows():
    [(tr, te)] = evaluation_splits(None, 100, "random", "holdout", 5, seed=0)
    assert len(te) == 30 and len(np.union1d(tr, te)) == 100
    folds = evaluation_splits(None, 100, "random", "kfold", 4, seed=0)
    assert sorted(np.concatenate([te for _, te in folds]).tolist()) == list(range(100))
    with pytest.raises(Exception, match="need SMILES"):
        evaluation_splits(None, 100, "scaffold", "kfold", 4, seed=0)


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


def test_run_model_keeps_finished_folds_across_an_interruption(tmp_path):
    from redoxscreen.evaluation.compare import run_model
    from redoxscreen.models.factory import make_estimator
    from redoxscreen.pipeline.compare import _FoldCache

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    Y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(0, 0.1, 60)
    splits = evaluation_splits(None, 60, "random", "kfold", 4, seed=0)
    fits: list[int] = []

    def build(params, seed, fail_at=None):
        if seed == fail_at:
            raise KeyboardInterrupt  # the run is killed while fitting fold 2
        fits.append(seed)
        return make_estimator("ridge", {}, seed=seed)

    store = _FoldCache(tmp_path / "cache" / "random-kfold-ridge-abc")
    with pytest.raises(KeyboardInterrupt):
        run_model("ridge", lambda p, s: build(p, s, fail_at=2), X, Y, splits, fold_store=store)
    assert fits == [0, 1]
    assert sorted(p.name for p in store.cache.parent.iterdir()) == [
        "random-kfold-ridge-abc.fold0", "random-kfold-ridge-abc.fold1"]
    fits.clear()
    resumed = run_model("ridge", build, X, Y, splits, fold_store=store)
    assert fits == [2, 3]  # folds 0 and 1 came from the store
    fresh = run_model("ridge", build, X, Y, splits)
    np.testing.assert_allclose(resumed.oof, fresh.oof)
    assert len(resumed.fitted) == 4 and (resumed.fold >= 0).all()
    store.clear()
    assert not any(store.cache.parent.iterdir())


def test_folds_fitted_in_parallel_match_serial_and_are_each_saved(tmp_path):
    from redoxscreen.evaluation.compare import _fit_fold, run_model
    from redoxscreen.models.factory import make_estimator
    from redoxscreen.pipeline.compare import _FoldCache

    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 4))
    Y = np.column_stack([X @ rng.normal(size=4), X[:, 0] ** 2]) + rng.normal(0, 0.1, (80, 2))
    splits = evaluation_splits(None, 80, "random", "kfold", 5, seed=3)

    def build(params, seed):
        return make_estimator("rf", {"n_estimators": 20}, seed=seed)

    serial = run_model("rf", build, X, Y, splits)
    store = _FoldCache(tmp_path / "cache" / "random-kfold-rf-abc")
    store.save(1, _fit_fold("rf", build, X, Y, *splits[1], 1, seed=0, space=None,
                            tune_trials=0, storage=None, study_prefix=""))  # fold 1 was done
    done: list[int] = []
    parallel = run_model("rf", build, X, Y, splits, fold_store=store, fold_jobs=2,
                         on_fold=done.append)
    np.testing.assert_allclose(parallel.oof, serial.oof)
    np.testing.assert_array_equal(parallel.fold, serial.fold)
    assert sorted(done) == [0, 1, 2, 3, 4] and done[0] == 1  # the stored fold comes first
    assert [m.seed for m in parallel.fitted] == [0, 1, 2, 3, 4]
    assert sorted(p.name for p in store.cache.parent.iterdir()) == [
        f"random-kfold-rf-abc.fold{k}" for k in range(5)]



def test_a_fold_left_over_from_the_parallel_rounds_gets_all_the_threads(tmp_path):
    from redoxscreen.evaluation.compare import run_model
    from redoxscreen.models.factory import make_estimator
    from redoxscreen.pipeline.compare import _FoldCache

    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 3))
    Y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(0, 0.1, 60)
    splits = evaluation_splits(None, 60, "random", "kfold", 5, seed=0)

    def builder(threads):
        return lambda params, seed: make_estimator("rf", {"n_estimators": 10}, seed=seed,
                                                   n_jobs=threads)

    serial = run_model("rf", builder(1), X, Y, splits)
    store = _FoldCache(tmp_path / "cache" / "random-kfold-rf-abc")
    run = run_model("rf", builder(1), X, Y, splits, fold_jobs=2, build_alone=builder(2),
                    fold_store=store)
    # 5 folds on 2 workers: 4 in two rounds, the fifth alone with both threads
    assert [m.n_jobs for m in run.fitted] == [1, 1, 1, 1, 2]
    np.testing.assert_allclose(run.oof, serial.oof)
    # resumed with one fold to go: it runs alone too, not on one worker's share
    shutil.rmtree(tmp_path / "cache" / "random-kfold-rf-abc.fold3")
    again = run_model("rf", builder(1), X, Y, splits, fold_jobs=2, build_alone=builder(2),
                      fold_store=store)
    assert [m.n_jobs for m in again.fitted] == [1, 1, 1, 2, 2]
    np.testing.assert_allclose(again.oof, serial.oof)

def test_average_is_equal_weights_and_unknown_combination_fails_before_any_fit(tmp_path):
    from redoxscreen.errors import ConfigError
    from redoxscreen.pipeline.compare import CompareOptions, run_compare

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
    with pytest.raises(ConfigError, match=r"model 'rf' with settings \{'n_trees': 5\}"):
        run_compare(tmp_path / "none.csv", ["y"], tmp_path / "out",
                    options=CompareOptions(models=["ridge", "rf"],
                                           params={"rf": {"n_trees": 5}}))
