"""xTB oracle vs DFT: 500 molecules sampled from OCELOT, vIE and EA (= −vea).

Reports R² and MAE of the raw (shifted) IPEA1-xTB values, and after a linear calibration
(fitted on one half, scored on the other, both ways), and the time per molecule.
Writes ``bench/results/oracle.json``; skips when ``../shared/data`` is absent.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import OCELOT, load_ocelot, write_result


def cross_calibrated(x: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    """Predictions of y from x by a line fitted on the other half (2-fold)."""
    rng = np.random.default_rng(seed)
    half = rng.permutation(len(x)) < len(x) // 2
    out = np.empty_like(y)
    for fit, apply in ((half, ~half), (~half, half)):
        a, b = np.polyfit(x[fit], y[fit], 1)
        out[apply] = a * x[apply] + b
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--method", default="IPEA1-xTB")
    args = parser.parse_args()
    if not OCELOT.exists():
        print(f"skipped: {OCELOT} not found")
        return 0
    from redoxscreen.evaluation import regression_metrics
    from redoxscreen.oracle import XTBOracle, label_many
    from redoxscreen.runtime.runs import library_versions
    table = load_ocelot()
    idx = np.sort(np.random.default_rng(args.seed).choice(len(table), args.n, replace=False))
    smiles = [table.smiles[i] for i in idx]
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        res = label_many(XTBOracle(method=args.method, seed=args.seed), smiles,
                         Path(tmp) / "labels.csv", n_workers=args.workers)
        wall = time.perf_counter() - t0
    res = res.set_index("smiles").loc[smiles]
    ok = (res["status"] == "ok").to_numpy()
    out = {"n": args.n, "n_ok": int(ok.sum()), "method": args.method,
           "wall_seconds": round(wall, 1),
           "seconds_per_molecule_per_core": round(wall * args.workers / args.n, 3),
           "failures": res.loc[~ok, "reason"].value_counts().to_dict(), "targets": {}}
    for j, (t, col) in enumerate((("vie", "ie_ev"), ("ea", "ea_ev"))):
        y = table.y[idx, j][ok]
        x = res[col].to_numpy(float)[ok]
        raw = regression_metrics(y, x)
        cal = regression_metrics(y, cross_calibrated(x, y, args.seed))
        a, b = np.polyfit(x, y, 1)
        out["targets"][t] = {"raw": raw, "calibrated_2fold": cal,
                             "line_all": {"slope": float(a), "intercept_ev": float(b)}}
        print(f"{t}: raw MAE {raw['mae']:.3f} R² {raw['r2']:.3f} | linear-calibrated MAE "
              f"{cal['mae']:.3f} R² {cal['r2']:.3f} (DFT ≈ {a:.3f}·xTB + {b:.3f})", flush=True)
    print(f"{out['n_ok']}/{args.n} ok, {out['seconds_per_molecule_per_core']} s per molecule "
          f"per core", flush=True)
    out["versions"] = library_versions()
    write_result("oracle.json", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
