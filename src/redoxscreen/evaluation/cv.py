"""One cross-validation engine: fold models, out-of-fold predictions, resumable and parallel folds.

``train``, ``search``, ``compare``, Optuna tuning and the feature-count curve all fit their folds
here. Fold ``k`` is fitted with seed ``seed + k`` on its training rows only (early stopping and
tuning included), so every out-of-fold prediction comes from a model that never saw the row.

Finished folds can be kept on disk (:class:`FoldStore`), ``DIR/fold<k>/``: ``fold.json`` (the
fold model's config, times, tuned parameters) and ``fold.safetensors`` (the model's arrays, the
test rows and their predictions). A fold is written to a temporary directory and renamed into
place, so a killed run never leaves half a fold; a stored fold is used only for the same test
rows.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from itertools import chain
from pathlib import Path
from typing import Protocol

import numpy as np
from safetensors.numpy import load_file, save_file
from sklearn.base import BaseEstimator, clone

from redoxscreen.data.splits import Split
from redoxscreen.evaluation.metrics import metrics_by_target
from redoxscreen.models.serialize import estimator_from_state, estimator_to_state
from redoxscreen.runtime.jsonio import write_json

Builder = Callable[[dict, int], BaseEstimator]  # (params, seed) → a fresh estimator


def as_builder(estimator: BaseEstimator) -> Builder:
    """A builder from a prototype: a clone with the given parameters and seed."""
    def build(params: dict, seed: int) -> BaseEstimator:
        est = clone(estimator).set_params(**params)
        return est.set_params(seed=seed) if "seed" in est.get_params() else est

    return build


@dataclass
class FoldFit:
    """One fitted fold: its test rows and their predictions ``(len(test), t)``."""

    test: np.ndarray
    pred: np.ndarray
    model: BaseEstimator | None
    fit_seconds: float
    predict_seconds: float
    params: dict = field(default_factory=dict)


class FoldStore:
    """Finished folds of a long run, on disk in ``directory`` (see the module docstring)."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def _path(self, k: int) -> Path:
        return self.directory / f"fold{k}"

    def load(self, k: int, test: np.ndarray) -> FoldFit | None:
        path = self._path(k)
        if not (path / "fold.json").exists():
            return None
        meta = json.loads((path / "fold.json").read_text())
        arrays = load_file(str(path / "fold.safetensors"))
        if not np.array_equal(arrays["__test"], test):
            return None
        return FoldFit(arrays["__test"], arrays["__pred"],
                       estimator_from_state(meta["estimator"], arrays), meta["fit_seconds"],
                       meta["predict_seconds"], meta["params"])

    def save(self, k: int, fit: FoldFit) -> None:
        path = self._path(k)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        config, arrays = estimator_to_state(fit.model)
        arrays = {**arrays, "__pred": fit.pred, "__test": np.asarray(fit.test, np.int64)}
        save_file({a: np.ascontiguousarray(v) for a, v in arrays.items()},
                  str(tmp / "fold.safetensors"))
        write_json(tmp / "fold.json", {"estimator": config, "fit_seconds": fit.fit_seconds,
                                       "predict_seconds": fit.predict_seconds,
                                       "params": fit.params})
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)

    def clear(self) -> None:
        if self.directory.exists():
            shutil.rmtree(self.directory)


class Tuner(Protocol):
    """Chooses a fold's parameters on its training rows (:class:`~.search.Tuning`)."""

    def best_params(self, name: str, build: Builder, X: object, Y: np.ndarray,
                    train: np.ndarray, k: int, seed: int) -> dict: ...


