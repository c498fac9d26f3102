"""Progress bars for long steps (Rich), with a silent mode for library use and tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
    def __init__(self, progress: RichProgress | None, task_id: int | None, name: str):
        self._p, self._id, self._name = progress, task_id, name

    def advance(self, description: str | None = None, steps: int = 1) -> None:
        if self._p is not None:
            self._p.update(self._id, advance=steps,
                           description=f"{self._name}: {description}" if description else None)

    def note(self, epoch: int, logs: dict) -> None:
        """Per-epoch callback of the nets: show the epoch and its validation MAE."""
        if self._p is not None:
            mae = logs.get("val_mae")
            text = f"epoch {epoch + 1}" + (f", val MAE {mae:.3f}" if mae is not None else "")
            self._p.update(self._id, description=f"{self._name} ({text})")


class Progress:
    """``with progress.task("name", total=n) as t: ... t.advance()``; no output when disabled."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self._rich: RichProgress | None = None

    @contextmanager
    def task(self, name: str, total: int | None) -> Iterator[_Task]:
        if not self.enabled:
            yield _Task(None, None, name)
            return
        own = self._rich is None
        if own:
            self._rich = RichProgress(
                SpinnerColumn(), TextColumn("[progress.description]{task.description}"),
                BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
                transient=False,
            )
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
