"""Models by name: ``--model NAME``, ``compare --models``, ``--set`` and saved model files.

A model is a scikit-learn regressor registered with :func:`register_model`. Its name selects
it on the command line and names it in ``model.json``; its settings are its constructor's
parameters; it is saved by its own ``to_state``/``from_state`` pair when it has one, else by
the allow-listed state codec of :mod:`redoxscreen.models.sk_state` (no pickle either way).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sklearn.base import BaseEstimator

from redoxscreen.models.sk_state import allow
from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.registry import Part, Registry

T = TypeVar("T", bound=type)
_BUILTIN = ("fcnn", "zoo", "tanimoto_gp", "dmpnn", "ensemble", "stacking", "transfer", "distill")
RUNTIME = ("seed", "random_state", "n_jobs", "n_threads", "verbose", "device")


def _load_builtin() -> None:
    for module in _BUILTIN:
        importlib.import_module(f"redoxscreen.models.{module}")


def _prepare(part: Part) -> None:
    if isinstance(part.factory, type):  # a class: it knows what it reads, and may be saved
        part.factory.input_kind = part.reads or "features"
        allow(part.factory)


MODELS = Registry("model", load=_load_builtin, runtime=RUNTIME, on_add=_prepare)


def register_model(name: str, *, reads: str = "features", description: str | None = None,
                   settings: Mapping[str, Any] | None = None, listed: bool = True,
                   build: Callable[..., BaseEstimator] | None = None) -> Callable[[T], T]:
    """Class decorator: ``name`` on the command line and in saved files.

    ``reads``: ``"features"`` (a feature matrix) or ``"smiles"`` (molecules, as graph nets);
    ``build(cls, settings, context)`` replaces ``cls(**settings)`` when construction needs
    the run's context (the FCNN's preset); ``listed=False`` for building blocks (ensembles)."""
    return MODELS.register(name, reads=reads, description=description, settings=settings,
                           listed=listed, build=build)


@dataclass(frozen=True)
class BuildContext:
    """What a run decides for every model: seed, threads, an epoch cap, the FCNN preset."""

    seed: int = 0
    n_jobs: int = 1
    max_epochs: int | None = None
    preset: str = "default"


def make_estimator(name: str, params: Mapping[str, Any] | None = None, *, seed: int = 0,
                   n_jobs: int = 1, max_epochs: int | None = None,
                   preset: str = "default") -> BaseEstimator:
    """A fresh estimator; ``params`` override its defaults. An unknown model or setting raises
    :class:`ConfigError` here, not when the model is fitted."""
    part = MODELS[name]
    if not part.listed:  # a building block (an ensemble of fitted models), not a choice
        raise ConfigError(f"unknown model {name!r}; known: {', '.join(MODELS.names())}")
    params = dict(params or {})
    MODELS.check_settings(name, params)
    try:
        return build_part(part, params, BuildContext(seed, n_jobs, max_epochs, preset))
    except (TypeError, ValueError) as exc:  # an ill-typed setting, an unknown preset
        raise ConfigError(f"model {name!r} with settings {params}: {exc}") from exc


def build_part(part: Part, params: dict, ctx: BuildContext) -> BaseEstimator:
    build = part.options.get("build")
    est = build(part.factory, params, ctx) if build else part.factory(**params)
    own = est.get_params(deep=False)
    runtime = {"seed": ctx.seed, "random_state": ctx.seed, "n_jobs": ctx.n_jobs,
               "n_threads": ctx.n_jobs}
    if ctx.max_epochs is not None:
        runtime["max_epochs"] = ctx.max_epochs
    est.set_params(**{k: v for k, v in runtime.items() if k in own})
    return est

