"""What low precision costs in accuracy: OCELOT vIE and EA, 5-fold scaffold CV (issue 18).

Each fold's FCNN is trained once, in float32, and predicts its held-out scaffolds in each
precision ``screen --precision`` offers: float32; ``mixed`` (float16 gather in the sparse first
layer, bfloat16 dense layers, float32 sums); ``int8`` (float32 first layer, dynamically
quantised int8 dense layers). Two featurizers: ECFP4 counts (2048, the screening benchmark's
model) and the default features of ``bench/bench_core.py``. Reports MAE in each precision and
the largest change of a single prediction from float32; writes ``bench/results/precision.json``;
skips without ``../shared/data``. ``predict_seconds`` is one pass over each fold (5 × ~4,000
molecules, one process): a rough figure; the screen's speeds are in ``bench_screen*.py``.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from common import OCELOT, git_commit, load_ocelot, write_result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--features", default="ecfp:r=2,bits=2048,default")
    args = parser.parse_args()
    if not OCELOT.exists():
        print(f"skipped: {OCELOT} not found (the benchmark needs ../shared/data/)")
        return 0
    from redoxscreen.data import make_splits
    from redoxscreen.evaluation import metrics_by_target
    from redoxscreen.features import make_featurizer
    from redoxscreen.models import FCNNRegressor
    from redoxscreen.runtime.precision import PRECISIONS, inference_precision
    from redoxscreen.runtime.runs import file_sha256, library_versions

    table = load_ocelot()
    if args.limit:
        table.smiles, table.y = table.smiles[: args.limit], table.y[: args.limit]
    splits = make_splits(table.smiles, "scaffold", args.folds, args.seed)
    specs = ["ecfp:r=2,bits=2048", "default"] if args.features == "ecfp:r=2,bits=2048,default" \
        else args.features.split(";")
    results = {}
    for spec in specs:
        t0 = time.perf_counter()
        X = make_featurizer(spec, n_jobs=2).transform(table.smiles).tocsr()
        oof = {p: np.full(table.y.shape, np.nan) for p in PRECISIONS}
        predict_s = dict.fromkeys(PRECISIONS, 0.0)
        for k, (tr, va) in enumerate(splits):
            est = FCNNRegressor.from_preset("default", seed=args.seed + k).fit(X[tr], table.y[tr])
            for p in PRECISIONS:
                with inference_precision(p):
                    t = time.perf_counter()
                    oof[p][va] = est.predict(X[va])
                    predict_s[p] += time.perf_counter() - t
        delta = {p: np.abs(oof[p] - oof["fp32"]) for p in PRECISIONS if p != "fp32"}
        results[spec] = {
            "metrics": {p: metrics_by_target(table.y, o, table.targets) for p, o in oof.items()},
            "max_abs_change_ev": {p: {t: float(np.nanmax(d[:, j]))
                                      for j, t in enumerate(table.targets)}
                                  for p, d in delta.items()},
            "mean_abs_change_ev": {p: {t: float(np.nanmean(d[:, j]))
                                       for j, t in enumerate(table.targets)}
                                   for p, d in delta.items()},
            "predict_seconds": {p: round(s, 2) for p, s in predict_s.items()},
            "cv_seconds": round(time.perf_counter() - t0, 1)}
        m = results[spec]["metrics"]
        print(spec, "MAE", {t: {p: round(m[p][t]["mae"], 4) for p in PRECISIONS}
                            for t in table.targets},
              "max |Δ|", results[spec]["max_abs_change_ev"], flush=True)
    write_result("precision.json", {
        "benchmark": "mixed and int8 inference vs float32, OCELOT vIE / EA=-vea, scaffold CV, "
                     "the same fold models",
        "commit": git_commit(), "folds": args.folds, "seed": args.seed, "limit": args.limit,
        "data": {"file_sha256": file_sha256(OCELOT), "n_molecules": len(table.smiles)},
        "results": results, "versions": library_versions()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
