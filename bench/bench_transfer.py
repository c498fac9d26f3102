"""Transfer to small data: learning curves of ``finetune``'s strategies against from-scratch models.

Base models: the default FCNN (5-fold ensemble) trained on OCELOT vIE/EA (gas-phase DFT) for
the redox sets; the same FCNN trained on PolyInfo Tg (°C) — less the repeat units that are also
in Bicerano's set — for the polymer case. Small sets: ``quinones_li_redox`` (``deltaE_V``, DFT,
Li-electrode reduction), ``hbe_oxidation`` (DFT oxidation potentials), Bicerano experimental Tg
(K). For each N in 10, 20, 50, 100, 200, N molecules are drawn at random and the rest of the
set is the test, with 20 seeds for N ≤ 20 and 5 above: the coverage of one draw of 20 labels
spreads by ±0.07 (its CV+ interval rests on the extreme residuals), so 5 draws leave its mean
uncertain by ±0.03; ``coverage_95_se`` gives that standard error. Each strategy runs as
``finetune`` runs it (5-fold CV on the N: the fold heads are the model, CV+ 95 % intervals from
their out-of-fold residuals); ``auto`` is the strategy of lowest CV error on the N. From
scratch: Tanimoto GP, random forest and LightGBM on ECFP4 counts, ridge on them; the best of
them at each N (by mean test MAE: the most favourable reading for scratch). The Δ strategy
reads xTB + ALPB(acetonitrile) potentials (GFN2-xTB), computed once per set into
``bench/.cache``: for the quinones, whose labels are Li-electrode potentials (Q + Li⁺ + e⁻ →
LiQ), the xTB-relaxed molecule's vertical potentials and its Li-bound reduced form
(``li_bound=true``: r 0.862 against 0.848 for the vertical EA on all 485 in
``bench_oracle_li.py``); for the 1,424 HBE molecules, the vertical potentials (IPEA1 was 0.11 V
and GFN2 0.13 V calibrated MAE on HBE in ``bench_oracle_solution.py``, GFN2 4× faster).

    .venv/bin/python bench/bench_transfer.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import OCELOT, RESULTS, ROOT, SHARED, git_commit, write_result  # noqa: E402

CACHE = ROOT / "bench" / ".cache" / "transfer"
ORACLES = {"quinones_li_redox": ("xtb:method=GFN2-xTB,solvent=acetonitrile,li_bound=true",
                                 "gfn2li", ["e_ox_v_li", "e_red_v_li", "e_red_li_v_li"]),
           "hbe_oxidation": ("xtb:method=GFN2-xTB,solvent=acetonitrile", "gfn2",
                             ["e_ox_v_li", "e_red_v_li"])}
NS = (10, 20, 50, 100, 200)
SEEDS = {10: 20, 20: 20, 50: 5, 100: 5, 200: 5}  # seeds per N (see the docstring)
SCRATCH = {"tanimoto-gp": {}, "rf": {"n_estimators": 300}, "lgbm": {"n_estimators": 300},
           "ridge": {}}


def redox_sets() -> dict[str, pd.DataFrame]:
    """``smiles``, ``y`` (V) of the two redox sets, canonical and de-duplicated (mean)."""
    from redoxscreen.chem import canonicalize_smiles

    q = SHARED / "quinones_li_redox"
    quin = pd.read_csv(q / "DatasetQuinonesFiltered.csv", usecols=["Name", "deltaE_V"]).merge(
        pd.read_csv(q / "name_to_smiles_derived.csv"), on="Name")
    hbe = pd.read_csv(SHARED / "hbe_oxidation" / "Oxidation-HBE-b3lyp-results-clean.csv")
    out = {}
    for name, smi, y in (("quinones_li_redox", quin["smiles_from_xyz"], quin["deltaE_V"]),
                         ("hbe_oxidation", hbe["canonSMILES"], hbe["Potential"])):
        canon, _ = canonicalize_smiles(list(smi))
        d = pd.DataFrame({"smiles": canon, "y": y.to_numpy(float)}).dropna()
        out[name] = d.groupby("smiles", as_index=False)["y"].mean()
    return out


def polymer_sets() -> tuple[pd.DataFrame, pd.DataFrame]:
    """PolyInfo Tg (°C) without Bicerano's repeat units, and Bicerano Tg (K)."""
    from redoxscreen.chem import canonicalize_smiles

    d = SHARED / "polymer_tg"
    big = pd.read_csv(d / "tg_raw_polyinfo.csv")
    small = pd.read_csv(d / "Bicerano_bigsmiles.csv", encoding="latin-1")
    big["smiles"] = canonicalize_smiles(list(big["SMILES"]))[0]
    small["smiles"] = canonicalize_smiles(list(small["SMILES"]))[0]
    small = small.dropna(subset=["smiles"]).groupby("smiles", as_index=False)["Tg (K) exp"].mean()
    big = big.dropna(subset=["smiles"])
    big = big[~big["smiles"].isin(set(small["smiles"]))]
    return (big[["smiles", "tg"]].rename(columns={"tg": "tg_c"}),
            small.rename(columns={"Tg (K) exp": "y"}))


