"""xTB in solution vs solution-phase potentials: gas phase against implicit solvent (ALPB), GFN2
against IPEA1, on the sets of ``../shared/data`` that hold potentials.

Sets (``--n`` molecules each, seeded): ``quinones_li_redox`` (DFT Li-electrode reduction
potentials, ``deltaE_V``; solvent assumed acetonitrile — the source does not name one),
``hbe_oxidation`` (DFT oxidation potentials of homobenzylic ethers; acetonitrile, as the COBOL
paper's electrolyte), ``predpots_aqueous_redox/Wardman.csv`` (experimental one-electron
reduction potentials in water, V vs NHE; water). Reduction potentials are compared with EA,
oxidation potentials with IE. Reported per set and variant: Pearson r, and the MAE of a line
fitted on 20 molecules and scored on the rest (mean over 5 random 20/rest splits), the way a lab
would calibrate. Writes ``bench/results/oracle_solution.json``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from common import SHARED, git_commit, write_result

VARIANTS = {"GFN2 gas": ("GFN2-xTB", False), "GFN2 ALPB": ("GFN2-xTB", True),
            "IPEA1 gas": ("IPEA1-xTB", False), "IPEA1 ALPB": ("IPEA1-xTB", True)}


def load_sets() -> dict[str, tuple[pd.DataFrame, str, str]]:
    """name → (table with smiles, potential_v; the energy it is compared with; solvent)."""
    q = SHARED / "quinones_li_redox"
    quin = pd.read_csv(q / "DatasetQuinonesFiltered.csv")[["Name", "deltaE_V"]].merge(
        pd.read_csv(q / "name_to_smiles_derived.csv"), on="Name")
    hbe = pd.read_csv(SHARED / "hbe_oxidation" / "Oxidation-HBE-b3lyp-results-clean.csv")
    war = pd.read_csv(SHARED / "predpots_aqueous_redox" / "Wardman.csv")
    return {
        "quinones_li_redox": (quin.rename(columns={"smiles_from_xyz": "smiles",
                                                   "deltaE_V": "potential_v"}), "ea_ev",
                              "acetonitrile"),
        "hbe_oxidation": (hbe.rename(columns={"canonSMILES": "smiles",
                                              "Potential": "potential_v"}), "ie_ev",
                          "acetonitrile"),
        "wardman_aqueous": (war.rename(columns={"pot": "potential_v"}), "ea_ev", "water"),
    }


def calibrated_mae(x: np.ndarray, y: np.ndarray, n_fit: int, seed: int, repeats: int = 5
                   ) -> float:
    maes = []
    for r in range(repeats):
        perm = np.random.default_rng([seed, r]).permutation(len(x))
        fit, test = perm[:n_fit], perm[n_fit:]
        a, b = np.polyfit(x[fit], y[fit], 1)
        maes.append(float(np.mean(np.abs(a * x[test] + b - y[test]))))
    return float(np.mean(maes))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--n-fit", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    if not (SHARED / "hbe_oxidation").exists():
        print(f"skipped: {SHARED} not found")
        return 0
    from redoxscreen.oracle import XTBOracle, label_many

    commit = git_commit()
    out: dict = {"commit": commit, "n": args.n, "n_fit": args.n_fit, "sets": {}}
    for name, (df, energy, solvent) in load_sets().items():
        df = df.dropna(subset=["smiles", "potential_v"]).drop_duplicates("smiles")
        df = df.sample(n=min(args.n, len(df)), random_state=args.seed)
        y = df["potential_v"].to_numpy(float)
        rows = {}
        for label in args.variants.split(","):
            method, solvated = VARIANTS[label]
            oracle = XTBOracle(method=method, seed=args.seed,
                               solvent=solvent if solvated else None)
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                res = label_many(oracle, df["smiles"].tolist(), Path(tmp) / "l.csv",
                                 n_workers=args.workers)
                wall = time.perf_counter() - t0
            res = res.drop_duplicates("smiles").set_index("smiles").loc[df["smiles"]]
            x = res[energy].to_numpy(float)
            ok = np.isfinite(x)
            r = float(np.corrcoef(x[ok], y[ok])[0, 1])
            mae = calibrated_mae(x[ok], y[ok], args.n_fit, args.seed)
            rows[label] = {"method": oracle.name, "n_ok": int(ok.sum()), "r": r,
                           "calibrated_mae_v": mae,
                           "seconds_per_molecule_per_core": round(wall * args.workers
                                                                  / len(df), 2)}
            print(f"{name:18s} {label:10s} r = {r:.3f}, MAE after a {args.n_fit}-point line "
                  f"{mae:.3f} V ({ok.sum()}/{len(df)} ok, "
                  f"{rows[label]['seconds_per_molecule_per_core']} s/molecule/core)", flush=True)
        out["sets"][name] = {"energy": energy, "solvent": solvent,
                             "potential_mad_v": float(np.mean(np.abs(y - y.mean()))),
                             "variants": rows}
    write_result("oracle_solution.json", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
