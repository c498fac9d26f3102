"""Rich progress bars on stderr: the terminal's implementation of the progress protocol."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress


class _Task:
    def __init__(self, progress: RichProgress, task_id: int, name: str):
        self._p, self._id, self._name = progress, task_id, name

    def advance(self, description: str | None = None, steps: int = 1) -> None:
        self._p.update(self._id, advance=steps,
                       description=f"{self._name}: {description}" if description else None)

    def note(self, epoch: int, logs: dict) -> None:
        mae = logs.get("val_mae")
        text = f"epoch {epoch + 1}" + (f", val MAE {mae:.3f}" if mae is not None else "")
        self._p.update(self._id, description=f"{self._name} ({text})")


class RichBars:
    """``with progress.task("name", total=n) as t: ... t.advance()`` as bars on stderr."""

    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self._rich: RichProgress | None = None

    @contextmanager
    def task(self, name: str, total: int | None) -> Iterator[_Task]:
        own = self._rich is None
        if own:
            self._rich = RichProgress(
                SpinnerColumn(), TextColumn("[progress.description]{task.description}"),
                BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                console=self.console, transient=False)
            self._rich.start()
        task_id = self._rich.add_task(name, total=total)
        try:
            yield _Task(self._rich, task_id, name)
            if total is None:
                self._rich.update(task_id, total=1, completed=1)
        finally:
            if own:
                self._rich.stop()
                self._rich = None
