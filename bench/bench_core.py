"""Core benchmark: OCELOT vIE and EA (= −vea), 5-fold scaffold CV, three models in one run.

(a) the study's preset (ECFP4 bits 2048 → FCNN 1024-512-256, thesis settings),
(b) our default FCNN (multi-radius ECFP counts + π-system descriptors),
(c) LightGBM on ECFP4 counts (2048) as the reference.

Prints a table and writes ``bench/results/core.json``. Skips (exit 0) when the shared data
directory is absent. ``--limit N`` runs on the first N molecules for a quick look.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from common import OCELOT as DATA
from common import SHARED, load_ocelot, write_result


def lightgbm_cv(X, Y, splits, seed):
    import lightgbm as lgb

    oof = np.full(Y.shape, np.nan)
    for k, (tr, va) in enumerate(splits):
        for j in range(Y.shape[1]):
            m = lgb.LGBMRegressor(n_estimators=1000, learning_rate=0.05, num_leaves=63,
                                  colsample_bytree=0.5, subsample=0.8, subsample_freq=1,
                                  random_state=seed + k, verbose=-1, n_jobs=2)
            m.fit(X[tr], Y[tr, j])
            oof[va, j] = m.predict(X[va])
    return oof


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--models", default="thesis,default,lightgbm")
    args = parser.parse_args()
    if not DATA.exists():
        print(f"skipped: {DATA} not found (the benchmark needs ../shared/data/)")
        return 0

    from redoxscreen.data import make_splits
    from redoxscreen.evaluation import cross_validate, metrics_by_target
    from redoxscreen.features import make_featurizer
    from redoxscreen.models import FCNNRegressor
    from redoxscreen.runtime.runs import file_sha256, library_versions
    table = load_ocelot()
    if args.limit:
        table.smiles, table.y = table.smiles[: args.limit], table.y[: args.limit]
    splits = make_splits(table.smiles, "scaffold", args.folds, args.seed)
    models = {
        "thesis": ("ecfp:r=2,bits=2048,bits-only", lambda: FCNNRegressor.from_preset(
            "thesis", seed=args.seed)),
        "default": ("default", lambda: FCNNRegressor.from_preset("default", seed=args.seed)),
        "lightgbm": ("ecfp:r=2,bits=2048,counts", None),
    }
    results = {}
    for name in args.models.split(","):
        spec, make = models[name]
        t0 = time.perf_counter()
        X = make_featurizer(spec, n_jobs=2).transform(table.smiles)
        t_feat = time.perf_counter() - t0
        if make is None:
            oof = lightgbm_cv(X, table.y, splits, args.seed)
            metrics = metrics_by_target(table.y, oof, table.targets)
        else:
            metrics = cross_validate(make(), X, table.y, splits, table.targets,
                                     seed=args.seed).metrics
        total = time.perf_counter() - t0
        results[name] = {"featurizer": spec, "featurize_seconds": round(t_feat, 1),
                         "cv_seconds": round(total, 1), "metrics": metrics}
        line = "  ".join(f"{t}: MAE {m['mae']:.3f} R² {m['r2']:.3f}" for t, m in metrics.items())
        print(f"{name:9s} {line}  | {args.folds}-fold CV {total:.0f} s", flush=True)

    out = {
        "benchmark": "core: OCELOT vIE / EA=-vea, scaffold k-fold CV",
        "data": {"path": str(DATA.relative_to(SHARED.parent.parent)),
                 "file_sha256": file_sha256(DATA),
                 "data_hash": table.data_hash(), "n_molecules": len(table.smiles)},
        "folds": args.folds, "seed": args.seed, "limit": args.limit,
        "versions": library_versions(), "results": results,
    }
    if {"default", "thesis", "lightgbm"} <= set(results):
        out["default_beats_both"] = {
            t: all(results["default"]["metrics"][t]["mae"] < results[o]["metrics"][t]["mae"]
                   for o in ("thesis", "lightgbm")) for t in table.targets}
        print("default FCNN beats thesis and LightGBM:", out["default_beats_both"])
    full = not args.limit and args.models == parser.get_default("models")
    write_result("core.json" if full else "core_partial.json", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
