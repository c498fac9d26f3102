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


async def client(http, url: str, smiles: list[str], n: int, lat: list, errors: list) -> None:
    for i in range(n):
        t = time.perf_counter()
        try:
            r = await http.post(url, json={"model": "m", "smiles": [smiles[i % len(smiles)]]})
            if r.status_code != 200:
                errors.append(r.status_code)
        except Exception as exc:  # a dropped connection is an error too
            errors.append(repr(exc))
        lat.append(time.perf_counter() - t)


async def load(base: str, smiles: list[str], clients: int, requests: int) -> tuple:
    import httpx

    lat: list[float] = []
    errors: list = []
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        await http.post(f"{base}/api/predict", json={"model": "m", "smiles": smiles[:1]})
        t = time.perf_counter()
        await asyncio.gather(*(client(http, f"{base}/api/predict", smiles[k:], requests, lat,
                                      errors) for k in range(clients)))
        wall = time.perf_counter() - t
    return np.array(lat), errors, wall


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path,
                        default=ROOT / "bench" / ".cache" / "design" / "train" / "model")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    import pandas as pd

    runs = Path(tempfile.mkdtemp())
    shutil.copytree(args.model, runs / "m" / "model")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # the server in its own process, as a user runs it: the load generator must not share
    # its interpreter (and GIL) with the server it measures
    server = subprocess.Popen([sys.executable, "-m", "redoxscreen.cli.main", "serve",
                               "--runs", str(runs), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import httpx
    for _ in range(600):
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/models", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    oof = pd.read_csv(args.model / "oof.csv")["smiles"].sample(1000, random_state=0).tolist()
    lat, errors, wall = asyncio.run(load(f"http://127.0.0.1:{port}", oof, args.clients,
                                         args.requests))
    server.terminate()
    server.wait(10)
    res = {"commit": git_commit(), "clients": args.clients, "requests_per_client":
           args.requests, "requests": int(len(lat)), "errors": len(errors),
           "p50_ms": round(1000 * float(np.percentile(lat, 50)), 1),
           "p95_ms": round(1000 * float(np.percentile(lat, 95)), 1),
           "max_ms": round(1000 * float(lat.max()), 1),
           "requests_per_s": round(len(lat) / wall, 1), "model": str(args.model)}
    res["bar_met"] = res["errors"] == 0 and res["p95_ms"] < 500
    print(res)
    write_result("serve.json", res)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
