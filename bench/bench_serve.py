"""Latency of the web workbench: 50 concurrent clients × 20 single-SMILES predict requests on
localhost against a real uvicorn server (the demo's or a given model).

    .venv/bin/python bench/bench_serve.py --model DIR     → bench/results/serve.json
Bar (issue 17): 0 errors, p95 < 500 ms on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, git_commit, write_result  # noqa: E402


async def client(post, url: str, smiles: list[str], n: int, lat: list, errors: list) -> None:
    for i in range(n):
        t = time.perf_counter()
        try:
            status = await post(url, {"model": "m", "smiles": [smiles[i % len(smiles)]]})
            if status != 200:
                errors.append(status)
        except Exception as exc:  # a dropped connection is an error too
            errors.append(repr(exc))
        lat.append(time.perf_counter() - t)


async def load(base: str, smiles: list[str], clients: int, requests: int,
               use: str = "aiohttp") -> tuple:
    """Closed loop: ``clients`` tasks, each sending its next request when the last returns.
    aiohttp when installed: httpx spends ~9 ms of CPU per request here, so on 2 cores the
    load generator took a core from the server it measured."""
    lat: list[float] = []
    errors: list = []
    try:
        import aiohttp
    except ImportError:
        aiohttp = None
    if use == "httpx":
        aiohttp = None
    if aiohttp is not None:
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients),
                                        timeout=aiohttp.ClientTimeout(total=60))

        async def post(url: str, body: dict) -> int:
            async with session.post(url, json=body) as r:
                await r.read()
                return r.status
    else:
        import httpx
        session = httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=clients))

        async def post(url: str, body: dict) -> int:
            return (await session.post(url, json=body)).status_code
    try:
        await post(f"{base}/api/predict", {"model": "m", "smiles": smiles[:1]})
        cpu, t = time.process_time(), time.perf_counter()
        await asyncio.gather(*(client(post, f"{base}/api/predict", smiles[k:], requests, lat,
                                      errors) for k in range(clients)))
        wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    finally:
        await (session.close() if aiohttp is not None else session.aclose())
    return np.array(lat), errors, wall, {"client": "aiohttp" if aiohttp else "httpx",
                                         "client_cpu_s": round(cpu, 2)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path,
                        default=ROOT / "bench" / ".cache" / "design" / "train" / "model")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--client", choices=["aiohttp", "httpx"], default="aiohttp")
    parser.add_argument("--predict-workers", type=int, default=1)
    parser.add_argument("--out", default="serve.json")
    args = parser.parse_args()
    import pandas as pd

    runs = Path(tempfile.mkdtemp())
    shutil.copytree(args.model, runs / "m" / "model")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the server in its own process, as a user runs it: the load generator must not share
    # its interpreter (and GIL) with the server it measures
    server = subprocess.Popen([sys.executable, "-m", "redoxscreen", "serve",
                               "--runs", str(runs), "--port", str(port),
                               "--predict-workers", str(args.predict_workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import httpx
    for _ in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/models", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    oof = pd.read_csv(args.model / "oof.csv")["smiles"].sample(1000, random_state=0).tolist()
    lat, errors, wall, info = asyncio.run(load(f"http://127.0.0.1:{port}", oof,
                                               args.clients, args.requests, args.client))
    server.terminate()
    server.wait(10)
    res = {"commit": git_commit(), "clients": args.clients, "requests_per_client":
           args.requests, "requests": int(len(lat)), "errors": len(errors),
           "p50_ms": round(1000 * float(np.percentile(lat, 50)), 1),
           "p95_ms": round(1000 * float(np.percentile(lat, 95)), 1),
           "max_ms": round(1000 * float(lat.max()), 1),
           "requests_per_s": round(len(lat) / wall, 1), "wall_s": round(wall, 2), **info,
           "predict_workers": args.predict_workers,
           "model": str(args.model)}
    res["bar_met"] = res["errors"] == 0 and res["p95_ms"] < 500
    print(res)
    write_result(args.out, res)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
