"""Many models on the same splits: a leaderboard, and the error against the number of features.

The folds themselves are fitted by the CV engine (:mod:`redoxscreen.evaluation.cv`); the splits
(random and scaffold, k-fold and hold-out) come from :mod:`redoxscreen.data.splits`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from redoxscreen.data.splits import Split
from redoxscreen.evaluation.cv import Builder, CVResult, cross_validate


def leaderboard_rows(run: CVResult, **labels: object) -> list[dict]:
    """One row per target: labels + n, MAE, RMSE, R², error σ, fit and predict seconds, and the
    tuned parameters of each fold (JSON) when there was tuning."""
    tuned = json.dumps(run.params, default=float) if any(run.params) else ""
    return [{**labels, "model": run.name, "target": t, "n": m["n"], "mae": m["mae"],
             "rmse": m["rmse"], "r2": m["r2"], "error_std": m["error_std"],
             "fit_s": sum(run.fit_seconds), "predict_s": sum(run.predict_seconds),
             "tuned_params": tuned} for t, m in run.metrics.items()]


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

    The selector is fitted inside each fold on its training rows (it is the first step of the
    fold's pipeline), so the choice of columns never sees the rows it is scored on.
    """
    from redoxscreen.features.selection import FeatureSelector

    Y = np.asarray(Y, float).reshape(len(Y), -1)
    rows = []
    for k in sorted({min(int(c), X.shape[1]) for c in counts}):
        def select_then_fit(params: dict, fold_seed: int, k: int = k) -> Pipeline:
            return Pipeline([("select", FeatureSelector(k, method, seed=seed)),
                             ("model", build(params, fold_seed))])

        res = cross_validate(select_then_fit, X, Y, splits, targets, seed=seed)
        rows.append({"k": k, **{f"{t}_mae": m["mae"] for t, m in res.metrics.items()}})
    return pd.DataFrame(rows)
