"""Regression metrics per target, ignoring missing labels."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

METRIC_NAMES = ("n", "r2", "mae", "rmse", "error_std", "mean_error")


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    """R², MAE, RMSE, error standard deviation and mean error (bias) on the labelled rows.

    ``error_std`` is the standard deviation of the residuals ``y_pred − y_true`` (the study's
    "standard deviation"); its 1.96× band is the study's global 95 % interval.
    """
    y_true, y_pred = np.asarray(y_true, float).ravel(), np.asarray(y_pred, float).ravel()
    mask = ~(np.isnan(y_true) | np.isnan(y_pred))
    yt, yp = y_true[mask], y_pred[mask]
    if len(yt) == 0:
        return {k: float("nan") for k in METRIC_NAMES} | {"n": 0}
    err = yp - yt
    return {
        "n": int(len(yt)),
        "r2": float(r2_score(yt, yp)) if len(yt) > 1 else float("nan"),
        "mae": float(mean_absolute_error(yt, yp)),
        "rmse": float(np.sqrt(mean_squared_error(yt, yp))),
        "error_std": float(err.std(ddof=1)) if len(yt) > 1 else float("nan"),
        "mean_error": float(err.mean()),
    }


def metrics_by_target(Y: np.ndarray, P: np.ndarray, targets: list[str]) -> dict[str, dict]:
    Y, P = Y.reshape(len(Y), -1), P.reshape(len(P), -1)
    return {t: regression_metrics(Y[:, j], P[:, j]) for j, t in enumerate(targets)}
