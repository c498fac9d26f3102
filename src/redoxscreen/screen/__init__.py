"""Streaming screening of molecule libraries: chunks → predictions → potentials → pass/fail.

Names are imported on first use: a worker process imports ``redoxscreen.screen.worker``
without the coordinator's run and store modules.
"""

from __future__ import annotations

from redoxscreen.runtime.lazy import lazy_names

_WHERE = {
    "Chunk": "reader",
    "iter_chunks": "reader",
    "RoleResult": "run",
    "ScreenSummary": "run",
    "fit_calibrators": "run",
    "run_screen": "run",
    "ScreenSettings": "settings",
}

__getattr__, __all__ = lazy_names(__name__, _WHERE)
