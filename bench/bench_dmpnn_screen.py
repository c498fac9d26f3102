"""How fast does a D-MPNN score a screening library? Molecules per second on one core.

A D-MPNN with the OCELOT leaderboard's settings (hidden 300, depth 3, mean aggregation, the
π-system descriptors) is fitted for one epoch on 2,000 OCELOT molecules — speed does not depend
on the weights — then predicts ``--molecules`` Enamine molecules with one thread, in three
stages: the molecular graphs (RDKit molecule + chemprop featurization), the π-system
descriptors of those molecules, and message passing. Median of ``--repeats``. Compare with the FCNN
screening worker (``screen_stages.json``: 344 µs per molecule for a whole chunk). Needs chemprop;
writes ``bench/results/dmpnn_screen.json``.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time

import numpy as np
from common import ENAMINE, load_ocelot, skip_without_chemprop_and_ocelot, write_result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--molecules", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if skip_without_chemprop_and_ocelot() or not ENAMINE.exists():
        return 0
    import torch

    from redoxscreen.features import make_featurizer
    from redoxscreen.models.dmpnn import DMPNNRegressor, _ordered_loader
    from redoxscreen.runtime.runs import library_versions

    torch.set_num_threads(1)
    table = load_ocelot()
    smiles = np.asarray(table.smiles, dtype=object)[:2000]
    est = DMPNNRegressor(max_epochs=1, aggregation="mean", descriptors="conjugation",
                         n_threads=1).fit(smiles, np.asarray(table.y, float)[:2000])
    with gzip.open(ENAMINE, "rt") as fh:
        library = np.asarray([line.strip() for line in fh][1:][: args.molecules], dtype=object)
    n = len(library)
    stages: dict[str, list[float]] = {"graphs": [], "descriptors": [], "network": [],
                                      "predict": []}
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        dataset = DMPNNRegressor(aggregation="mean")._dataset(library, None, cache=True)
        for i in range(len(dataset)):
            dataset[i]  # build and cache each graph
        t1 = time.perf_counter()
        make_featurizer("conjugation").transform(dataset.mols)  # on the parsed molecules
        t3 = time.perf_counter()
        with torch.inference_mode():
            for batch in _ordered_loader(dataset, 256):
                est.net_.message_passing(batch.bmg)  # the cached graphs through message passing
        t4 = time.perf_counter()
        pred = est.predict(library)
        t5 = time.perf_counter()
        assert pred.shape == (n, 2) and np.isfinite(pred).all()
        stages["graphs"].append(t1 - t0)
        stages["descriptors"].append(t3 - t1)
        stages["network"].append(t4 - t3)
        stages["predict"].append(t5 - t4)
    us = {k: round(float(np.median(v)) / n * 1e6, 1) for k, v in stages.items()}
    per_s = round(1e6 / us["predict"])
    print(f"{n} molecules, µs per molecule on one core: {us}; predict() {per_s} molecules/s")
    write_result("dmpnn_screen.json", {
        "benchmark": "D-MPNN prediction speed on Enamine molecules, one core",
        "molecules": n, "repeats": args.repeats, "us_per_molecule": us,
        "predict_molecules_per_s_per_core": per_s,
        "note": "graphs = RDKit molecule + chemprop featurization; network = message passing "
                "of the batched graphs (no FFN, negligible); predict = the whole call",
        "versions": library_versions()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
