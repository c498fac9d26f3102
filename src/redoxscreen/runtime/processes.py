"""Worker processes: fresh interpreters (spawn) that end when the process that made them does.

Spawn, not fork: forking a process whose torch/DuckDB threads are running can leave the children
deadlocked. And a worker whose parent is killed outright (``kill -9``, the out-of-memory killer)
would otherwise wait on its task queue for ever, holding its memory: on Linux each worker asks
the kernel for SIGTERM when its parent goes (``prctl(PR_SET_PDEATHSIG)``).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def spawn_pool(workers: int | None) -> ProcessPoolExecutor:
    """A :class:`ProcessPoolExecutor` of ``workers`` spawned workers that die with this
    process."""
    return ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                               initializer=die_with_parent, initargs=(os.getpid(),))


def die_with_parent(parent: int) -> None:
    """In a worker: be sent SIGTERM when the parent ``parent`` ends (Linux; elsewhere a
    no-op), and end now if it already has."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
    except (OSError, AttributeError):  # no prctl: the worker outlives a killed parent
        return
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)
