"""Where the chunks of a long job run: this process, a pool of local processes, or Dask.

``screen`` and ``index`` hand each chunk to ``work`` after ``init(*initargs)`` has run once in
the process doing it (a worker loads its model once, not once per chunk). Results come back as
``(task, result)`` in completion order; the caller records each in its manifest, so a run
killed anywhere resumes from the chunks already recorded, whichever back-end ran them.

Schedulers (``--scheduler``):

- ``None`` / ``"processes"``: ``workers`` local processes (spawned), or this process when
  ``workers <= 1``;
- ``"local"`` / ``"local:N"``: a Dask ``LocalCluster`` of N single-threaded worker processes;
- ``"tcp://HOST:PORT"``: an existing Dask scheduler (``dask scheduler``; workers started with
  ``dask worker tcp://HOST:PORT --nthreads 1``, or by dask-jobqueue on SLURM/PBS). Workers
  must see the run folder and the model at the same paths (a shared filesystem).
"""

from __future__ import annotations

import threading
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from redoxscreen.runtime.errors import ConfigError, WorkerLost
from redoxscreen.runtime.processes import spawn_pool

_READY: set[str] = set()  # init tokens already run in this (worker) process
_LOCK = threading.Lock()


def parse_scheduler(spec: str | None) -> tuple[str, object]:
    """``("processes", None)``, ``("local", N or None)`` or ``("tcp", address)``."""
    if spec in (None, "", "processes"):
        return "processes", None
    if spec == "local" or spec.startswith("local:"):
        n = spec.partition(":")[2]
        if n and not (n.isdigit() and int(n) > 0):
            raise ConfigError(f"--scheduler {spec!r}: the worker count after local: must be a "
                              "positive integer, e.g. local:4")
        return "local", int(n) if n else None
    if spec.startswith(("tcp://", "tls://")):
        return "tcp", spec
    raise ConfigError(f"unknown --scheduler {spec!r}; use local, local:N or tcp://HOST:PORT "
                      "(a running Dask scheduler)")


def _call(token: str, init: Callable, initargs: tuple, work: Callable, task: Any) -> Any:
    with _LOCK:  # a worker with several threads still initialises once
        if token not in _READY:
            init(*initargs)
            _READY.add(token)
    return work(task)


def run_chunks(tasks: Iterable[Any], work: Callable[[Any], Any], init: Callable,
               initargs: tuple, *, workers: int = 1, scheduler: str | None = None,
               max_tasks: int | None = None) -> Iterator[tuple[Any, Any]]:
    """Run ``work(task)`` for every task; yield ``(task, result)`` as each finishes.

    At most ``2 × workers`` tasks are in flight (bounded memory, whatever the library's size);
    ``max_tasks`` stops after that many (tests of resuming).
    """
    kind, arg = parse_scheduler(scheduler)
    tasks = iter(tasks)
    if max_tasks is not None:
        tasks = (t for _, t in zip(range(max_tasks), tasks, strict=False))
    if kind == "processes" and workers <= 1:
        init(*initargs)
        for t in tasks:
            yield t, work(t)
        return
    if kind == "processes":
        yield from _run_processes(tasks, work, init, initargs, workers)
        return
    yield from _run_dask(tasks, work, init, initargs, kind, arg, workers)


def _run_processes(tasks: Iterator, work: Callable, init: Callable, initargs: tuple,
                   workers: int) -> Iterator[tuple[Any, Any]]:
    # concurrent.futures rather than multiprocessing.Pool: a Pool replaces a worker that the
    # OS kills (or whose initializer fails) and waits for its lost task forever; the executor
    # marks itself broken, and the wait below turns that into an error. ``init`` runs inside
    # the first task of each worker (not as the pool's initializer) so that its errors, a
    # model that will not load, reach the caller as themselves.
    pool = spawn_pool(workers)
    token = uuid.uuid4().hex
    pending: deque[tuple[Any, Future]] = deque()
    try:
        for t in tasks:
            pending.append((t, pool.submit(_call, token, init, initargs, work, t)))
            if len(pending) >= 2 * workers:
                yield from _settle(pending, keep=2 * workers - 1)
        yield from _settle(pending, keep=0)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _settle(pending: deque[tuple[Any, Future]], keep: int) -> Iterator[tuple[Any, Any]]:
    """Yield the oldest results until ``keep`` tasks are in flight. If the pool broke, the
    tasks that did finish are yielded first (their results are not lost), then the error."""
    while len(pending) > keep:
        task, fut = pending[0]
        try:
            result = fut.result()
        except BrokenProcessPool as exc:
            lost = []
            for t, f in pending:
                if isinstance(f.exception(), BrokenProcessPool):
                    lost.append(t)
                else:
                    yield t, f.result()
            pending.clear()
            raise _worker_lost(lost, exc) from None
        pending.popleft()
        yield task, result


def _worker_lost(lost: list, exc: BaseException) -> WorkerLost:
    # which task the dead worker held is not known: every unfinished one is named
    names = [str(t.index) for t in lost if hasattr(t, "index")]
    what = f"chunks {', '.join(names)}" if names else f"{len(lost)} tasks"
    return WorkerLost(
        f"a worker process died ({exc}) and {what} did not finish; it was killed (often by "
        "the out-of-memory killer) or crashed. Chunks finished before it are recorded in the "
        "run folder: run the same command again to resume, with fewer --workers or a smaller "
        "--chunk-size if memory ran out")


def _run_dask(tasks: Iterator, work: Callable, init: Callable, initargs: tuple, kind: str,
              arg: object, workers: int) -> Iterator[tuple[Any, Any]]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:
        raise ConfigError("--scheduler needs Dask: pip install 'redoxscreen[scale]'") from exc
    cluster = None
    if kind == "local":
        cluster = LocalCluster(n_workers=arg or workers, threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster)
    else:
        try:
            client = Client(arg, timeout="20s")
        except OSError as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {arg} ({exc}); start it "
                              "with 'dask scheduler' and workers with 'dask worker "
                              f"{arg} --nthreads 1'") from exc
    token = uuid.uuid4().hex
    try:
        n = max(1, len(client.scheduler_info()["workers"]))
        futures = {}
        queue = as_completed()
        for t in tasks:
            f = client.submit(_call, token, init, initargs, work, t, pure=False)
            futures[f.key] = t
            queue.add(f)
            if queue.count() >= 2 * n:
                done = next(queue)
                yield futures.pop(done.key), done.result()
        for done in queue:
            yield futures.pop(done.key), done.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
