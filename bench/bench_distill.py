"""What distilling the 5 fold models into one net costs: OCELOT vIE / EA, scaffold CV (issue 18).

Outer scaffold folds hold molecules out. On each outer training set a 5-fold CV ensemble of
2048→1024→512 FCNNs on ECFP4 counts is trained (what ``train`` makes, as in the screening
benchmark), then distilled (``redoxscreen distill``) on its training molecules plus a sample of
the Enamine library. On the held-out molecules: MAE of the ensemble mean and of the student,
coverage and mean width of the 95 % CV+ intervals from each (the same OOF residuals), and the
student's disagreement with the members. Writes ``bench/results/distill.json``; skips without
``../shared/data``.
"""

from __future__ import annotations

import argparse
import sys
import time
from copy import copy

import numpy as np
from common import ENAMINE, OCELOT, enamine_smiles, git_commit, load_ocelot, write_result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=5000)
    parser.add_argument("--outer", type=int, default=3)
    parser.add_argument("--library", type=int, default=10000, help="Enamine molecules added")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not (OCELOT.exists() and ENAMINE.exists()):
        print("skipped: ../shared/data (OCELOT, Enamine50k) not found")
        return 0
    from redoxscreen.data import make_splits
    from redoxscreen.evaluation.calibration import calibrators_from_oof, empirical_coverage
    from redoxscreen.features import make_featurizer
    from redoxscreen.models import FCNNRegressor
    from redoxscreen.models.distill import distill_ensemble
    from redoxscreen.pipeline.train import fit_cv_ensemble
    from redoxscreen.runtime.runs import file_sha256, library_versions

    table = load_ocelot()
    rng = np.random.default_rng(args.seed)
    keep = np.sort(rng.permutation(len(table.smiles))[: args.limit])
    table.smiles, table.y = [table.smiles[i] for i in keep], table.y[keep]
    extra = list(rng.permutation(enamine_smiles())[: args.library])
    featurizer = make_featurizer("ecfp:r=2,bits=2048")
    outer = make_splits(table.smiles, "scaffold", args.outer, args.seed)
    X = featurizer.transform(table.smiles).tocsr()
    rows = []
    for k, (tr, te) in enumerate(outer):
        t0 = time.perf_counter()
        inner = copy(table)
        inner.smiles, inner.y = [table.smiles[i] for i in tr], table.y[tr]
        est = FCNNRegressor.from_preset("default", seed=args.seed + k)
        teacher, _ = fit_cv_ensemble(inner, featurizer, est, split="scaffold", folds=5,
                                     seed=args.seed + k)
        t1 = time.perf_counter()
        student, agreement = distill_ensemble(teacher, extra, seed=args.seed + k)
        t2 = time.perf_counter()
        cals = calibrators_from_oof(teacher.oof, table.targets, "conformal", 0.95)
        row = {"fold": k, "train": len(tr), "test": len(te), "teacher_seconds": round(t1 - t0),
               "distill_seconds": round(t2 - t1), "agreement": agreement}
        for name, model in (("ensemble", teacher), ("distilled", student)):
            members = model.estimator.predict_members(X[te])  # (k, n, t)
            res = {}
            for j, t in enumerate(table.targets):
                y = table.y[te, j]
                ok = np.isfinite(y)
                lo, hi = cals[t].interval(members[:, :, j])
                res[t] = {"mae": float(np.mean(np.abs(members[:, ok, j].mean(0) - y[ok]))),
                          "coverage_95": empirical_coverage(y, lo, hi),
                          "mean_width": float(np.mean(hi - lo))}
            row[name] = res
        rows.append(row)
        print(k, {n: {t: round(v["mae"], 4) for t, v in row[n].items()}
                  for n in ("ensemble", "distilled")},
              {n: {t: round(v["coverage_95"], 3) for t, v in row[n].items()}
               for n in ("ensemble", "distilled")}, flush=True)

    def avg(name: str, key: str) -> dict:
        return {t: round(float(np.mean([r[name][t][key] for r in rows])), 4)
                for t in table.targets}

    summary = {n: {k: avg(n, k) for k in ("mae", "coverage_95", "mean_width")}
               for n in ("ensemble", "distilled")}
    print(summary)
    write_result("distill.json", {
        "benchmark": "distilled student vs its 5-fold FCNN ensemble, OCELOT vIE / EA=-vea, "
                     "outer scaffold folds, ECFP4 counts 2048",
        "commit": git_commit(), "seed": args.seed, "limit": args.limit, "outer": args.outer,
        "library_molecules": args.library,
        "data": {"ocelot_sha256": file_sha256(OCELOT), "enamine_sha256": file_sha256(ENAMINE)},
        "summary": summary, "folds": rows, "versions": library_versions()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
