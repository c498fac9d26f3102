"""The progress protocol long steps report through; the terminal bars live in ``redoxscreen.cli``.

Library code takes any :class:`Progress` (a web service can pass its own, the CLI passes Rich
bars) and defaults to :class:`SilentProgress`::

    with progress.task("cross-validation", total=5) as bar:
        ...
        bar.advance("fold 1/5: MAE 0.19")
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class Task(Protocol):
    def advance(self, description: str | None = None, steps: int = 1) -> None:
        """``steps`` more units done; ``description`` replaces the task's text."""

    def note(self, epoch: int, logs: dict) -> None:
        """Per-epoch callback of the nets (``logs`` holds e.g. ``val_mae``)."""


class Progress(Protocol):
    def task(self, name: str, total: int | None) -> AbstractContextManager[Task]:
        """A step of ``total`` units (``None``: unknown length)."""


class _SilentTask:
    def advance(self, description: str | None = None, steps: int = 1) -> None:
        pass

    def note(self, epoch: int, logs: dict) -> None:
        pass


class SilentProgress:
    """Reports nothing (library use, tests, worker processes)."""

    @contextmanager
    def task(self, name: str, total: int | None) -> Iterator[Task]:
        yield _SilentTask()


def or_silent(progress: Progress | None) -> Progress:
    return progress if progress is not None else SilentProgress()
