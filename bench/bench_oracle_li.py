"""Does xTB's Li-bound reduced form track the quinones' Li-electrode potentials better than the
vertical EA? (issue 14: the quinone transfer bar is limited by the oracle's signal.)

``quinones_li_redox`` labels (``deltaE_V``) are "Li-reduction" potentials, Q + Li⁺ + e⁻ → LiQ,
not Q + e⁻ → Q⁻. Per molecule, the product oracle ``xtb:method=GFN2-xTB,solvent=acetonitrile,
li_bound=true`` (ETKDG + MMFF → xTB relaxation of Q → vertical potentials at that geometry, and
LiQ relaxed from up to two Li sites: :mod:`redoxscreen.oracle.li_sites`), the labels shared with
``bench_transfer.py`` through its cache. Reported: Pearson r with ``deltaE_V`` of the vertical
``e_red_v_li``, the Li-bound ``e_red_li_v_li`` and both; the MAE of a line (or plane) fitted on
20 molecules and scored on the rest (mean over 200 random splits); the mean raw offset; seconds
per molecule on one core. Writes ``bench/results/oracle_li.json``.

    .venv/bin/python bench/bench_oracle_li.py [--molecules N]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from bench_transfer import CACHE, ORACLES, redox_sets
from common import SHARED, git_commit, write_result

SET = "quinones_li_redox"


def line_mae(X: np.ndarray, y: np.ndarray, n_fit: int, splits: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    A = np.c_[X, np.ones(len(y))]
    maes = []
    for _ in range(splits):
        p = rng.permutation(len(y))
        w = np.linalg.lstsq(A[p[:n_fit]], y[p[:n_fit]], rcond=None)[0]
        maes.append(np.abs(A[p[n_fit:]] @ w - y[p[n_fit:]]).mean())
    return round(float(np.mean(maes)), 4)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--molecules", type=int, default=0, help="a seeded sample (0: all)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if not (SHARED / SET).exists():
        print(f"skipped: ../shared/data/{SET} not found")
        return 0
    from redoxscreen.oracle.base import build_oracle, label_many

    table = redox_sets()[SET]
    if args.molecules:
        table = table.sample(args.molecules, random_state=args.seed)
    spec, tag, _ = ORACLES[SET]
    CACHE.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    got = label_many(build_oracle(spec), list(table["smiles"]),
                     CACHE / f"oracle_{tag}_{SET}.csv", n_workers=args.workers)
    wall = time.time() - t0
    got = got.drop_duplicates("smiles", keep="last").set_index("smiles")
    d = table.join(got, on="smiles")
    failed = d[d["status"] != "ok"]
    d = d[(d["status"] == "ok") & d["e_red_li_v_li"].notna()]
    y = d["y"].to_numpy()
    ea, li = d["e_red_v_li"].to_numpy(), d["e_red_li_v_li"].to_numpy()
    feats = {"vertical EA": ea[:, None], "Li-bound": li[:, None], "both": np.c_[ea, li]}
    res = {"benchmark": "xTB Li-bound reduced form vs vertical EA on quinones_li_redox",
           "commit": git_commit(), "oracle": spec, "molecules": len(table), "labelled": len(d),
           "failed": dict(zip(failed["smiles"], failed["reason"], strict=True)),
           "no_li_site": int(((got["status"] == "ok") & got["li_bind_ev"].isna()).sum()),
           "r": {"vertical EA": round(float(np.corrcoef(y, ea)[0, 1]), 3),
                 "Li-bound": round(float(np.corrcoef(y, li)[0, 1]), 3)},
           "line_mae_v_20_fit": {k: line_mae(X, y, 20, 200, args.seed)
                                 for k, X in feats.items()},
           "mad_v": round(float(np.abs(y - y.mean()).mean()), 4),
           "mean_offset_v": {"vertical EA": round(float(np.mean(ea - y)), 3),
                             "Li-bound": round(float(np.mean(li - y)), 3)},
           "median_seconds_per_molecule": round(float(d["seconds"].median()), 2),
           "wall_seconds": round(wall), "workers": args.workers}
    print({k: res[k] for k in ("labelled", "r", "line_mae_v_20_fit", "mad_v",
                               "median_seconds_per_molecule", "wall_seconds")})
    write_result("oracle_li.json", res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
