"""``demo``: the main job end to end on the built-in dataset.

train (k-fold CV) → enumerate a fresh library → screen it for acetonitrile catholytes and
anolytes → re-label the top candidates with the xTB oracle → one-page HTML summary.
"""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from redoxscreen.chem.library import enumerate_library
from redoxscreen.electrochem import PotentialConversion
from redoxscreen.errors import DataError
from redoxscreen.oracle import XTBOracle, label_many
from redoxscreen.pipeline.progress import Progress
from redoxscreen.pipeline.runs import RunFolder
from redoxscreen.pipeline.screen import run_screen_command
from redoxscreen.pipeline.train import TrainOptions, run_train
from redoxscreen.report.html import image_tag, table_html, write_html
from redoxscreen.screen import ScreenSettings
from redoxscreen.screen.settings import potential_column

# Gas-phase IE/EA are volts away from solution potentials. Without measured potentials to fit a
# line, the demo applies an explicit Born-model solvation estimate: a singly charged ion of
# radius 4 Å in acetonitrile (ε = 36) is stabilised by (1 − 1/ε)·e²/(8πε₀r) ≈ 1.75 eV.
BORN_OFFSET_EV = 1.75


def builtin_dataset() -> Path:
    path = Path(str(resources.files("redoxscreen") / "datasets" / "default.csv.gz"))
    if not path.exists():
        raise DataError("the built-in dataset is missing from this installation; regenerate it "
                        "with scripts/make_default_dataset.py")
    return path


def run_demo(out: str | Path, *, seed: int = 0, library_size: int = 100_000, folds: int = 5,
             top: int = 20, workers: int = 2, progress: Progress | None = None,
             dataset: str | Path | None = None, max_epochs: int | None = None) -> dict:
    """The demo; ``dataset`` (columns smiles, ie_ev, ea_ev) and ``max_epochs`` are for tests."""
    progress = progress or Progress(enabled=False)
    out = Path(out)
    t_start = time.time()
    data = Path(dataset) if dataset else builtin_dataset()
    run = RunFolder(out, "demo", {"seed": seed, "library_size": library_size, "folds": folds,
                                  "top": top, "born_offset_ev": BORN_OFFSET_EV})
    train_run, cv = run_train(data, ["ie_ev", "ea_ev"], out / "train",
                              # random folds: the screened library comes from the same cores,
                              # so in-domain error is the relevant estimate (scaffold CV would
                              # hold out whole core families, e.g. all viologen dications)
                              options=TrainOptions(folds=folds, split="random", seed=seed,
                                                   n_jobs=workers, max_epochs=max_epochs),
                              progress=progress)
    trained = set(pd.read_csv(data, usecols=["smiles"])["smiles"])
    with progress.task("enumerating a fresh library", total=None):
        lib = enumerate_library(max_substituents=4, n=library_size + len(trained),
                                seed=seed + 1000, max_heavy_atoms=60)
        lib = lib[~lib["smiles"].isin(trained)].head(library_size)
        library = out / "library.smi"
        lib[["smiles", "core"]].to_csv(library, sep=" ", header=False, index=False)
    conversion = PotentialConversion.solvation(-BORN_OFFSET_EV, BORN_OFFSET_EV)
    settings = ScreenSettings(roles=["cathode", "anode"], solvent="acetonitrile",
                              collector="Al", uncertainty="conformal",
                              conversion=conversion.to_dict(), n_workers=workers, top_n=100)
    summary = run_screen_command(train_run.path / "model", library, out / "screen", settings,
                                 progress=progress)
    checks = relabel_top(out, settings, top, workers, progress)
    result = {"seconds": round(time.time() - t_start, 1), "cv_metrics": cv.metrics,
              "library_molecules": int(len(lib)), "screen": summary["roles"],
              "oracle_check": checks["metrics"]}
    run.write_json("demo_summary.json", result)
    write_demo_html(out, result, checks["table"], settings)
    return result


