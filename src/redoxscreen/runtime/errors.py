"""Errors a user can act on.

Every error raised for bad input is a :class:`RedoxscreenError` whose message names the file,
column or row at fault and says how to fix it. The CLI prints the message (no traceback) and
exits with code 2.
"""

from __future__ import annotations


class RedoxscreenError(Exception):
    """Base class for user-facing errors (bad input, impossible request)."""


class DataError(RedoxscreenError):
    """A table cannot be read or does not hold what was asked for."""


class ConfigError(RedoxscreenError):
    """An option or a config file is invalid."""


class ModelFileError(RedoxscreenError):
    """A saved model directory is missing, incomplete or of an unknown format."""


class WorkerLost(RedoxscreenError):
    """A worker process died mid-job (killed by the OS, out of memory, a crash in C code)."""
