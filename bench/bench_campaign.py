"""Active learning, retrospective on OCELOT: how fast does each acquisition find the top 1 % by EA?

Candidates: the OCELOT development set (duplicates merged); labels: DFT EA (= −vea) through the
table oracle. Start with 100 random labels (seeded), batches of 100, up to 1,000 labels (9
acquisition rounds), 3 seeds; surrogate ``auto`` (the Tanimoto GP on ECFP4 counts). Reports the
fraction of the top 1 % found after 200, 500 and 1,000 labels and the surrogate refit time per
round. ``pwindow`` is given the goal as a band, EA ≥ the 99th percentile (the threshold a
screen would set); the others maximise EA. Then a short live campaign: xTB in the loop on an
enumerated library, 2 rounds × 10 molecules chosen by ``pwindow``.

Writes ``bench/results/campaign.json``; skips when ``../shared/data`` is absent.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import OCELOT, git_commit, load_ocelot, write_result

ACQUISITIONS = ("random", "greedy", "ucb", "ei", "thompson", "pwindow")
CHECKPOINTS = (200, 500, 1000)


def retrospective(work: Path, acquisitions: list[str], seeds: list[int], budget: int,
                  batch: int, initial: int) -> dict:
    import pandas as pd

    from redoxscreen.campaign import Campaign, init_campaign
    from redoxscreen.campaign.objectives import Objective

    mt = load_ocelot()
    data = pd.DataFrame({"smiles": mt.smiles, "ea_ev": mt.y[:, mt.targets.index("ea")]})
    cand, table = work / "candidates.csv", work / "dft.csv"
    data[["smiles"]].to_csv(cand, index=False)
    data.to_csv(table, index=False)
    threshold = float(np.quantile(data["ea_ev"], 0.99))
    top = set(data.loc[data["ea_ev"] >= threshold, "smiles"])
    rounds = (budget - initial) // batch
    cache: Path | None = None
    runs = []
    for acq in acquisitions:
        for seed in seeds:
            d = work / f"{acq}-{seed}"
            shutil.rmtree(d, ignore_errors=True)
            objective = (Objective("ea_ev", "band", threshold) if acq == "pwindow"
                         else Objective("ea_ev", "maximize"))
            init_campaign(d, cand, [objective], seed=seed).close()
            if cache is not None:
                shutil.copytree(cache, d / "cache")
            t0 = time.time()
            with Campaign(d, n_jobs=2) as c:
                c.run(f"table:{table}:ea_ev", rounds, batch, initial=initial, acquisition=acq)
                hist = c.history()
                sur = c.store.surrogates()
                default = c.config.default_acquisition()
            cache = cache or d / "cache"
            found = hist["key"].isin(top).to_numpy()
            curve = {n: float(found[:n].sum() / len(top)) for n in CHECKPOINTS}
            row = {"acquisition": acq, "seed": seed, "labels": int(len(hist)),
                   "found": {str(k): v for k, v in curve.items()},
                   "refit_seconds_per_round": [round(float(s), 2)
                                               for s in sur["refit_seconds"]],
                   "n_train_per_round": [int(n) for n in sur["n_train"]],
                   "cv_mae_per_round": [round(m["ea_ev"]["mae"], 4) for m in sur["metrics"]],
                   "wall_seconds": round(time.time() - t0, 1),
                   "default_for_objective": default}
            runs.append(row)
            print(f"{acq:9s} seed {seed}: found {curve[200]:.0%} / {curve[500]:.0%} / "
                  f"{curve[1000]:.0%} of the top 1 % after 200/500/1000 labels; refit "
                  f"{np.mean(row['refit_seconds_per_round']):.1f} s/round; "
                  f"{row['wall_seconds']:.0f} s", flush=True)
    summary = {}
    for acq in acquisitions:
        rs = [r for r in runs if r["acquisition"] == acq]
        summary[acq] = {
            **{f"found_after_{n}": float(np.mean([r["found"][str(n)] for r in rs]))
               for n in CHECKPOINTS},
            **{f"found_after_{n}_sd": float(np.std([r["found"][str(n)] for r in rs]))
               for n in CHECKPOINTS},
            "refit_seconds_per_round": float(np.mean([np.mean(r["refit_seconds_per_round"])
                                                      for r in rs]))}
    best = max(summary, key=lambda a: summary[a]["found_after_1000"])
    default = runs[0]["default_for_objective"] if runs else None  # the code's, for maximise
    return {"n_candidates": int(len(data)), "top_1pct_threshold_ev": threshold,
            "top_1pct_size": len(top), "initial": initial, "batch": batch, "budget": budget,
            "seeds": seeds, "runs": runs, "summary": summary, "best": best,
            "default": default,
            "bar_best_found_ge_0.5": summary[best]["found_after_1000"] >= 0.5,
            "bar_default_within_10pct_of_best": (
                summary.get(default, {}).get("found_after_1000", 0.0)
                >= 0.9 * summary[best]["found_after_1000"])}


def live_xtb(work: Path, workers: int) -> dict:
    """2 rounds × 10 xTB labels on an enumerated library, through the CLI."""
    from redoxscreen.chem.library import enumerate_library

    lib = enumerate_library(max_substituents=2, n=2000, seed=7)
    cand = work / "library.csv"
    lib[["smiles"]].to_csv(cand, index=False)
    d = work / "xtb"
    shutil.rmtree(d, ignore_errors=True)
    exe = [sys.executable, "-m", "redoxscreen", "campaign"]
    # anolyte question: reduction potential (gas-phase EA, study rule) between 1.0 and 2.0 V
    subprocess.run([*exe, "init", str(d), "--candidates", str(cand),
                    "--band", "e_red_v_li=1.0:2.0", "--seed", "0"], check=True)
    t0 = time.time()
    subprocess.run([*exe, "run", str(d), "--oracle", "xtb", "--rounds", "2", "--batch", "10",
                    "--initial", "10", "--acquisition", "pwindow", "--workers", str(workers)],
                   check=True)
    seconds = time.time() - t0
    out = subprocess.run([*exe, "status", str(d), "--json"], check=True, capture_output=True,
                         text=True)
    import json

    status = json.loads(out.stdout)
    return {"library": len(lib), "seconds": round(seconds, 1), "status": status}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acquisitions", default=",".join(ACQUISITIONS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--budget", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--initial", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-xtb", action="store_true")
    args = parser.parse_args()
    if not OCELOT.exists():
        print(f"skipped: {OCELOT} not found")
        return 0
    commit = git_commit()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        result = {"commit": commit, "produced_by": "bench/bench_campaign.py " + " ".join(
            sys.argv[1:]), "retrospective": retrospective(
                work, args.acquisitions.split(","), [int(s) for s in args.seeds.split(",")],
                args.budget, args.batch, args.initial)}
        if not args.skip_xtb:
            result["live_xtb"] = live_xtb(work, args.workers)
    write_result("campaign.json", result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
