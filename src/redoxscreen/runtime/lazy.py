"""Package names imported on first use (PEP 562), so that importing one module of a package
does not import all of its siblings: a screening worker, say, needs ``redoxscreen.screen.worker``
but not the coordinator's run and store modules."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_names(package: str, where: dict[str, str]) -> tuple[Callable[[str], Any], list[str]]:
    """``(__getattr__, __all__)`` for ``package``: each name in ``where`` is looked up in the
    submodule it maps to when first asked for.

    Use in a package's ``__init__.py``: ``__getattr__, __all__ = lazy_names(__name__, {...})``.
    """

    def __getattr__(name: str) -> Any:
        if name in where:
            return getattr(importlib.import_module(f"{package}.{where[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__, sorted(where)
