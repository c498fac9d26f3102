"""Streaming screening of molecule libraries: chunks → predictions → potentials → pass/fail.

Names are imported on first use: a worker process imports ``redoxscreen.screen.worker``
without the coordinator's run and store modules.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Chunk": "reader",
    "iter_chunks": "reader",
    "RoleResult": "run",
    "ScreenSummary": "run",
    "fit_calibrators": "run",
    "run_screen": "run",
    "ScreenSettings": "settings",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"redoxscreen.screen.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'redoxscreen.screen' has no attribute {name!r}")