def relabel_top(out: Path, settings: ScreenSettings, top: int, workers: int,
                progress: Progress) -> dict:
    """xTB labels of the top candidates of each role vs the model's predictions."""
    rows = []
    for role in settings.roles:
        cand = pd.read_csv(out / "screen" / f"top_{role}.csv").head(top)
        cand["role"] = role
        rows.append(cand)
    cand = pd.concat(rows, ignore_index=True)
    oracle = XTBOracle(seed=0)
    with progress.task("xTB check of the top candidates", total=cand["smiles"].nunique()) as b:
        labels = label_many(oracle, cand["smiles"], out / "oracle_check.csv",
                            n_workers=workers, progress=b)
    labels = labels.drop_duplicates("smiles", keep="last")
    labels = labels.rename(columns={"ie_ev": "ie_ev_xtb", "ea_ev": "ea_ev_xtb",
                                    "status": "xtb_status"})
    cand = cand.merge(labels[["smiles", "ie_ev_xtb", "ea_ev_xtb", "xtb_status"]], on="smiles",
                      how="left")
    conv = PotentialConversion.from_dict(settings.conversion)
    window = settings.rules()["cathode"].window
    metrics, table = {}, []
    for role, target, process in (("cathode", "ie_ev", "oxidation"),
                                  ("anode", "ea_ev", "reduction")):
        c = cand[cand["role"] == role]
        if c.empty:
            metrics[role] = {"n": 0}
            continue
        pred, xtb = c[f"{target}_pred"].to_numpy(), c[f"{target}_xtb"].to_numpy(float)
        e_xtb = conv.potential(xtb, process, settings.scale)
        inside = (e_xtb >= window.low_v) & (e_xtb <= window.high_v)
        ok = np.isfinite(xtb)
        metrics[role] = {"n": int(len(c)), "n_labelled": int(ok.sum()),
                         "mae_ev": float(np.mean(np.abs(pred[ok] - xtb[ok]))) if ok.any()
                         else None,
                         "still_in_window": int(inside[ok].sum())}
        col = potential_column(role, settings.scale)
        table.append(pd.DataFrame({"role": role, "smiles": c["smiles"], "predicted_ev": pred,
                                   "xtb_ev": xtb, "predicted_v_li": c[col],
                                   "xtb_v_li": e_xtb}))
    return {"metrics": metrics, "table": pd.concat(table, ignore_index=True) if table
            else pd.DataFrame()}


def write_demo_html(out: Path, result: dict, check: pd.DataFrame,
                    settings: ScreenSettings) -> Path:
    cv = pd.DataFrame([{"target": t, **{k: m[k] for k in ("n", "r2", "mae", "rmse",
                                                            "error_std")}}
                       for t, m in result["cv_metrics"].items()])
    screen = pd.DataFrame([{"role": r, **v} for r, v in result["screen"].items()])
    oracle = pd.DataFrame([{"role": r, **v} for r, v in result["oracle_check"].items()])
    plots = out / "train" / "plots"
    sections = [
        ("What ran", f"<p>Built-in dataset (enumerated molecules, IPEA1-xTB labels) → "
         f"{len(result['cv_metrics'])}-target FCNN, 5-fold random CV → "
         f"{result['library_molecules']:,} freshly enumerated molecules screened for "
         f"acetonitrile (Al collector) catholytes and anolytes → top candidates re-labelled "
         f"with xTB. {result['seconds']:.0f} s in all.</p><p class='note'>Potentials: gas-phase "
         f"IE/EA with an explicit Born solvation estimate of ±{BORN_OFFSET_EV} eV, then the "
         "absolute → Li/Li⁺ step (−1.40 V). Fit a line on measured potentials with "
         "<code>redoxscreen calibrate</code> for real decisions.</p>"),
        ("Cross-validation (out-of-fold)", table_html(cv) + image_tag(plots / "parity_ie_ev.png")
         + image_tag(plots / "parity_ea_ev.png") + image_tag(plots / "learning_curves.png")),
        ("Screening", table_html(screen)
         + image_tag(out / "screen" / "plots" / "potentials_cathode.png")
         + image_tag(out / "screen" / "plots" / "potentials_anode.png")),
        ("Top catholytes", image_tag(out / "screen" / "plots" / "top_cathode.png")),
        ("Top anolytes", image_tag(out / "screen" / "plots" / "top_anode.png")),
        ("Predictions vs the xTB oracle (top candidates)", table_html(oracle)
         + table_html(check.head(40))),
    ]
    return write_html(out / "summary.html", "redoxscreen demo", sections)
