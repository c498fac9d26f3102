"""The local process pool of ``run_chunks``: results in order, and a dead worker or a failing
initialiser is an error the user can act on, not a wait that never ends."""

from __future__ import annotations

import os
import threading
from typing import NamedTuple

import pytest

from redoxscreen.runtime.errors import ModelFileError, WorkerLost
from redoxscreen.runtime.executor import run_chunks


class Task(NamedTuple):
    index: int


def _noop() -> None:
    pass


def _bad_model() -> None:
    raise ModelFileError("model/weights.safetensors: truncated; train the model again")


def _square_or_die(t: Task) -> int:
    if t.index == 3:
        os._exit(9)  # what the out-of-memory killer looks like to the parent
    return t.index**2


def _collect(tasks, work, init, timeout: float = 120.0) -> tuple[list, BaseException | None]:
    """Run in a daemon thread so that a hang fails the test instead of hanging the suite."""
    got: list = []
    box: dict = {}

    def target() -> None:
        try:
            for t, r in run_chunks(tasks, work, init, (), workers=2):
                got.append((t.index, r))
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            box["exc"] = exc

    th = threading.Thread(target=target, daemon=True)
    th.start()
    th.join(timeout)
    assert not th.is_alive(), f"run_chunks still waiting after {timeout} s"
    return got, box.get("exc")


def test_two_workers_return_every_result_in_task_order():
    got, exc = _collect([Task(i) for i in range(3)] + [Task(i) for i in range(4, 9)],
                        _square_or_die, _noop)
    assert exc is None
    assert got == [(i, i * i) for i in (0, 1, 2, 4, 5, 6, 7, 8)]


def test_a_killed_worker_is_an_error_naming_the_chunk_and_the_way_to_resume():
    got, exc = _collect([Task(i) for i in range(8)], _square_or_die, _noop)
    assert isinstance(exc, WorkerLost)
    # the parent cannot know which worker held which chunk: every unfinished one is named
    named = {int(x) for x in str(exc).split("chunks ")[1].split(" did not")[0].split(", ")}
    assert 3 in named and "run the same command again to resume" in str(exc)
    # every chunk that finished is handed back (to be recorded), even after the break
    assert all(r == i * i for i, r in got)
    assert not named & {i for i, _ in got} and named | {i for i, _ in got} >= {0, 1, 2, 3}


def test_an_initialiser_error_reaches_the_caller_as_itself():
    got, exc = _collect([Task(i) for i in range(4)], _square_or_die, _bad_model)
    assert got == []
    assert isinstance(exc, ModelFileError) and "truncated" in str(exc)


@pytest.mark.parametrize("workers", [1, 2])
def test_the_lost_worker_message_is_not_raised_for_ordinary_errors(workers):
    # a bug in the work itself keeps its own type, serial or pooled
    with pytest.raises(ZeroDivisionError):
        list(run_chunks([Task(0)], _divide, _noop, (), workers=workers))


def _divide(t: Task) -> float:
    return 1 / t.index