def base_model(name: str, data: Path | pd.DataFrame, targets: list[str]) -> Path:
    """Train (once; cached) the default FCNN on the big set; returns its model directory."""
    from redoxscreen.pipeline.train import TrainOptions, run_train

    out = CACHE / f"base_{name}"
    if (out / "model" / "model.json").exists():
        return out / "model"
    if isinstance(data, pd.DataFrame):
        path = CACHE / f"{name}.csv"
        data.to_csv(path, index=False)
        data = path
    t0 = time.time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_train(data, targets, out, options=TrainOptions(seed=0))
    print(f"base {name}: trained in {time.time() - t0:.0f} s")
    return out / "model"


def oracle_labels(name: str, smiles: list[str], n_workers: int = 2) -> np.ndarray:
    from redoxscreen.oracle.base import build_oracle, oracle_values

    CACHE.mkdir(parents=True, exist_ok=True)
    spec, tag, columns = ORACLES[name]
    return oracle_values(build_oracle(spec), smiles, columns,
                         n_workers=n_workers, results_csv=CACHE / f"oracle_{tag}_{name}.csv")


def scratch_mae(Xc: object, y: np.ndarray, train: np.ndarray, test: np.ndarray,
                seed: int) -> dict[str, float]:
    from redoxscreen.models.registry import make_estimator

    out = {}
    for model, params in SCRATCH.items():
        est = make_estimator(model, params, seed=seed, n_jobs=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(Xc[train], y[train])
        out[model] = float(np.mean(np.abs(est.predict(Xc[test]) - y[test])))
    return out


def transfer_runs(F: dict, y: np.ndarray, train: np.ndarray, test: np.ndarray, seed: int,
                  strategies: list[str]) -> dict[str, dict]:
    from redoxscreen.data.splits import kfold_splits
    from redoxscreen.evaluation.calibration import ConformalInterval, empirical_coverage
    from redoxscreen.models.transfer_heads import take
    from redoxscreen.pipeline.finetune import cv_strategy

    Ftr, Fte = take(F, train), take(F, test)
    folds = kfold_splits(len(train), 5, seed)
    fold = np.full(len(train), -1)
    for k, (_, te) in enumerate(folds):
        fold[te] = k
    out = {}
    for s in strategies:
        t0 = time.perf_counter()
        cv = cv_strategy(s, {}, Ftr, y[train][:, None], folds, ["y"], seed)
        members = np.stack([h[0].predict(Fte) for h in cv.heads])
        cal = ConformalInterval.fit(y[train], cv.oof[:, 0], fold, 0.95)
        lo, hi = cal.interval(members)
        out[s] = {"cv_mae": cv.mae, "mae": float(np.mean(np.abs(members.mean(0) - y[test]))),
                  "coverage": empirical_coverage(y[test], lo, hi),
                  "width": float(np.mean(hi - lo)), "seconds": time.perf_counter() - t0}
    auto = min(out, key=lambda s: out[s]["cv_mae"])
    out["auto"] = {**out[auto], "chose": auto}
    return out


def curve(name: str, smiles: list[str], y: np.ndarray, base_dir: Path, seeds: dict[int, int],
          ns: tuple[int, ...], oracle: np.ndarray | None) -> dict:
    from redoxscreen.features import make_featurizer
    from redoxscreen.models import load_model
    from redoxscreen.models.transfer import TransferRegressor

    base = load_model(base_dir)
    t0 = time.time()
    X = base.featurizer.transform(smiles)
    est = TransferRegressor(base.estimator, oracle="given" if oracle is not None else None)
    F = est.features(X, oracle_values=oracle)
    Xc = make_featurizer("ecfp:r=2,bits=2048").transform(smiles)
    print(f"{name}: {len(y)} molecules, base features in {time.time() - t0:.0f} s")
    strategies = ["linear", "stack", "finetune"] + (["delta"] if oracle is not None else [])
    rows = []
    for n in ns:
        for seed in range(seeds[n]):
            perm = np.random.default_rng(seed).permutation(len(y))
            train, test = perm[:n], perm[n:]
            res = transfer_runs(F, y, train, test, seed, strategies)
            res.update({f"scratch:{m}": {"mae": v}
                        for m, v in scratch_mae(Xc, y, train, test, seed).items()})
            rows += [{"n": n, "seed": seed, "method": m, **v} for m, v in res.items()]
        df = pd.DataFrame(rows)
        at = df[df["n"] == n].groupby("method")["mae"].mean().sort_values()
        print(f"  N={n}: " + ", ".join(f"{m} {v:.3f}" for m, v in at.items()))
    df = pd.DataFrame(rows)
    summary = {}
    for n, g in df.groupby("n"):
        means = g.groupby("method")[["mae"]].mean()["mae"]
        cov = g.groupby("method")["coverage"].mean().dropna()
        cov_se = (g.groupby("method")["coverage"].std() / np.sqrt(g["seed"].nunique())).dropna()
        scratch = means[[m for m in means.index if m.startswith("scratch:")]]
        transfer = means[[m for m in means.index if not m.startswith("scratch:")
                          and m != "auto"]]
        summary[int(n)] = {
            "mae": means.round(4).to_dict(),
            "coverage_95": cov.round(3).to_dict(),
            "coverage_95_se": cov_se.round(3).to_dict(), "seeds": int(g["seed"].nunique()),
            "best_scratch": scratch.idxmin(), "best_scratch_mae": float(scratch.min()),
            "best_transfer": transfer.idxmin(), "best_transfer_mae": float(transfer.min()),
            "auto_mae": float(means["auto"]),
            "auto_chose": g[g["method"] == "auto"]["chose"].value_counts().to_dict(),
            "reduction_vs_scratch": float(1 - transfer.min() / scratch.min()),
            "auto_reduction_vs_scratch": float(1 - means["auto"] / scratch.min()),
        }
    return {"n_molecules": len(y), "mad": float(np.mean(np.abs(y - y.mean()))),
            "summary": summary, "runs": rows}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="2 seeds, N = 10, 20")
    parser.add_argument("--oracle-only", action="store_true",
                        help="only compute the cached xTB labels")
    parser.add_argument("--sets", default="quinones_li_redox,hbe_oxidation,bicerano_tg",
                        help="sets to run; the others keep their results in the JSON")
    args = parser.parse_args()
    if not OCELOT.exists() or not (SHARED / "quinones_li_redox").exists():
        print("skipped: ../shared/data not found")
        return 0
    CACHE.mkdir(parents=True, exist_ok=True)
    ns = (10, 20) if args.quick else NS
    seeds = {n: 2 for n in ns} if args.quick else SEEDS
    wanted = args.sets.split(",")
    sets = {k: v for k, v in redox_sets().items() if k in wanted}
    if args.oracle_only:
        for name, d in sets.items():
            oracle_labels(name, list(d["smiles"]))
        return 0
    out = RESULTS / ("transfer.json" if not args.quick else "transfer_quick.json")
    results = json.loads(out.read_text())["sets"] if out.exists() else {}
    results = {k: v for k, v in results.items() if k not in wanted}
    commit = git_commit()
    if sets:
        base_redox = base_model("ocelot", OCELOT, ["vie", "ea=-vea"])
    for name, d in sets.items():  # each set's xTB labels just before its curve (cached)
        t0 = time.time()
        o = oracle_labels(name, list(d["smiles"]))
        print(f"{name}: oracle labels ({ORACLES[name][0]}) in {time.time() - t0:.0f} s")
        ok = np.isfinite(o).all(axis=1)
        t0 = time.time()
        results[name] = curve(name, list(d["smiles"][ok]), d["y"].to_numpy()[ok], base_redox,
                              seeds, ns, o[ok])
        results[name].update(n_oracle_failed=int((~ok).sum()), oracle=ORACLES[name][0],
                             commit=commit, seconds=time.time() - t0)
    if "bicerano_tg" in wanted:
        t0 = time.time()
        big, small = polymer_sets()
        base_tg = base_model("polyinfo_tg", big, ["tg_c:C"])
        results["bicerano_tg"] = curve("bicerano_tg", list(small["smiles"]),
                                       small["y"].to_numpy(), base_tg, seeds, ns, None)
        results["bicerano_tg"].update(commit=commit, seconds=time.time() - t0)
    bars = {}
    for name, r in results.items():
        at = r["summary"].get("20") or r["summary"].get(20)
        bars[name] = {"n20_reduction": at["reduction_vs_scratch"],
                      "n20_auto_reduction": at["auto_reduction_vs_scratch"],
                      "n20_coverage_auto": at["coverage_95"].get("auto")}
        print(f"{name}: N=20 best transfer ({at['best_transfer']}) "
              f"{at['reduction_vs_scratch']:.0%} lower MAE than the best from scratch "
              f"({at['best_scratch']}); auto {at['auto_reduction_vs_scratch']:.0%}; "
              f"auto 95 % coverage {bars[name]['n20_coverage_auto']:.3f}")
    write_result(out.name, {
        "benchmark": "transfer: finetune strategies vs from-scratch models, learning curves",
        "commit": commit, "seeds": {str(n): seeds[n] for n in ns}, "ns": list(ns),
        "cpus": os.cpu_count(),
        "bars": bars, "sets": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
