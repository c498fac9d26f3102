"""One D-MPNN variant on OCELOT scaffold fold 0: which architecture choices move the error?

The same fold 0 of the scaffold 5-fold split as the OCELOT leaderboard (``bench_zoo.py``), vIE
and EA = −vea, ``DMPNNRegressor`` with chemprop's defaults except the options given, one thread
(so two variants can run side by side on 2 cores). Each run writes
``bench/results/dmpnn_ablation/<name>.json`` (MAE per target, best epoch, validation-loss
history, seconds). Variants measured (12 epochs, ``--descriptors conjugation``): ``mean``
(``--agg mean``), ``depth6``, ``huckel`` (``--atom-features huckel``), ``mean_huckel``,
``qspr`` (``--descriptors rdkit2d:set=qspr+conjugation``), ``aux`` (``--aux
homo,lumo,aie,ea_ad=-aea,hl,s0s1,s0t1``: more OCELOT targets trained alongside, scored on vIE/EA
only), ``mean_mae`` (``--agg mean --loss mae``: trained on the absolute error, the metric) and
``mean_vie`` (``--agg mean --targets vie``: vIE alone). Their baseline, chemprop's norm
aggregation at depth 3, is ``graph+conjugation`` in ``dmpnn_descriptors.json`` (same fold,
epochs and seed; two threads).
Needs chemprop; skips without it or without ``../shared/data``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings

import numpy as np
from common import OCELOT, RESULTS, skip_without_chemprop_and_ocelot


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--name", required=True)
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--hidden", type=int, default=300)
    p.add_argument("--ffn-layers", type=int, default=1)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--descriptors", default="conjugation")
    p.add_argument("--targets", default="vie,ea=-vea", help="scored targets (vie alone: "
                   "a single-task net)")
    p.add_argument("--aux", default="", help="extra training targets, e.g. homo,lumo,aie")
    p.add_argument("--loss", default="mse", choices=["mse", "mae"])
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--fold", type=int, default=0)
    p.add_argument("--agg", default="norm")
    p.add_argument("--atom-features", default=None)
    p.add_argument("--dropout", type=float, default=0.0)
    a = p.parse_args()
    if skip_without_chemprop_and_ocelot():
        return 0
    from redoxscreen.data.splits import evaluation_splits
    from redoxscreen.evaluation.metrics import metrics_by_target
    from redoxscreen.models.dmpnn import DMPNNRegressor
    from redoxscreen.pipeline.train import load_training_table
    from redoxscreen.runtime.runs import library_versions

    scored = a.targets.split(",")
    targets = scored + [t for t in a.aux.split(",") if t]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 23 duplicated molecules disagree by > 0.1 eV
        table = load_training_table(OCELOT, targets)
    smiles = np.asarray(table.smiles, dtype=object)
    Y = np.asarray(table.y, float)
    tr, te = evaluation_splits(list(smiles), len(smiles), "scaffold", "kfold", 5, 0)[a.fold]
    t0 = time.perf_counter()
    est = DMPNNRegressor(max_epochs=a.epochs, depth=a.depth, hidden_size=a.hidden,
                         ffn_num_layers=a.ffn_layers, batch_size=a.batch, aggregation=a.agg,
                         atom_features=a.atom_features, dropout=a.dropout,
                         descriptors=a.descriptors or None, loss=a.loss, seed=0,
                         n_threads=a.threads).fit(smiles[tr], Y[tr])
    P = est.predict(smiles[te]).reshape(len(te), -1)
    k = len(scored)
    m = metrics_by_target(Y[te][:, :k], P[:, :k], table.targets[:k])
    out = {"args": vars(a), "seconds": round(time.perf_counter() - t0, 1),
           "best_epoch": est.best_epoch_, "history": est.history_["val_loss"],
           "mae": {t: round(v["mae"], 4) for t, v in m.items()}, "versions": library_versions()}
    print(json.dumps(out))
    folder = RESULTS / "dmpnn_ablation"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{a.name}.json").write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
