"""Many models on the same splits: out-of-fold predictions, timings and a leaderboard.

Schemes: ``kfold`` (every row predicted once by a model that did not see it) and ``holdout``
(one 70:30 split). Split kinds: ``random`` and ``scaffold`` (no Bemis–Murcko scaffold shared
between training and test rows). With ``tune_trials > 0`` each outer fold tunes the model by
Optuna on an inner 3-fold CV of its own training rows (:mod:`redoxscreen.evaluation.tuning`).
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import chain
from typing import Protocol

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from redoxscreen.chem import murcko_scaffold
from redoxscreen.data.splits import Split, kfold_splits, make_splits
from redoxscreen.errors import ConfigError
from redoxscreen.evaluation.metrics import regression_metrics
from redoxscreen.evaluation.tuning import tune

Builder = Callable[[dict, int], BaseEstimator]  # (params, seed) → fresh estimator


def evaluation_splits(smiles: Sequence[str] | None, n: int, kind: str, scheme: str, folds: int,
                      seed: int, holdout_fraction: float = 0.3) -> list[Split]:
    """The (train, test) index pairs of one split kind and scheme."""
    if kind == "scaffold" and smiles is None:
        raise ConfigError("scaffold splits need SMILES; this table has none (use random)")
    if scheme == "kfold":
        return (kfold_splits(n, folds, seed) if kind == "random"
                else make_splits(smiles, kind, folds, seed))
    if scheme != "holdout":
        raise ConfigError(f"unknown scheme {scheme!r}; use kfold or holdout")
    if kind == "random":
        perm = np.random.default_rng(seed).permutation(n)
        n_test = int(round(holdout_fraction * n))
        return [(np.sort(perm[n_test:]), np.sort(perm[:n_test]))]
    return [scaffold_holdout(smiles, holdout_fraction, seed)]


def scaffold_holdout(smiles: Sequence[str], fraction: float = 0.3, seed: int = 0) -> Split:
    """Training and test rows with no Bemis–Murcko scaffold in common, test ≈ ``fraction``.

    Scaffold groups in seeded random order go to the test set while they fit under the target
    size (the rest to training), so large families do not all end up in the test set.
    """
    groups: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(smiles):
        groups[murcko_scaffold(s)].append(i)
    if len(groups) < 2:
        raise ConfigError("a scaffold hold-out needs at least 2 distinct scaffolds; this data "
                          "has 1: use --split random")
    members = list(groups.values())
    target = fraction * len(smiles)
    test: list[int] = []
    for g in np.random.default_rng(seed).permutation(len(members)):
        if len(test) + len(members[g]) <= target or not test:
            test += members[g]
    test_idx = np.sort(np.asarray(test, dtype=int))
    return np.setdiff1d(np.arange(len(smiles)), test_idx), test_idx


@dataclass
class ModelRun:
    """One model on one set of splits."""

    model: str
    oof: np.ndarray                 # (n, t), NaN where a row was in no test set
    fold: np.ndarray                # (n,), -1 where a row was in no test set
    fitted: list[BaseEstimator]
    fit_seconds: float
    predict_seconds: float
    params: list[dict] = field(default_factory=list)

    def metrics(self, Y: np.ndarray, targets: list[str]) -> dict[str, dict]:
        done = self.fold >= 0
        return {t: regression_metrics(Y[done, j], self.oof[done, j])
                for j, t in enumerate(targets)}


class FoldStore(Protocol):
    """Keeps finished folds of a long run (see ``run_model``)."""

    def load(self, k: int) -> ModelRun | None: ...

    def save(self, k: int, part: ModelRun) -> None: ...


def run_model(name: str, build: Builder, X: object, Y: np.ndarray, splits: list[Split], *,
              seed: int = 0, space: dict | None = None, tune_trials: int = 0,
              storage: str | None = None, study_prefix: str = "",
              on_fold: Callable[[int], None] | None = None,
              fold_store: FoldStore | None = None, fold_jobs: int = 1,
              build_alone: Builder | None = None) -> ModelRun:
    """Fit ``build(params, seed)`` on each split's training rows, predict its test rows.

    With ``fold_store``, each finished fold (model, test predictions, times, tuned parameters)
    is saved as it completes and folds already saved are loaded instead of refitted, so an
    interrupted run of a slow model loses at most the fold in progress. ``fold_jobs`` > 1 fits
    that many folds at once in worker processes (the builder should then give each model its
    share of the threads): on a CPU, two one-thread network fits finish sooner than two
    two-thread fits one after the other. Results do not depend on the order folds finish in.
    ``build_alone`` (the builder with all the threads) fits the folds left over when the folds
    to fit do not divide among the ``fold_jobs`` workers (5 folds on 2: the fifth), one at a
    time after the others, instead of one worker's share of the threads with the rest idle.
    """
    Y = np.asarray(Y, float).reshape(len(Y), -1)
    parts: dict[int, ModelRun] = {}
    todo = []
    for k, (_, te) in enumerate(splits):
        part = fold_store.load(k) if fold_store is not None else None
        if part is not None and np.array_equal(part.fold, te):
            parts[k] = part
            if on_fold is not None:
                on_fold(k)
        else:
            todo.append(k)
    fit, fit_alone = (
        partial(_fit_fold, name, b, X, Y, seed=seed, space=space, tune_trials=tune_trials,
                storage=storage, study_prefix=study_prefix) for b in (build, build_alone or build))
    together = todo
    if build_alone is not None and fold_jobs > 1:
        together = todo[:len(todo) - len(todo) % fold_jobs]
    if fold_jobs > 1 and len(together) > 1:
        from joblib import Parallel, delayed

        finished = Parallel(n_jobs=min(fold_jobs, len(together)),
                            return_as="generator_unordered")(
            delayed(_numbered)(fit, k, *splits[k]) for k in together)
    else:
        finished = (_numbered(fit, k, *splits[k]) for k in together)
    alone = (_numbered(fit_alone, k, *splits[k]) for k in todo[len(together):])
    for k, part in chain(finished, alone):
        if fold_store is not None:
            fold_store.save(k, part)
        parts[k] = part
        if on_fold is not None:
            on_fold(k)
    oof = np.full(Y.shape, np.nan)
    fold = np.full(len(Y), -1)
    for k in range(len(splits)):
        oof[parts[k].fold] = parts[k].oof
        fold[parts[k].fold] = k
    ordered = [parts[k] for k in range(len(splits))]
    return ModelRun(name, oof, fold, [e for p in ordered for e in p.fitted],
                    sum(p.fit_seconds for p in ordered), sum(p.predict_seconds for p in ordered),
                    [q for p in ordered for q in p.params])


def _numbered(fit: Callable[..., ModelRun], k: int, tr: np.ndarray, te: np.ndarray
              ) -> tuple[int, ModelRun]:
    return k, fit(tr, te, k)


def _fit_fold(name: str, build: Builder, X: object, Y: np.ndarray, tr: np.ndarray,
              te: np.ndarray, k: int, *, seed: int, space: dict | None, tune_trials: int,
              storage: str | None, study_prefix: str) -> ModelRun:
    """One fold as a ``ModelRun`` whose ``oof`` holds the test rows ``te`` (and ``fold`` = te)."""
    params: dict = {}
    if tune_trials > 0 and space:
        if storage is None:
            raise ConfigError("tuning needs a storage file for its Optuna studies")
        inner = [(tr[a], tr[b]) for a, b in kfold_splits(len(tr), 3, seed + k)]
        params, _ = tune(lambda p: build(p, seed + k), space, X, Y, inner,
                         n_trials=tune_trials, storage=storage,
                         study_name=f"{study_prefix}{name}-fold{k}", seed=seed + k)
    est = build(params, seed + k)
    t0 = time.perf_counter()
    est.fit(X[tr], Y[tr] if Y.shape[1] > 1 else Y[tr, 0])
    t1 = time.perf_counter()
    pred = np.asarray(est.predict(X[te]), float).reshape(len(te), -1)
    return ModelRun(name, pred, np.asarray(te), [est], t1 - t0, time.perf_counter() - t1,
                    [params])


def leaderboard_rows(run: ModelRun, Y: np.ndarray, targets: list[str], **labels: object
                     ) -> list[dict]:
    """One row per target: labels + n, MAE, RMSE, R², error σ, fit and predict seconds, and the
    tuned parameters of each fold (JSON) when there was tuning."""
    rows = []
    tuned = json.dumps(run.params, default=float) if any(run.params) else ""
    for t, m in run.metrics(Y, targets).items():
        rows.append({**labels, "model": run.model, "target": t, "n": m["n"], "mae": m["mae"],
                     "rmse": m["rmse"], "r2": m["r2"], "error_std": m["error_std"],
                     "fit_s": run.fit_seconds, "predict_s": run.predict_seconds,
                     "tuned_params": tuned})
    return rows


def rank_leaderboard(rows: list[dict]) -> pd.DataFrame:
    """Sorted by split, scheme, target, then MAE (best first), with a rank per group."""
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    keys = [c for c in ("split", "scheme", "target") if c in df.columns]
    df = df.sort_values(keys + ["mae"]).reset_index(drop=True)
    df.insert(0, "rank", df.groupby(keys).cumcount() + 1)
    return df


def feature_count_curve(build: Builder, X: object, Y: np.ndarray, splits: list[Split],
                        counts: Sequence[int], targets: list[str], *, method: str = "correlation",
                        seed: int = 0) -> pd.DataFrame:
    """Validation MAE against the number of selected features ``k``.

    The selector is fitted inside each fold on its training rows, so the choice of columns never
    sees the rows it is scored on.
    """
    from redoxscreen.features.selection import FeatureSelector

    Y = np.asarray(Y, float).reshape(len(Y), -1)
    n_cols = X.shape[1]
    rows = []
    for k in sorted({min(int(c), n_cols) for c in counts}):
        oof = np.full(Y.shape, np.nan)
        for f, (tr, te) in enumerate(splits):
            sel = FeatureSelector(k, method, seed=seed).fit(X[tr], Y[tr])
            est = build({}, seed + f)
            est.fit(sel.transform(X[tr]), Y[tr] if Y.shape[1] > 1 else Y[tr, 0])
            oof[te] = np.asarray(est.predict(sel.transform(X[te]))).reshape(len(te), -1)
        row = {"k": k}
        for j, t in enumerate(targets):
            row[f"{t}_mae"] = regression_metrics(Y[:, j], oof[:, j])["mae"]
        rows.append(row)
    return pd.DataFrame(rows)
