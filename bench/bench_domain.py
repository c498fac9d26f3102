"""The applicability domain of the demo's model: does its error grow as similarity to the
training set falls, where the thresholds sit, and what share of three libraries it calls in,
edge and out: a fresh sample of the same enumerated space, Enamine drug-like molecules (other
chemistry), and the bad-input corpus's metals and salts.

    .venv/bin/python bench/bench_domain.py --model DIR     → bench/results/domain.json
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd
from rdkit import Chem

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ENAMINE, ROOT, git_commit, write_result  # noqa: E402


def assess(model, smiles: list[str]) -> dict:
    mols = [m for s in smiles if (m := Chem.MolFromSmiles(s)) is not None]
    t = time.perf_counter()
    got = model.domain.assess(mols)
    dt = time.perf_counter() - t
    share = got["domain"].value_counts(normalize=True).round(4).to_dict()
    return {"molecules": len(mols), "share": share,
            "median_nn_similarity": float(got["nn_similarity"].median()),
            "us_per_molecule": round(1e6 * dt / max(len(mols), 1), 1),
            "examples_out": got.loc[got["domain"] == "out", "domain_reason"].head(3).tolist()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path,
                        default=ROOT / "bench" / ".cache" / "design" / "train" / "model")
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    from redoxscreen.chem.library import enumerate_library
    from redoxscreen.models import load_model

    model = load_model(args.model)
    card = model.domain.to_card()
    prof = card["error_by_similarity"]
    targets = [k.removesuffix("_mae") for k in prof[0] if k.endswith("_mae")]
    ratio = {t: prof[0][f"{t}_mae"] / prof[-1][f"{t}_mae"] for t in targets}
    known = set(model.domain.index.smiles)
    lib = enumerate_library(max_substituents=4, n=args.n + len(known), seed=99)
    fresh = lib.loc[~lib["smiles"].isin(known), "smiles"].head(args.n).tolist()
    libraries = {"enumerated (same space, new molecules)": fresh}
    if ENAMINE.exists():
        libraries["Enamine50k (drug-like)"] = pd.read_csv(ENAMINE).iloc[:, 0].head(
            args.n).astype(str).tolist()
    corpus = ROOT / "tests" / "data" / "bad_inputs"
    strange = [s for f in ("metals.csv", "salts.csv", "radicals.csv")
               for s in pd.read_csv(corpus / f)["smiles"]]
    libraries["metals, salts, radicals (bad-input corpus)"] = strange
    res = {"commit": git_commit(), "model": str(args.model),
           "edge_similarity": card["edge_similarity"], "out_similarity": card["out_similarity"],
           "rule": card["rule"], "error_by_similarity": prof,
           "mae_lowest_over_highest_similarity_bin": ratio,
           "libraries": {k: assess(model, v) for k, v in libraries.items()}}
    print(f"thresholds: edge {res['edge_similarity']}, out {res['out_similarity']} "
          f"({res['rule']}); MAE lowest/highest similarity bin: "
          + ", ".join(f"{t} {r:.2f}×" for t, r in ratio.items()))
    for name, r in res["libraries"].items():
        print(f"{name}: {r['molecules']} molecules, {r['share']}, median similarity "
              f"{r['median_nn_similarity']:.2f}, {r['us_per_molecule']} µs/molecule")
    write_result("domain.json", res)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
