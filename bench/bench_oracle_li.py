"""Does an xTB Li⁺-bound reduced form track the quinones' Li-electrode potentials better than
the vertical EA? (issue 14: the quinone transfer bar is limited by the oracle's signal.)

``quinones_li_redox`` labels (``deltaE_V``) are "Li-reduction" potentials: Q + Li⁺ + e⁻ → LiQ,
not Q + e⁻ → Q⁻. Per molecule (``--molecules``, seeded sample), GFN2-xTB + ALPB(acetonitrile):
ETKDG + MMFF geometry → xTB relaxation of Q → the vertical EA at that geometry, and the Li
binding energy

.. math:: E_\\mathrm{bind} = E(\\mathrm{Q}) - \\min_\\mathrm{site} E(\\mathrm{LiQ})

with Li started 1.8 Å beyond each of the first two carbonyl oxygens along C→O and LiQ relaxed
(neutral doublet). The Li atom's own energy is a constant, left out. Reported: Pearson r with
``deltaE_V`` for EA, E_bind and both, and the MAE of a line (or plane) fitted on 20 molecules and
scored on the rest (mean over 200 random splits), with the seconds per molecule on one core.
Writes ``bench/results/oracle_li.json``.
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
import pandas as pd
from common import SHARED, git_commit, write_result

HARTREE_EV, ANGSTROM_BOHR = 27.211386245988, 1.0 / 0.529177210903
METHOD, SOLVENT = "GFN2-xTB", "acetonitrile"


class Relaxer:
    """One tblite calculator per state, its positions updated and its SCF restarted from the
    previous step (a new calculator per step repeats the set-up and a cold SCF)."""

    def __init__(self, numbers: np.ndarray, positions: np.ndarray, charge: int):
        from tblite.interface import Calculator

        uhf = (int(numbers.sum()) - charge) % 2
        self.calc = Calculator(METHOD, numbers, positions, charge=float(charge), uhf=uhf)
        self.calc.set("verbosity", 0)
        self.calc.set("max-iter", 300)
        self.calc.add("alpb-solvation", SOLVENT)
        self.res = None

    def energy_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        self.calc.update(x.reshape(-1, 3))
        self.res = self.calc.singlepoint(self.res)
        return float(self.res.get("energy")), self.res.get("gradient").ravel()

    def relax(self, positions: np.ndarray) -> tuple[float, np.ndarray]:
        from scipy.optimize import minimize

        out = minimize(self.energy_gradient, positions.ravel(), jac=True, method="L-BFGS-B",
                       options={"maxiter": 300, "gtol": 3e-4})
        return float(out.fun), out.x.reshape(-1, 3)


def label(row: tuple[str, str, float]) -> dict:
    from rdkit import Chem

    from redoxscreen.oracle.xtb import embed

    name, smiles, y = row
    t0 = time.perf_counter()
    mol3d, why = embed(Chem.MolFromSmiles(smiles))
    if mol3d is None:
        return {"name": name, "y": y, "error": why}
    z = np.array([a.GetAtomicNum() for a in mol3d.GetAtoms()])
    pos = mol3d.GetConformer().GetPositions() * ANGSTROM_BOHR
    sites = [(b.GetBeginAtom(), b.GetEndAtom()) for b in mol3d.GetBonds()
             if b.GetBondType() == Chem.BondType.DOUBLE
             and {b.GetBeginAtom().GetSymbol(), b.GetEndAtom().GetSymbol()} == {"C", "O"}][:2]
    if not sites:
        return {"name": name, "y": y, "error": "no C=O"}
    try:
        e_q, pos_q = Relaxer(z, pos, 0).relax(pos)
        e_anion = Relaxer(z, pos_q, -1).energy_gradient(pos_q.ravel())[0]
        e_li = []
        for a, b in sites:
            o, c = (a, b) if a.GetSymbol() == "O" else (b, a)
            u = pos_q[o.GetIdx()] - pos_q[c.GetIdx()]
            li = pos_q[o.GetIdx()] + 1.8 * ANGSTROM_BOHR * u / np.linalg.norm(u)
            start = np.vstack([pos_q, li])
            e_li.append(Relaxer(np.append(z, 3), start, 0).relax(start)[0])
    except Exception as exc:  # tblite raises on SCF non-convergence
        return {"name": name, "y": y, "error": str(exc).strip().splitlines()[0][:120]}
    return {"name": name, "smiles": smiles, "y": y, "ea_ev": (e_q - e_anion) * HARTREE_EV,
            "li_bind_ev": (e_q - min(e_li)) * HARTREE_EV, "sites": len(sites),
            "seconds": round(time.perf_counter() - t0, 1)}


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
    parser.add_argument("--molecules", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    q = SHARED / "quinones_li_redox"
    if not q.exists():
        print("skipped: ../shared/data/quinones_li_redox not found")
        return 0
    table = pd.read_csv(q / "DatasetQuinonesFiltered.csv")[["Name", "deltaE_V"]].merge(
        pd.read_csv(q / "name_to_smiles_derived.csv"), on="Name")
    sample = table.sample(args.molecules, random_state=args.seed)
    rows = list(zip(sample.Name, sample.smiles_from_xyz, sample.deltaE_V, strict=True))
    t0 = time.time()
    with ProcessPoolExecutor(args.workers, mp_context=get_context("spawn")) as pool:
        out = list(pool.map(label, rows))
    ok = [r for r in out if "error" not in r]
    y = np.array([r["y"] for r in ok])
    ea, li = (np.array([r[k] for r in ok]) for k in ("ea_ev", "li_bind_ev"))
    feats = {"vertical EA": ea[:, None], "Li binding": li[:, None], "both": np.c_[ea, li]}
    res = {"benchmark": "xTB Li-bound reduced form vs vertical EA on quinones_li_redox",
           "commit": git_commit(), "method": f"{METHOD} + ALPB({SOLVENT}), xTB-relaxed Q",
           "molecules": args.molecules, "labelled": len(ok),
           "failed": {r["name"]: r["error"] for r in out if "error" in r},
           "r": {"vertical EA": round(float(np.corrcoef(y, ea)[0, 1]), 3),
                 "Li binding": round(float(np.corrcoef(y, li)[0, 1]), 3)},
           "line_mae_v_20_fit": {k: line_mae(X, y, 20, 200, args.seed)
                                 for k, X in feats.items()},
           "mad_v": round(float(np.abs(y - y.mean()).mean()), 4),
           "median_seconds_per_molecule": float(np.median([r["seconds"] for r in ok])),
           "wall_seconds": round(time.time() - t0), "workers": args.workers, "rows": out}
    print({k: res[k] for k in ("r", "line_mae_v_20_fit", "mad_v",
                               "median_seconds_per_molecule", "failed")})
    write_result("oracle_li.json", res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
