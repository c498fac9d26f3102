"""Searches: a grid of configurations (data, YAML/JSON) or an Optuna search space, one engine.

Both are Optuna studies kept in an SQLite file: a grid's configurations are enqueued as trials,
a search space is sampled by TPE. Each trial is scored by the CV engine
(:func:`~redoxscreen.evaluation.cv.cross_validate`), so an interrupted search resumes at the
trial in progress, and a grid works for any registered model.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from redoxscreen.data.splits import kfold_splits
from redoxscreen.evaluation.cv import Builder, cross_validate
from redoxscreen.runtime.errors import ConfigError

FEATURE_KEYS = ("radius", "n_bits")
Objective = Callable[[dict], tuple[float, dict]]  # params → (score to minimise, what to record)


@dataclass
class Grid:
    """A named list of configurations; each mixes fingerprint keys and estimator parameters
    of ``model`` (a registered model name)."""

    name: str
    preset: str
    folds: int
    fingerprint: str  # "bits" or "counts"
    configs: list[dict]
    model: str = "fcnn"

    def featurizer_spec(self, config: dict) -> str:
        kind = "bits-only" if self.fingerprint == "bits" else "counts"
        return f"ecfp:r={config['radius']},bits={config['n_bits']},{kind}"

    @staticmethod
    def estimator_params(config: dict) -> dict:
        params = {k: v for k, v in config.items() if k not in FEATURE_KEYS}
        if "hidden_layer_sizes" in params:
            params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
        return params


def builtin_grids() -> list[str]:
    return sorted(p.name.removesuffix(".yaml")
                  for p in resources.files("redoxscreen.evaluation.grids").iterdir()
                  if p.name.endswith(".yaml"))


def load_grid(name_or_path: str) -> Grid:
    """A built-in grid by name (``thesis``, ``quick``) or a YAML/JSON file."""
    path = Path(name_or_path)
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        if not path.exists():
            raise ConfigError(f"{path}: grid file not found")
        text = path.read_text()
        source = str(path)
    else:
        if name_or_path not in builtin_grids():
            raise ConfigError(f"unknown grid {name_or_path!r}; built-in grids: "
                              f"{', '.join(builtin_grids())}, or pass a .yaml/.json file")
        grids = resources.files("redoxscreen.evaluation.grids")
        text = (grids / f"{name_or_path}.yaml").read_text()
        source = name_or_path
    try:
        raw = json.loads(text) if source.endswith(".json") else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{source}: cannot parse grid ({exc})") from exc
    return parse_grid(raw, source)


def parse_grid(raw: dict, source: str = "grid") -> Grid:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: a grid is a mapping with 'product' and/or 'extra'")
    configs: list[dict] = []
    product = raw.get("product") or {}
    if product:
        keys = list(product)
        for values in itertools.product(*(product[k] for k in keys)):
            configs.append(dict(zip(keys, values, strict=True)))
    configs += [dict(c) for c in raw.get("extra") or []]
    if not configs:
        raise ConfigError(f"{source}: the grid has no configurations")
    for i, c in enumerate(configs):
        missing = [k for k in FEATURE_KEYS if k not in c]
        if missing:
            raise ConfigError(f"{source}: configuration {i + 1} lacks {', '.join(missing)}")
    fingerprint = raw.get("fingerprint", "counts")
    if fingerprint not in ("bits", "counts"):
        raise ConfigError(f"{source}: fingerprint must be 'bits' or 'counts'")
    return Grid(name=raw.get("name", source), preset=raw.get("preset", "default"),
                folds=int(raw.get("folds", 2)), fingerprint=fingerprint, configs=configs,
                model=raw.get("model", "fcnn"))


def config_label(config: dict) -> str:
    layers = "-".join(str(x) for x in config.get("hidden_layer_sizes", []))
    rest = {k: v for k, v in config.items() if k not in (*FEATURE_KEYS, "hidden_layer_sizes")}
    extra = "".join(f" {k}={v}" for k, v in rest.items())
    return f"r{config['radius']}/{config['n_bits']}/{layers}{extra}"


def rank_results(rows: list[dict]) -> pd.DataFrame:
    """Table of configurations sorted by mean validation MAE (best first)."""
    df = pd.DataFrame(rows)
    df["rank"] = df["val_mae"].rank(method="min").astype(int)
    return df.sort_values(["val_mae", "config"]).reset_index(drop=True)


def best_config(results: pd.DataFrame) -> dict:
    row = results.iloc[int(np.argmin(results["val_mae"].to_numpy()))]
    return json.loads(row["config_json"])


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
        kind, log = spec[0], len(spec) > 3 and spec[3] == "log"
        if kind == "categorical":
            params[name] = trial.suggest_categorical(name, list(spec[1]))
        elif kind == "int":
            params[name] = trial.suggest_int(name, int(spec[1]), int(spec[2]), log=log)
        else:
            params[name] = trial.suggest_float(name, float(spec[1]), float(spec[2]), log=log)
    return params


def storage_url(storage: str | Path) -> str:
    """An Optuna storage URL: a database URL as given (``postgresql://user@host/db``, shared by
    every machine that runs the same command), or a path → its SQLite file."""
    text = str(storage)
    return text if "://" in text else f"sqlite:///{Path(text).resolve()}"


def redact(url: str) -> str:
    """``url`` without its password (what a run's config records)."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def open_study(storage: str | Path, study_name: str, seed: int) -> object:
    """The study ``study_name`` in ``storage`` (created if new), or a clear error when the
    database cannot be reached."""
    import optuna

    url = storage_url(storage)
    try:
        return optuna.create_study(study_name=study_name, storage=url, load_if_exists=True,
                                   direction="minimize",
                                   sampler=optuna.samplers.TPESampler(seed=seed))
    except ImportError as exc:
        raise ConfigError(f"Optuna storage {redact(url)} needs its database driver ({exc}); "
                          "for PostgreSQL: pip install 'redoxscreen[scale]'") from exc
    except Exception as exc:  # SQLAlchemy's OperationalError and kin: no server, no rights
        if type(exc).__module__.startswith("sqlalchemy"):
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ConfigError(f"cannot open the Optuna storage {redact(url)} ({first}); check "
                              "that the database server runs and the URL's user, host and "
                              "database exist") from exc
        raise


def run_study(objective: Objective, *, storage: str | Path, study_name: str, seed: int = 0,
              candidates: list[dict] | None = None, space: dict | None = None,
              n_trials: int = 0, catch: tuple[type[Exception], ...] = ()) -> list:
    """Score parameter sets with ``objective``; returns the study's completed trials.

    ``candidates`` (a grid): each once, in order — those finished in an earlier run are not run
    again. ``space``: TPE suggestions up to ``n_trials`` in total, finished ones counted. What
    ``objective`` returns besides the score is kept as the trial's user attributes.
    """
    import optuna

    optuna.logging.set_verbosity(logging.WARNING)
    study = open_study(storage, study_name, seed)
    state = optuna.trial.TrialState
    complete = [t for t in study.trials if t.state == state.COMPLETE]
    if candidates is not None:
        done = {t.user_attrs.get("config_json") for t in complete}
        waiting = {t.user_attrs.get("config_json") for t in study.trials
                   if t.state == state.WAITING}
        keys = [json.dumps(c, sort_keys=True) for c in candidates]
        for key in dict.fromkeys(k for k in keys if k not in done | waiting):
            study.enqueue_trial({}, user_attrs={"config_json": key})
        n_new = len({k for k in keys if k not in done})

        def params_of(trial: object) -> dict:
            return json.loads(trial.user_attrs["config_json"])
    else:
        n_new = n_trials - len(complete) if space else 0

        def params_of(trial: object) -> dict:
            return suggest(trial, space)

    def run(trial: object) -> float:
        score, attrs = objective(params_of(trial))
        for key, value in attrs.items():
            trial.set_user_attr(key, value)
        return score

    if n_new > 0:
        study.optimize(run, n_trials=n_new, catch=catch)
    return [t for t in study.trials if t.state == state.COMPLETE]


@dataclass(frozen=True)
class Tuning:
    """Optuna tuning nested in each outer fold: TPE over ``space``, each trial scored by an
    inner ``inner_folds``-fold CV of the fold's training rows only, so the outer test fold
    never influences the choice. Studies ``<prefix><model>-fold<k>`` live in ``storage``."""

    space: dict
    n_trials: int
    storage: str
    study_prefix: str = ""
    inner_folds: int = 3

    def best_params(self, name: str, build: Builder, X: object, Y: np.ndarray,
                    train: np.ndarray, k: int, seed: int) -> dict:
        if not self.space or self.n_trials <= 0:
            return {}
        inner = [(train[a], train[b])
                 for a, b in kfold_splits(len(train), self.inner_folds, seed + k)]

        def objective(params: dict) -> tuple[float, dict]:
            # every inner fit uses the outer fold's seed: the score then ranks parameters only
            res = cross_validate(lambda _p, _s: build(params, seed + k), X, Y, inner, name=name)
            return res.mean_mae(), {}

        trials = run_study(objective, storage=self.storage, seed=seed + k,
                           study_name=f"{self.study_prefix}{name}-fold{k}", space=self.space,
                           n_trials=self.n_trials, catch=(ValueError, ArithmeticError))
        return dict(min(trials, key=lambda t: t.value).params) if trials else {}
