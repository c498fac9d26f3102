"""Regenerate the built-in dataset: an enumerated library labelled with IPEA1-xTB, in the gas
phase and in acetonitrile (ALPB).

Deterministic: seeded sampling of cores × substituents, seeded 3-D embedding, output sorted by
SMILES. Writes ``src/redoxscreen/datasets/default.csv.gz`` and its card ``default.md``.
Resumable: labels go to ``--work`` as they are computed, so a rerun continues.

    .venv/bin/python scripts/make_default_dataset.py --n 5600 --workers 2
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from importlib import metadata
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "redoxscreen" / "datasets"

CARD = """# Built-in dataset: enumerated redox-active molecules labelled with IPEA1-xTB ({solvent})

- File: `default.csv.gz`: {n_ok} molecules ({n_failed} failed in xTB and are left out; reasons
  below).
- Made by `scripts/make_default_dataset.py --n {n} --seed {seed} --max-substituents {k}` on {date}
  with redoxscreen {version}, RDKit {rdkit}, tblite {tblite}.
- Molecules: seeded sample of `redoxscreen enumerate` (packaged cores × substituent groups,
  0–{k} substituents); provenance columns `core`, `family`, `substituents` (`site:group;...`).
- Labels: vertical ionisation energy `ie_ev` and electron affinity `ea_ev` in eV, gas phase,
  conventional signs (EA > 0 when the anion is bound). Method: RDKit ETKDG v3 embedding (seed
  {seed}) + MMFF94 relaxation, then IPEA1-xTB single points (tblite) of neutral, cation and
  anion with `uhf` set by the electron count, minus the IPEA-xTB empirical shift of
  4.8455 eV for both IE and EA (Ásgeirsson, Bauer & Grimme, Chem. Sci. 8, 4879 (2017)).
- Potentials in solution: `e_ox_v_li` and `e_red_v_li`, vertical oxidation and reduction
  potentials in V vs Li/Li⁺ in {solvent}: the same geometry and method with tblite's ALPB
  implicit solvent on every charge state (solvated IE and EA, shifted as above, are absolute
  potentials; vs Li/Li⁺ = absolute − 4.44 + 3.04 V). Vertical, so an oxidation potential sits
  above a measured (adiabatic, relaxed-ion) one and a reduction potential below it; IPEA1 rather
  than GFN2 because IPEA1 + ALPB correlated better with DFT and measured potentials in solution
  on every set of `bench/bench_oracle_solution.py`.
- Accuracy: semi-empirical, not DFT. Against OCELOT's DFT vIE/vEA see the README (oracle
  validation). Use for demos, pre-training and tests of the pipeline, not as ground truth.
- Columns: `smiles` (RDKit canonical), `core`, `family`, `substituents`, `n_heavy`, `ie_ev`,
  `ea_ev` (gas phase), `e_ox_v_li`, `e_red_v_li` ({solvent}). Labelling took {seconds:.2f} s
  (gas) and {seconds_solv:.2f} s ({solvent}) per molecule per core on average (this machine's
  cores).

## Failures
{failures}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5600)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--max-substituents", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--solvent", default="acetonitrile")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "default_dataset")
    args = parser.parse_args()


    from redoxscreen.chem.library import enumerate_library
    from redoxscreen.cli.progress import RichBars
    from redoxscreen.oracle import XTBOracle, label_many

    lib = enumerate_library(max_substituents=args.max_substituents, n=args.n, seed=args.seed,
                            max_heavy_atoms=40)
    args.work.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    phases = {"gas": XTBOracle(seed=args.seed),
              "solv": XTBOracle(seed=args.seed, solvent=args.solvent)}
    labels = {}
    for phase, oracle in phases.items():
        with RichBars().task(f"{oracle.name} labels", total=len(lib)) as bar:
            got = label_many(oracle, lib["smiles"], args.work / f"labels_{phase}.csv",
                             n_workers=args.workers, progress=bar)
        labels[phase] = got.drop_duplicates("smiles", keep="last").set_index("smiles")
    print(f"labelled in {time.time() - t0:.0f} s")
    gas, solv = labels["gas"], labels["solv"]
    merged = lib.set_index("smiles").join(gas[["ie_ev", "ea_ev", "status", "reason", "seconds"]])
    solv = solv[["e_ox_v_li", "e_red_v_li", "status", "reason", "seconds"]]
    merged = merged.join(solv.rename(columns=lambda c: c if c.startswith("e_") else f"{c}_solv"))
    merged = merged.reset_index()
    good = (merged["status"] == "ok") & (merged["status_solv"] == "ok")
    ok, failed = merged[good], merged[~good]
    data = ok[["smiles", "core", "family", "substituents", "n_heavy", "ie_ev", "ea_ev",
               "e_ox_v_li", "e_red_v_li"]]
    data = data.sort_values("smiles").reset_index(drop=True)
    OUT.mkdir(parents=True, exist_ok=True)
    data.round({c: 4 for c in ("ie_ev", "ea_ev", "e_ox_v_li", "e_red_v_li")}).to_csv(
        OUT / "default.csv.gz", index=False, compression={"method": "gzip", "mtime": 0})
    fails = "\n".join(
        f"- `{r.smiles}`: {r.reason if r.status != 'ok' else r.reason_solv}"
        f"{'' if r.status != 'ok' else f' ({args.solvent})'}"
        for r in failed.itertuples()) or "- none"
    (OUT / "default.md").write_text(CARD.format(
        n_ok=len(data), n_failed=len(failed), n=args.n, seed=args.seed, k=args.max_substituents,
        date=time.strftime("%Y-%m-%d"), seconds=float(ok["seconds"].mean()),
        seconds_solv=float(ok["seconds_solv"].mean()), solvent=args.solvent,
        version=metadata.version("redoxscreen"),
        rdkit=metadata.version("rdkit"), tblite=metadata.version("tblite"), failures=fails))
    print(f"wrote {OUT / 'default.csv.gz'}: {len(data)} molecules ({len(failed)} failed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