@dataclass
class CVResult:
    """Out-of-fold predictions ``oof`` ``(n, t)`` (NaN where a row was in no test set), the fold
    of each row (``-1``: none), the fold models and, per fold, times and tuned parameters."""

    name: str
    targets: list[str]
    y: np.ndarray
    oof: np.ndarray
    fold: np.ndarray
    models: list[BaseEstimator]
    fit_seconds: list[float]
    predict_seconds: list[float]
    params: list[dict] = field(default_factory=list)

    @classmethod
    def from_folds(cls, name: str, targets: list[str], y: np.ndarray, folds: list[FoldFit]
                   ) -> CVResult:
        oof = np.full(y.shape, np.nan)
        fold = np.full(len(y), -1)
        for k, f in enumerate(folds):
            oof[f.test] = f.pred
            fold[f.test] = k
        return cls(name, list(targets), y, oof, fold, [f.model for f in folds],
                   [f.fit_seconds for f in folds], [f.predict_seconds for f in folds],
                   [f.params for f in folds])

    @cached_property
    def metrics(self) -> dict[str, dict]:
        """Per target, over every out-of-fold prediction."""
        done = self.fold >= 0
        return metrics_by_target(self.y[done], self.oof[done], self.targets)

    @property
    def fold_metrics(self) -> list[dict[str, dict]]:
        return [metrics_by_target(self.y[self.fold == k], self.oof[self.fold == k], self.targets)
                for k in range(int(self.fold.max()) + 1)]

    def mean_mae(self) -> float:
        """Mean over targets of the out-of-fold MAE (what searches minimise)."""
        return float(np.nanmean([m["mae"] for m in self.metrics.values()]))


def cross_validate(build: Builder | BaseEstimator, X: object, Y: np.ndarray,
                   splits: Sequence[Split], targets: Sequence[str] | None = None, *,
                   name: str = "model", seed: int = 0, fold_store: FoldStore | None = None,
                   fold_jobs: int = 1, build_alone: Builder | None = None,
                   tuner: Tuner | None = None,
                   on_fold: Callable[[int, FoldFit], None] | None = None,
                   epoch_callback: Callable[[int, dict], None] | None = None) -> CVResult:
    """Fit ``build(params, seed + k)`` on each split's training rows and predict its test rows.

    ``build`` is a builder or an estimator to clone. With ``fold_store``, each finished fold is
    saved as it completes and folds already saved (for the same test rows) are loaded instead
    of refitted. ``fold_jobs > 1`` fits that many folds at once in worker processes (the builder
    should then give each model its share of the threads); ``build_alone`` (all the threads)
    fits the folds left over when they do not divide among the workers (5 folds on 2: the
    fifth). Results do not depend on the order folds finish in. ``tuner`` picks each fold's
    parameters on its training rows; ``epoch_callback`` reaches nets that take one (serial
    folds only); ``on_fold(k, fit)`` follows every fold, stored ones first.
    """
    build = as_builder(build) if isinstance(build, BaseEstimator) else build
    Y = np.asarray(Y, float).reshape(len(Y), -1)
    targets = list(targets) if targets is not None else [f"y{j}" for j in range(Y.shape[1])]
    folds: dict[int, FoldFit] = {}
    todo = []
    for k, (_, te) in enumerate(splits):
        stored = fold_store.load(k, te) if fold_store is not None else None
        if stored is not None:
            folds[k] = stored
            if on_fold is not None:
                on_fold(k, stored)
        else:
            todo.append(k)
    fit, fit_alone = (partial(_fit_fold, name, b, X, Y, seed=seed, tuner=tuner,
                              epoch_callback=epoch_callback if fold_jobs <= 1 else None)
                      for b in (build, build_alone or build))
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
    for k, done in chain(finished, alone):
        if fold_store is not None:
            fold_store.save(k, done)
        folds[k] = done
        if on_fold is not None:
            on_fold(k, done)
    return CVResult.from_folds(name, targets, Y, [folds[k] for k in range(len(splits))])


def _numbered(fit: Callable[..., FoldFit], k: int, tr: np.ndarray, te: np.ndarray
              ) -> tuple[int, FoldFit]:
    return k, fit(tr, te, k)


def _fit_fold(name: str, build: Builder, X: object, Y: np.ndarray, tr: np.ndarray,
              te: np.ndarray, k: int, *, seed: int, tuner: Tuner | None,
              epoch_callback: Callable[[int, dict], None] | None) -> FoldFit:
    params = tuner.best_params(name, build, X, Y, tr, k, seed) if tuner is not None else {}
    est = build(params, seed + k)
    kwargs = ({"epoch_callback": epoch_callback} if epoch_callback is not None
              and "epoch_callback" in inspect.signature(est.fit).parameters else {})
    t0 = time.perf_counter()
    est.fit(X[tr], Y[tr] if Y.shape[1] > 1 else Y[tr, 0], **kwargs)
    t1 = time.perf_counter()
    pred = np.asarray(est.predict(X[te]), float).reshape(len(te), -1)
    return FoldFit(np.asarray(te), pred, est, t1 - t0, time.perf_counter() - t1, params)
