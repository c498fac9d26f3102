"""Predictions for the web server, in a process of their own and in batches.

Why a process: the featurizers are Python-heavy and hold the GIL. Run in a thread of the
server, they starve the event loop (GIL convoy): requests wait unparsed in the socket while
the predictor works on batches of one or two molecules. In their own process they leave the
server's interpreter free to accept every request that arrives meanwhile.

Why batches: a call on 50 molecules costs little more than a call on one (about 90 ms against
15 ms here); concurrent requests for one model and coverage are predicted together, at most
``max_rows`` molecules per call, whole requests at a time.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache

from redoxscreen.web.common import records

BATCH_WAIT_S = 0.002  # how long a lone request waits for others to join its batch


@lru_cache(maxsize=8)
def _loaded(model_dir: str, coverage: float):
    from redoxscreen.models import load_model
    from redoxscreen.pipeline.predict import interval_calibrators

    model = load_model(model_dir)
    return model, interval_calibrators(model, coverage)


def predict_rows(model_dir: str, smiles: list[str], coverage: float = 0.95) -> list[dict]:
    """One row per SMILES, in order: ``smiles``, ``valid``, then what ``predict`` writes."""
    model, cal = _loaded(model_dir, coverage)
    pred = model.predict_smiles(smiles, intervals=cal)
    pred.insert(0, "smiles", smiles)
    pred.insert(1, "valid", pred["reason"].fillna("") == "")
    return records(pred)


def _init_worker(parent: int) -> None:
    import torch

    torch.set_num_threads(1)  # the other core serves requests

    def orphaned() -> None:  # a killed server (even kill -9) takes its predictor along
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=orphaned, daemon=True).start()


class Predictor:
    """Batched predictions in ``workers`` child processes (0: in the server's own threads,
    for tests that must not spawn)."""

    def __init__(self, workers: int = 1, max_rows: int = 1000):
        self.workers = workers
        self.max_rows = max_rows
        self._pool: ProcessPoolExecutor | None = None
        self._pending: dict[tuple, list] = {}
        self._running: set[tuple] = set()

    def _executor(self) -> ProcessPoolExecutor | None:
        if self.workers and self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker, initargs=(os.getpid(),))
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def predict(self, model_dir: str, smiles: list[str], coverage: float) -> list[dict]:
        loop = asyncio.get_running_loop()
        key = (model_dir, coverage)
        fut = loop.create_future()
        self._pending.setdefault(key, []).append((smiles, fut))
        if key not in self._running:  # one call at a time per key; the next batch is
            self._running.add(key)    # whatever arrived while it ran
            asyncio.ensure_future(self._drain(key))
        return await fut

    async def _drain(self, key: tuple) -> None:
        try:
            await asyncio.sleep(BATCH_WAIT_S)
            while self._pending.get(key):
                await self._flush(key, self._pending.pop(key))
        finally:
            self._running.discard(key)

    async def _flush(self, key: tuple, items: list) -> None:
        groups: list[list] = [[]]
        size = 0
        for item in items:
            if groups[-1] and size + len(item[0]) > self.max_rows:
                groups.append([])
                size = 0
            groups[-1].append(item)
            size += len(item[0])
        loop = asyncio.get_running_loop()
        for group in groups:
            smiles = [s for chunk, _ in group for s in chunk]
            try:
                rows = await loop.run_in_executor(self._executor(), predict_rows, key[0],
                                                  smiles, key[1])
            except Exception as exc:  # every request of the batch sees the error
                for _, fut in group:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            start = 0
            for chunk, fut in group:
                if not fut.done():  # a client that went away has cancelled its future
                    fut.set_result(rows[start:start + len(chunk)])
                start += len(chunk)
