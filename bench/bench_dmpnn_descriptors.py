"""Does the D-MPNN gain from the π-system descriptors? One OCELOT scaffold fold, with and without.

Fold 0 of the same scaffold 5-fold split as the OCELOT leaderboard (``bench_zoo.py``), vIE and
EA = −vea; ``DMPNNRegressor`` with chemprop's defaults for ``--epochs`` epochs, once on the graph
alone and once with ``descriptors="conjugation"`` (Hückel frontier orbitals and π-system size
appended to the graph embedding). Needs chemprop; skips without it or without
``../shared/data``. Writes ``bench/results/dmpnn_descriptors.json``.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from common import load_ocelot, skip_without_chemprop_and_ocelot, write_result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if skip_without_chemprop_and_ocelot():
        return 0
    from redoxscreen.data.splits import evaluation_splits
    from redoxscreen.evaluation.metrics import metrics_by_target
    from redoxscreen.models.dmpnn import DMPNNRegressor
    from redoxscreen.runtime.runs import library_versions

    table = load_ocelot()
    smiles = np.asarray(table.smiles, dtype=object)
    Y = np.asarray(table.y, float)
    tr, te = evaluation_splits(list(smiles), len(smiles), "scaffold", "kfold", 5, args.seed)[0]
    results = {}
    for label, descriptors in (("graph", None), ("graph+conjugation", "conjugation")):
        t0 = time.perf_counter()
        est = DMPNNRegressor(max_epochs=args.epochs, descriptors=descriptors, seed=args.seed,
                             n_threads=2).fit(smiles[tr], Y[tr])
        metrics = metrics_by_target(Y[te], est.predict(smiles[te]), table.targets)
        results[label] = {"seconds": round(time.perf_counter() - t0, 1),
                          "best_epoch": est.best_epoch_, "metrics": metrics}
        print(f"{label}: " + ", ".join(f"{t} MAE {m['mae']:.3f}" for t, m in metrics.items()),
              flush=True)
    write_result("dmpnn_descriptors.json", {
        "benchmark": "D-MPNN with and without π-system descriptors, OCELOT scaffold fold 0",
        "n_train": len(tr), "n_test": len(te), "epochs": args.epochs, "seed": args.seed,
        "results": results, "versions": library_versions()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
