"""Interval coverage on unseen scaffolds: global vs ensemble vs conformal (CV+), 95 % nominal.

OCELOT vIE and EA (= −vea). An outer scaffold split holds out 20 % of the scaffolds; the default
FCNN is trained by 5-fold scaffold CV on the rest (the saved-model recipe), its out-of-fold
residuals calibrate the intervals, and coverage is counted on the held-out scaffolds.
Bar: conformal coverage between 93 % and 97 %. Writes ``bench/results/uncertainty.json``.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from common import OCELOT, load_ocelot, write_result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--coverage", type=float, default=0.95)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    if not OCELOT.exists():
        print(f"skipped: {OCELOT} not found")
        return 0
    from redoxscreen.data import MoleculeTable, scaffold_kfold_splits
    from redoxscreen.evaluation.calibration import empirical_coverage, fit_calibrator
    from redoxscreen.features import make_featurizer
    from redoxscreen.models import FCNNRegressor
    from redoxscreen.pipeline.train import fit_cv_ensemble
    from redoxscreen.runtime.runs import library_versions

    table = load_ocelot()
    if args.limit:
        table.smiles, table.y = table.smiles[: args.limit], table.y[: args.limit]
    train_idx, test_idx = scaffold_kfold_splits(table.smiles, 5, args.seed)[0]
    train = MoleculeTable([table.smiles[i] for i in train_idx], table.y[train_idx],
                          table.targets, [[int(i)] for i in train_idx])
    featurizer = make_featurizer("default", n_jobs=2)
    model, cv = fit_cv_ensemble(train, featurizer, FCNNRegressor.from_preset(
        "default", seed=args.seed), split="scaffold", folds=5, seed=args.seed)
    X_test = featurizer.transform([table.smiles[i] for i in test_idx])
    members = model.estimator.predict_members(X_test)
    y_test = table.y[test_idx]
    results = {}
    for j, t in enumerate(table.targets):
        oof = model.oof
        results[t] = {"test_mae": float(np.mean(np.abs(members[:, :, j].mean(0) - y_test[:, j]))),
                      "cv_mae": cv.metrics[t]["mae"]}
        for mode in ("global", "ensemble", "conformal"):
            cal = fit_calibrator(mode, oof[f"{t}_true"], oof[f"{t}_pred"], oof["fold"],
                                 args.coverage)
            lo, hi = cal.interval(members[:, :, j])
            results[t][mode] = {"coverage": empirical_coverage(y_test[:, j], lo, hi),
                                "mean_width_ev": float(np.nanmean(hi - lo))}
        line = "  ".join(f"{m} {r['coverage']:.3f} (±{r['mean_width_ev'] / 2:.2f} eV)"
                         for m, r in results[t].items() if isinstance(r, dict))
        print(f"{t}: test MAE {results[t]['test_mae']:.3f}; coverage {line}", flush=True)
    write_result("uncertainty.json", {
        "benchmark": "95 % interval coverage on held-out scaffolds (OCELOT)",
        "n_train": len(train_idx), "n_test": len(test_idx), "seed": args.seed,
        "nominal": args.coverage, "results": results,
        "conformal_in_93_97": {t: 0.93 <= r["conformal"]["coverage"] <= 0.97
                               for t, r in results.items()},
        "versions": library_versions(),
    })
    return 0


if __name__ == "__main__":
    sys.exit(main())
