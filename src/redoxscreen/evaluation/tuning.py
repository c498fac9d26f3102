"""Hyper-parameter tuning with Optuna, nested inside the outer CV folds.

For each outer fold, an Optuna study scores parameter sets by an inner k-fold CV on that fold's
training rows only, so the outer test fold never influences the choice. Studies live in one
SQLite file (``storage``): an interrupted search resumes where it stopped (finished trials are
kept and counted), and several processes can share a study.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from sklearn.base import BaseEstimator

from redoxscreen.errors import ConfigError

Builder = Callable[[dict], BaseEstimator]


def load_spaces(path: str | Path | None = None) -> dict[str, dict]:
    """Search spaces per model name (the packaged ``spaces.yaml`` or a user file)."""
    if path is None:
        text = resources.files("redoxscreen.evaluation").joinpath("grids/spaces.yaml").read_text()
        source = "spaces.yaml"
    else:
        if not Path(path).exists():
            raise ConfigError(f"{path}: search-space file not found")
        text, source = Path(path).read_text(), str(path)
    spaces = yaml.safe_load(text) or {}
    for model, space in spaces.items():
        for name, spec in (space or {}).items():
            if not isinstance(spec, list) or spec[0] not in ("float", "int", "categorical"):
                raise ConfigError(f"{source}: {model}.{name}: write [float|int, low, high(, log)] "
                                  "or [categorical, [choices]]")
    return {m: dict(s or {}) for m, s in spaces.items()}


def suggest(trial: object, space: dict) -> dict:
    """One parameter set from an Optuna trial."""
    params = {}
    for name, spec in space.items():
        kind = spec[0]
        if kind == "categorical":
            params[name] = trial.suggest_categorical(name, list(spec[1]))
        elif kind == "int":
            params[name] = trial.suggest_int(name, int(spec[1]), int(spec[2]),
                                             log=len(spec) > 3 and spec[3] == "log")
        else:
            params[name] = trial.suggest_float(name, float(spec[1]), float(spec[2]),
                                               log=len(spec) > 3 and spec[3] == "log")
    return params


def inner_cv_mae(build: Builder, params: dict, X: object, Y: np.ndarray,
                 splits: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Mean over targets of the inner-CV MAE (labelled rows only)."""
    Y = Y.reshape(len(Y), -1)
    errs = np.full(Y.shape, np.nan)
    for tr, va in splits:
        est = build(params).fit(X[tr], Y[tr] if Y.shape[1] > 1 else Y[tr, 0])
        errs[va] = np.abs(np.asarray(est.predict(X[va])).reshape(len(va), -1) - Y[va])
    return float(np.nanmean(np.nanmean(errs, axis=0)))


def tune(build: Builder, space: dict, X: object, Y: np.ndarray,
         inner_splits: list[tuple[np.ndarray, np.ndarray]], *, n_trials: int,
         storage: str | Path, study_name: str, seed: int = 0) -> tuple[dict, float]:
    """Best parameters and their inner-CV MAE; resumes the study ``study_name`` in ``storage``.

    ``n_trials`` is the total wanted: trials finished in an earlier (interrupted) run count.
    An empty ``space`` returns ``({}, nan)`` without a study.
    """
    if not space:
        return {}, float("nan")
    import optuna

    optuna.logging.set_verbosity(logging.WARNING)
    study = optuna.create_study(
        study_name=study_name, storage=f"sqlite:///{Path(storage).resolve()}",
        load_if_exists=True, direction="minimize",
        sampler=optuna.samplers.TPESampler(seed=seed))
    done = sum(t.state == optuna.trial.TrialState.COMPLETE for t in study.trials)
    if done < n_trials:
        study.optimize(lambda trial: inner_cv_mae(build, suggest(trial, space), X, Y,
                                                  inner_splits),
                       n_trials=n_trials - done, catch=(ValueError, ArithmeticError))
    best = study.best_trial
    return dict(best.params), float(best.value)
