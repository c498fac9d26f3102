"""The D-MPNN wrapper against chemprop's own CLI on the same split (issue 5: within 5 %).

OCELOT molecules (a seeded sample, ``--n``), vIE and EA = −vea, one scaffold split into
train / validation / test (80 / 10 / 10). ``chemprop train`` runs with ``--splits-column`` on
that split and its defaults; ``DMPNNRegressor`` (same defaults) is fitted on the same train and
validation rows. Both are scored on the test rows. Needs chemprop (``pip install chemprop``);
skips without it or without ``../shared/data``. Writes ``bench/results/dmpnn.json``.
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
import pandas as pd
from common import load_ocelot, skip_without_chemprop_and_ocelot, write_result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000, help="molecules sampled from OCELOT")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if skip_without_chemprop_and_ocelot():
        return 0
    from redoxscreen.data import make_splits
    from redoxscreen.evaluation.metrics import metrics_by_target
    from redoxscreen.models.dmpnn import DMPNNRegressor
    from redoxscreen.runtime.runs import library_versions

    table = load_ocelot()
    rows = np.sort(np.random.default_rng(args.seed).choice(len(table.smiles), args.n,
                                                            replace=False))
    smiles = np.asarray(table.smiles, dtype=object)[rows]
    Y = table.y[rows]
    folds = make_splits(list(smiles), "scaffold", 10, args.seed)
    split = np.full(len(rows), "train", dtype=object)
    split[folds[0][1]] = "test"
    split[folds[1][1]] = "val"
    targets = table.targets
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        df = pd.DataFrame({"smiles": smiles, **{t: Y[:, j] for j, t in enumerate(targets)},
                           "split": split})
        df.to_csv(tmp / "data.csv", index=False)
        exe = shutil.which("chemprop", path=str(Path(sys.executable).parent)) or "chemprop"
        cmd = [exe, "train", "-i", str(tmp / "data.csv"), "-s", "smiles", "--target-columns",
               *targets, "--splits-column", "split", "-o", str(tmp / "cli"), "--epochs",
               str(args.epochs), "--pytorch-seed", str(args.seed), "--data-seed",
               str(args.seed), "-n", "0", "--accelerator", "cpu", "--devices", "1"]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        cli_s = time.perf_counter() - t0
        if proc.returncode != 0:
            print(proc.stderr[-3000:])
            return 1
        pred_file = next((tmp / "cli").rglob("test_predictions.csv"))
        cli = pd.read_csv(pred_file)
        test = split == "test"
        cli_pred = cli[targets].to_numpy(float)
        results["chemprop_cli"] = {"seconds": round(cli_s, 1), "metrics": metrics_by_target(
            Y[test], cli_pred, targets)}
        t0 = time.perf_counter()
        est = DMPNNRegressor(max_epochs=args.epochs, seed=args.seed).fit(
            smiles[split == "train"], Y[split == "train"], X_val=smiles[split == "val"],
            y_val=Y[split == "val"])
        ours = est.predict(smiles[test])
        results["wrapper"] = {"seconds": round(time.perf_counter() - t0, 1),
                              "best_epoch": est.best_epoch_,
                              "metrics": metrics_by_target(Y[test], ours, targets)}
    rel = {t: abs(results["wrapper"]["metrics"][t]["mae"] - results["chemprop_cli"]["metrics"][t]
                  ["mae"]) / results["chemprop_cli"]["metrics"][t]["mae"] for t in targets}
    for name, r in results.items():
        line = "  ".join(f"{t}: MAE {m['mae']:.3f} R² {m['r2']:.3f}"
                         for t, m in r["metrics"].items())
        print(f"{name:13s} {line}  ({r['seconds']:.0f} s)")
    print("relative MAE difference:", {t: round(v, 3) for t, v in rel.items()})
    write_result("dmpnn.json", {
        "benchmark": "D-MPNN wrapper vs chemprop CLI, same scaffold split",
        "n_molecules": int(args.n), "n_train": int((split == "train").sum()),
        "n_val": int((split == "val").sum()), "n_test": int(test.sum()), "epochs": args.epochs,
        "seed": args.seed, "results": results,
        "relative_mae_difference": rel, "bars": {"within_5pct": {t: v <= 0.05
                                                                 for t, v in rel.items()}},
        "versions": {**library_versions(), "chemprop": chemprop_version()},
    })
    return 0


def chemprop_version() -> str:
    import chemprop

    return getattr(chemprop, "__version__", "?")


if __name__ == "__main__":
    sys.exit(main())
