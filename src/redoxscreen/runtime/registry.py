"""The one registry mechanism for pluggable parts: models, featurizers, oracles, intervals ...

A part is registered under a name with what it reads, its settings and a description; the CLI's
help lists, ``--set`` validation and ``redoxscreen models`` come from here, so a new part is one
decorator in one file (chemprop v2's ``ClassRegistry`` is the model)::

    @register_model("toy", reads="features")     # = MODELS.register(...)
    class ToyRegressor(RegressorMixin, BaseEstimator): ...

Settings default to the keyword parameters of the part's constructor, less the run-time ones the
registry fills in itself (seed, threads). Parts outside redoxscreen arrive in two ways: imported
by the user's code (as in a test), or installed with an entry point in the group
``redoxscreen.plugins`` whose module registers its parts when imported.
"""

from __future__ import annotations

import importlib
import inspect
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, TypeVar

from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.jsonio import json_default

T = TypeVar("T")
PLUGIN_GROUP = "redoxscreen.plugins"
_REGISTRIES: list[Registry] = []
_plugins_loaded = False


@dataclass(frozen=True)
class Part:
    """One registered part. ``factory`` builds it (a class, or a function returning one);
    ``reads`` is ``"features"`` (a feature matrix), ``"smiles"`` (molecules) or ``None``;
    ``settings`` maps each setting a user may change to its default; ``options`` holds what a
    particular registry needs besides (a model's build hook, a featurizer's spec aliases)."""

    name: str
    factory: Callable[..., Any]
    kind: str
    description: str = ""
    reads: str | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)
    listed: bool = True
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def module(self) -> str:
        return getattr(self.factory, "__module__", "") or ""

    def describe(self) -> dict:
        """JSON-safe description (listings, ``--json``)."""
        settings = json.loads(json.dumps(dict(self.settings), default=_or_repr))
        options = {k: v for k, v in self.options.items() if not callable(v)}
        return {"name": self.name, "kind": self.kind, "reads": self.reads,
                "description": self.description, "settings": settings,
                **({"options": json.loads(json.dumps(options, default=_or_repr))}
                   if options else {})}


def _or_repr(value: object) -> object:
    try:
        return json_default(value)
    except TypeError:  # a default that is an object (a kernel, a class): shown, not rebuilt
        return repr(value)


def signature_settings(factory: Callable[..., Any], runtime: tuple[str, ...] = ()
                       ) -> dict[str, Any]:
    """Keyword parameters of ``factory`` (its ``__init__`` for a class) and their defaults."""
    out = {}
    for name, p in inspect.signature(factory).parameters.items():
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and name not in runtime:
            out[name] = None if p.default is p.empty else p.default
    return out


def _first_line(obj: object) -> str:
    doc = inspect.getdoc(obj) or ""
    return doc.strip().splitlines()[0].rstrip(".") if doc.strip() else ""


class Registry:
    """Parts of one kind by name. ``load`` imports the built-in parts on first use (so that
    importing the registry stays cheap); ``runtime`` names constructor parameters that are
    not user settings; ``on_add(part)`` prepares each part as it is registered (the model
    registry allows the class for its state codec). Parts are listed by name (registration
    order depends on what was imported first)."""

    def __init__(self, kind: str, *, load: Callable[[], None] | None = None,
                 runtime: tuple[str, ...] = (), on_add: Callable[[Part], None] | None = None):
        self.kind = kind
        self.runtime = runtime
        self._on_add = on_add
        self._load = load
        self._parts: dict[str, Part] = {}
        _REGISTRIES.append(self)

    def register(self, name: str, **meta: Any) -> Callable[[T], T]:
        """Decorator form of :meth:`add`."""
        def decorate(obj: T) -> T:
            self.add(name, obj, **meta)
            return obj

        return decorate

    def add(self, name: str, factory: Callable[..., Any], *, description: str | None = None,
            reads: str | None = None, settings: Mapping[str, Any] | None = None,
            listed: bool = True, **options: Any) -> Part:
        old = self._parts.get(name)
        if old is not None and _qualname(old.factory) != _qualname(factory):
            raise ValueError(f"{self.kind} {name!r} is already registered by "
                             f"{_qualname(old.factory)}")
        part = Part(name, factory, self.kind,
                    _first_line(factory) if description is None else description, reads,
                    dict(signature_settings(factory, self.runtime) if settings is None
                         else settings), listed, dict(options))
        if self._on_add is not None:
            self._on_add(part)
        self._parts[name] = part
        return part

    def _ensure(self) -> None:
        if self._load is not None:
            load, self._load = self._load, None
            load()

    def __getitem__(self, name: str) -> Part:
        self._ensure()
        if name not in self._parts:
            load_plugins()
        if name not in self._parts:
            raise ConfigError(f"unknown {self.kind} {name!r}; known: {', '.join(self.names())}")
        return self._parts[name]

    def __contains__(self, name: object) -> bool:
        self._ensure()
        return name in self._parts

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def parts(self, listed_only: bool = True) -> list[Part]:
        self._ensure()
        load_plugins()
        return sorted((p for p in self._parts.values() if p.listed or not listed_only),
                      key=lambda p: p.name)

    def names(self, listed_only: bool = True) -> list[str]:
        return [p.name for p in self.parts(listed_only)]

    def name_of(self, factory: Callable[..., Any]) -> str | None:
        """The name ``factory`` (e.g. a class) is registered under, if any."""
        self._ensure()
        return next((p.name for p in self._parts.values() if p.factory is factory), None)

    def check_settings(self, name: str, settings: Mapping[str, Any]) -> None:
        known = self[name].settings
        unknown = sorted(set(settings) - set(known))
        if unknown:
            raise ConfigError(f"{self.kind} {name!r} has no setting "
                              f"{', '.join(map(repr, unknown))}; its settings: "
                              f"{', '.join(sorted(known)) or 'none'}")


    def parse_spec(self, spec: str) -> tuple[str, dict[str, Any]]:
        """``NAME[:key=value,...]`` (``ucb:beta=3``, ``xtb:solvent=acetonitrile``) → the part's
        name and its settings, checked against the part; values are read as YAML scalars."""
        import yaml

        name, _, args = spec.strip().partition(":")
        name = self[name.strip()].name
        settings: dict[str, Any] = {}
        for item in filter(None, (a.strip() for a in args.split(","))):
            key, sep, value = (x.strip() for x in item.partition("="))
            if not (sep and key):
                raise ConfigError(f"{self.kind} option {item!r} in {spec!r}: write "
                                  f"{name}:key=value,...")
            settings[key] = yaml.safe_load(value)
        self.check_settings(name, settings)
        for key, value in settings.items():
            default = self[name].settings[key]
            if (isinstance(default, int | float) and not isinstance(default, bool)
                    and not isinstance(value, int | float)):
                raise ConfigError(f"{self.kind} option {key}={value!r} in {spec!r}: a number "
                                  "is needed")
        return name, settings


def _qualname(obj: object) -> str:
    return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', repr(obj))}"


def load_plugins() -> None:
    """Import every installed ``redoxscreen.plugins`` entry point once."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for ep in metadata.entry_points(group=PLUGIN_GROUP):
        ep.load()


def plugin_modules() -> list[str]:
    """Modules outside redoxscreen that registered parts in this process: a worker process
    imports them so that it knows the same parts (a spawned process starts empty)."""
    mods = {p.module for r in _REGISTRIES for p in r._parts.values()}
    return sorted(m for m in mods if m and m.split(".")[0] != "redoxscreen"
                  and m != "__main__")


def import_plugins(modules: list[str]) -> None:
    for m in modules:
        importlib.import_module(m)
