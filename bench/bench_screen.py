"""Screening throughput: 1,000,000 molecules (Enamine 50k × 20) through a 5-model ensemble.

In the same run, the study-style loop on a 50k slice: per-molecule
``GetMorganFingerprintAsBitVect``, ``np.array`` of the bit vectors, dense prediction by five
fully connected nets (batch 30,000, as the study's batch size — generous to the loop).

Bars: ≥ 8,000 molecules/s end to end on 2 cores, ≥ 10× the study-style loop, peak RSS < 2 GB.
Writes ``bench/results/screen.json``; skips when ``../shared/data`` is absent.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import ENAMINE, OCELOT, PeakMemory, load_ocelot, write_result


def build_model(directory: Path, seed: int) -> Path:
    """A 5-fold ensemble of 2048→1024→512 FCNNs on ECFP4 counts, trained briefly on OCELOT."""
    from redoxscreen.features import make_featurizer
    from redoxscreen.models import FCNNRegressor
    from redoxscreen.pipeline.train import fit_cv_ensemble

    table = load_ocelot()
    table.smiles, table.y = table.smiles[:4000], table.y[:4000]
    est = FCNNRegressor.from_preset("default", max_epochs=3, seed=seed)
    model, _ = fit_cv_ensemble(table, make_featurizer("ecfp:r=2,bits=2048"), est,
                               split="random", folds=5, seed=seed)
    return model.save(directory / "model")


def study_loop(smiles: list[str], model_dir: Path) -> float:
    """Molecules per second of the study-style pipeline (per-molecule bit vectors)."""
    import torch
    from rdkit import Chem, RDLogger
    from rdkit.Chem import AllChem

    from redoxscreen.models import load_model

    RDLogger.DisableLog("rdApp.*")
    members = load_model(model_dir).estimator.estimators_
    # the same architecture as dense Keras-style layers (timing only: weights are not copied)
    dense_nets = [torch.nn.Sequential(
        torch.nn.Linear(2048, m.net_.first.weight.shape[1]), *m.net_.body).eval()
        for m in members]
    torch.set_num_threads(2)
    t0 = time.perf_counter()
    fps = []
    for s in smiles:
        mol = Chem.MolFromSmiles(s)
        if mol is not None:
            fps.append(AllChem.GetMorganFingerprintAsBitVect(mol, 2, nBits=2048))
    X = np.array(fps, dtype=np.float32)
    with torch.no_grad():
        for net in dense_nets:
            for i in range(0, len(X), 30000):
                net(torch.from_numpy(X[i:i + 30000]))
    return len(smiles) / (time.perf_counter() - t0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--molecules", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not (OCELOT.exists() and ENAMINE.exists()):
        print("skipped: ../shared/data (OCELOT, Enamine50k) not found")
        return 0
    from redoxscreen.runtime.runs import file_sha256, library_versions

    with gzip.open(ENAMINE, "rt") as fh:
        base = [line.strip() for line in fh][1:]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print("training the 5-model ensemble ...", flush=True)
        model_dir = build_model(tmp, args.seed)
        library = tmp / "library.smi"
        reps = -(-args.molecules // len(base))
        with open(library, "w") as fh:
            fh.write("\n".join((base * reps)[: args.molecules]) + "\n")
        # the screen runs as the user runs it: the CLI in a fresh process tree
        cmd = [sys.executable, "-m", "redoxscreen.cli.main", "screen", str(model_dir),
               str(library), "--out", str(tmp / "run"), "--solvent", "acetonitrile",
               "--collector", "Al", "--uncertainty", "conformal", "--workers",
               str(args.workers), "--chunk-size", str(args.chunk_size)]
        print(f"screening {args.molecules} molecules ...", flush=True)
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        with PeakMemory(pid=proc.pid) as mem:
            _, err = proc.communicate()
        elapsed = time.perf_counter() - t0
        if proc.returncode != 0:
            print(err.decode()[-2000:])
            return 1
        summary = json.loads((tmp / "run" / "summary.json").read_text())
        rate = args.molecules / elapsed
        print(f"screen: {rate:,.0f} molecules/s ({elapsed:.1f} s), peak RSS "
              f"{mem.peak_bytes / 2**30:.2f} GiB", flush=True)
        study_rate = study_loop(base[:50000], model_dir)
        print(f"study-style loop: {study_rate:,.0f} molecules/s → speed-up "
              f"{rate / study_rate:.1f}×", flush=True)
    write_result("screen.json", {
        "benchmark": "screen throughput, Enamine50k repeated, 5-model FCNN ensemble",
        "molecules": args.molecules, "workers": args.workers, "chunk_size": args.chunk_size,
        "library_sha256": file_sha256(ENAMINE),
        "screen_seconds": round(elapsed, 1), "molecules_per_second": round(rate),
        "study_loop_molecules_per_second": round(study_rate),
        "speedup": round(rate / study_rate, 2), "peak_rss_gib": round(mem.peak_bytes / 2**30, 3),
        "summary": {k: summary[k] for k in ("molecules", "valid", "invalid", "roles")},
        "bars": {"rate_ge_8000": rate >= 8000, "speedup_ge_10": rate / study_rate >= 10,
                 "rss_lt_2gb": mem.peak_bytes < 2e9},
        "versions": library_versions(),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
