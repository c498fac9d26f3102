"""The one CV engine: resumable folds, folds in worker processes, the leftover fold, tuning."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from redoxscreen.data.splits import evaluation_splits
from redoxscreen.evaluation.cv import FoldFit, FoldStore, cross_validate
from redoxscreen.evaluation.search import Tuning
from redoxscreen.models.registry import make_estimator


def _fold_of(result, k):
    """Fold ``k`` of a finished CV, as the engine stores it."""
    test = np.flatnonzero(result.fold == k)
    return FoldFit(test, result.oof[test], result.models[k], result.fit_seconds[k],
                   result.predict_seconds[k], result.params[k])


def _linear(n: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X @ np.array([1.0, -2.0, 0.5]) + rng.normal(0, 0.1, n)


def test_finished_folds_survive_an_interruption(tmp_path):
    X, Y = _linear(60, 0)
    splits = evaluation_splits(None, 60, "random", "kfold", 4, seed=0)
    fits: list[int] = []

    def build(params, seed, fail_at=None):
        if seed == fail_at:
            raise KeyboardInterrupt  # the run is killed while fitting fold 2
        fits.append(seed)
        return make_estimator("ridge", params, seed=seed)

    store = FoldStore(tmp_path / "cache" / "ridge")
    with pytest.raises(KeyboardInterrupt):
        cross_validate(lambda p, s: build(p, s, fail_at=2), X, Y, splits, fold_store=store)
    assert fits == [0, 1]
    assert sorted(p.name for p in store.directory.iterdir()) == ["fold0", "fold1"]
    fits.clear()
    seen: list[int] = []
    resumed = cross_validate(build, X, Y, splits, fold_store=store,
                             on_fold=lambda k, fit: seen.append(k))
    assert fits == [2, 3] and seen == [0, 1, 2, 3]  # folds 0 and 1 came from the store
    fresh = cross_validate(build, X, Y, splits)
    np.testing.assert_allclose(resumed.oof, fresh.oof)
    assert len(resumed.models) == 4 and (resumed.fold >= 0).all()
    assert resumed.metrics["y0"]["mae"] == pytest.approx(fresh.metrics["y0"]["mae"])
    # a stored fold is only used for the same test rows
    other = evaluation_splits(None, 60, "random", "kfold", 4, seed=1)
    fits.clear()
    cross_validate(build, X, Y, other, fold_store=store)
    assert fits == [0, 1, 2, 3]
    store.clear()
    assert not store.directory.exists()


def test_folds_in_worker_processes_match_serial_folds(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 4))
    Y = np.column_stack([X @ rng.normal(size=4), X[:, 0] ** 2]) + rng.normal(0, 0.1, (80, 2))
    splits = evaluation_splits(None, 80, "random", "kfold", 5, seed=3)

    def build(params, seed):
        return make_estimator("rf", {"n_estimators": 20}, seed=seed)

    serial = cross_validate(build, X, Y, splits, ["a", "b"])
    store = FoldStore(tmp_path / "rf")
    first = cross_validate(build, X, Y, splits[:2], ["a", "b"])  # fold 1 was done before
    store.save(1, _fold_of(first, 1))
    done: list[int] = []
    parallel = cross_validate(build, X, Y, splits, ["a", "b"], fold_store=store, fold_jobs=2,
                              on_fold=lambda k, fit: done.append(k))
    np.testing.assert_allclose(parallel.oof, serial.oof)
    np.testing.assert_array_equal(parallel.fold, serial.fold)
    assert sorted(done) == [0, 1, 2, 3, 4] and done[0] == 1  # the stored fold comes first
    assert [m.seed for m in parallel.models] == [0, 1, 2, 3, 4]
    assert sorted(p.name for p in store.directory.iterdir()) == [f"fold{k}" for k in range(5)]
    assert [len(m) for m in parallel.fold_metrics] == [2] * 5


def test_a_fold_left_over_from_the_parallel_rounds_gets_all_the_threads(tmp_path):
    X, Y = _linear(60, 2)
    splits = evaluation_splits(None, 60, "random", "kfold", 5, seed=0)

    def builder(threads):
        return lambda params, seed: make_estimator("rf", {"n_estimators": 10}, seed=seed,
                                                   n_jobs=threads)

    serial = cross_validate(builder(1), X, Y, splits)
    store = FoldStore(tmp_path / "rf")
    run = cross_validate(builder(1), X, Y, splits, fold_jobs=2, build_alone=builder(2),
                         fold_store=store)
    # 5 folds on 2 workers: 4 in two rounds, the fifth alone with both threads
    assert [m.n_jobs for m in run.models] == [1, 1, 1, 1, 2]
    np.testing.assert_allclose(run.oof, serial.oof)
    # resumed with one fold to go: it runs alone too, not on one worker's share
    shutil.rmtree(store.directory / "fold3")
    again = cross_validate(builder(1), X, Y, splits, fold_jobs=2, build_alone=builder(2),
                           fold_store=store)
    assert [m.n_jobs for m in again.models] == [1, 1, 1, 2, 2]
    np.testing.assert_allclose(again.oof, serial.oof)


def test_tuning_chooses_each_folds_parameters_on_its_training_rows_and_resumes(tmp_path):
    X, Y = _linear(90, 3)
    X = np.column_stack([X, np.random.default_rng(0).normal(size=(90, 20))])  # noise columns
    splits = evaluation_splits(None, 90, "random", "kfold", 3, seed=0)
    tuning = Tuning({"alpha": ["float", 1e-3, 1e3, "log"]}, 6, str(tmp_path / "o.sqlite3"))

    def build(params, seed):
        return make_estimator("ridge", params, seed=seed)

    res = cross_validate(build, X, Y, splits, name="ridge", tuner=tuning)
    alphas = [p["alpha"] for p in res.params]
    assert len(alphas) == 3 and all(1e-3 <= a <= 1e3 for a in alphas)
    assert [m.params["alpha"] for m in res.models] == alphas
    assert res.metrics["y0"]["mae"] < 0.2  # noise σ = 0.1
    import optuna

    study = optuna.load_study(study_name="ridge-fold0", storage=f"sqlite:///{tmp_path}/o.sqlite3")
    assert len(study.trials) == 6
    again = cross_validate(build, X, Y, splits, name="ridge", tuner=tuning)
    assert [p["alpha"] for p in again.params] == alphas  # finished trials are not rerun
    assert len(optuna.load_study(study_name="ridge-fold0",
                                 storage=f"sqlite:///{tmp_path}/o.sqlite3").trials) == 6
