"""The server's predictor: batching of concurrent requests, and the child process that
answers them (same rows as a call in this process)."""

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

import redoxscreen.web.predictor as predictor_mod  # noqa: E402
from redoxscreen.web import create_app  # noqa: E402
from redoxscreen.web.predictor import Predictor  # noqa: E402


def test_concurrent_requests_share_one_call_and_get_their_own_rows(monkeypatch):
    calls = []

    def fake(model_dir, smiles, coverage):
        calls.append(list(smiles))
        return [{"smiles": s, "n": len(s)} for s in smiles]

    monkeypatch.setattr(predictor_mod, "predict_rows", fake)
    p = Predictor(workers=0, max_rows=5)

    async def go():
        reqs = [["C"], ["CC", "CCC"], ["CCCC"], ["C1CC1", "CCO", "CCN"]]
        return reqs, await asyncio.gather(*(p.predict("m", r, 0.95) for r in reqs))

    reqs, got = asyncio.run(go())
    assert [[row["smiles"] for row in g] for g in got] == reqs
    # 7 molecules, at most 5 per call, whole requests at a time: [1 + 2 + 1] then [3]
    assert calls == [["C", "CC", "CCC", "CCCC"], ["C1CC1", "CCO", "CCN"]]


def test_an_error_reaches_every_request_of_its_batch(monkeypatch):
    def broken(model_dir, smiles, coverage):
        raise ValueError("model folder gone")

    monkeypatch.setattr(predictor_mod, "predict_rows", broken)
    p = Predictor(workers=0)

    async def go():
        return await asyncio.gather(*(p.predict("m", ["C"], 0.95) for _ in range(3)),
                                    return_exceptions=True)

    assert all(isinstance(e, ValueError) for e in asyncio.run(go()))


def test_the_worker_process_gives_the_rows_of_an_in_process_call(toy_model_dir, toy_df,
                                                                   tmp_path):
    import shutil
    shutil.copytree(toy_model_dir, tmp_path / "toy" / "model")
    smiles = toy_df["smiles"].head(3).tolist() + ["not a smiles"]
    with TestClient(create_app(tmp_path, predict_workers=1)) as c:
        r = c.post("/api/predict", json={"model": "toy", "smiles": smiles})
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == predictor_mod.predict_rows(str(tmp_path / "toy" / "model"),
                                                          smiles)


def test_a_killed_server_takes_its_predictor_process_along(tmp_path):
    # the child watches its parent: kill -9 of the server must not leave it running
    code = ("import time, sys\n"
            "from redoxscreen.web.predictor import Predictor\n"
            "p = Predictor(workers=1)\n"
            "f = p._executor().submit(__import__('os').getpid)\n"
            "print(f.result(), flush=True)\n"
            "time.sleep(60)\n")
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    child = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    for _ in range(50):
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    pytest.fail("the predictor process outlived its server")
