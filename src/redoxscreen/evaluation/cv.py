"""k-fold cross-validation with out-of-fold predictions and per-fold metrics."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator, clone

from redoxscreen.evaluation.metrics import metrics_by_target

Split = tuple[np.ndarray, np.ndarray]


@dataclass
class CVResult:
    """Outcome of :func:`cross_validate`.

    ``oof_pred`` holds each molecule's prediction by the fold model that did not see it;
    ``fold`` its fold index; ``metrics`` are computed over all out-of-fold predictions,
    ``fold_metrics`` fold by fold.
    """

    targets: list[str]
    oof_pred: np.ndarray
    fold: np.ndarray
    models: list[BaseEstimator]
    metrics: dict[str, dict]
    fold_metrics: list[dict[str, dict]]
    fit_seconds: list[float] = field(default_factory=list)

    def mean_mae(self) -> float:
        return float(np.mean([m["mae"] for m in self.metrics.values()]))


def cross_validate(
    estimator: BaseEstimator,
    X: object,
    Y: np.ndarray,
    splits: Sequence[Split],
    targets: list[str],
    *,
    seed: int = 0,
    on_fold: Callable[[int, dict], None] | None = None,
    epoch_callback: Callable[[int, dict], None] | None = None,
) -> CVResult:
    """Fit a clone of ``estimator`` per split (seed ``seed + fold``) and predict its held-out rows.

    Tuning inside a fold (early stopping, best epoch) only uses that fold's training rows.
    """
    Y = np.asarray(Y, float).reshape(len(Y), -1)
    oof = np.full(Y.shape, np.nan)
    fold_of = np.full(len(Y), -1)
    models, fold_metrics, times = [], [], []
    for k, (tr, va) in enumerate(splits):
        model = clone(estimator)
        if "seed" in model.get_params():
            model.set_params(seed=seed + k)
        t0 = time.perf_counter()
        fit_kwargs = {"epoch_callback": epoch_callback} if epoch_callback is not None else {}
        model.fit(X[tr], Y[tr] if Y.shape[1] > 1 else Y[tr, 0], **fit_kwargs)
        times.append(time.perf_counter() - t0)
        pred = np.asarray(model.predict(X[va])).reshape(len(va), -1)
        oof[va] = pred
        fold_of[va] = k
        fm = metrics_by_target(Y[va], pred, targets)
        fold_metrics.append(fm)
        models.append(model)
        if on_fold is not None:
            on_fold(k, fm)
    done = fold_of >= 0
    return CVResult(
        targets=targets,
        oof_pred=oof,
        fold=fold_of,
        models=models,
        metrics=metrics_by_target(Y[done], oof[done], targets),
        fold_metrics=fold_metrics,
        fit_seconds=times,
    )
