"""``demo``: the main job end to end on the built-in dataset.

train a model of potentials in acetonitrile (k-fold CV) → enumerate a fresh library → screen it
for acetonitrile catholytes and anolytes → re-label the top candidates with the solvated xTB
oracle → a short campaign on the library (those xTB labels as round 0, then rounds of xTB labels
chosen by probability-in-window) → one-page HTML summary.

The labels are the built-in dataset's vertical IPEA1-xTB + ALPB(acetonitrile) oxidation and
reduction potentials vs Li/Li⁺ (its card says how they were made), so the model's outputs are
potentials in the solvent screened, and no gas-to-solution constant is applied.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from redoxscreen.chem.library import enumerate_library
from redoxscreen.electrochem import PotentialConversion
from redoxscreen.oracle import XTBOracle, label_many
from redoxscreen.pipeline.screen import run_screen_command
from redoxscreen.pipeline.train import TrainOptions, TrainResult, run_train
from redoxscreen.report.demo import write_demo_page
from redoxscreen.runtime.errors import DataError
from redoxscreen.runtime.progress import Progress, or_silent
from redoxscreen.runtime.runs import RunFolder
from redoxscreen.screen import ScreenSettings, ScreenSummary
from redoxscreen.screen.schema import potential_column

SOLVENT = "acetonitrile"
TARGETS = ["e_ox=e_ox_v_li:V", "e_red=e_red_v_li:V"]  # the dataset's potentials vs Li/Li⁺
ORACLE = f"xtb:solvent={SOLVENT}"
# the campaign's question: high-voltage catholytes, under the Al collector's 4.7 V limit
CAMPAIGN_BAND = "e_ox_v_li=4.0:4.7"


@dataclass
class OracleCheck:
    """The top candidates of one role re-labelled by xTB, against the model's predictions."""

    n: int
    n_labelled: int = 0
    mae_v: float | None = None
    still_in_window: int = 0


@dataclass
class DemoResult:
    run_dir: Path
    seconds: float
    train: TrainResult
    library_molecules: int
    screen: ScreenSummary
    oracle_check: dict[str, OracleCheck]
    campaign: dict

    def to_dict(self) -> dict:
        """``demo_summary.json``."""
        return {"seconds": self.seconds, "cv_metrics": self.train.cv.metrics,
                "library_molecules": self.library_molecules,
                "screen": self.screen.to_dict()["roles"],
                "oracle_check": {r: asdict(c) for r, c in self.oracle_check.items()},
                "campaign": self.campaign}


def builtin_dataset() -> Path:
    path = Path(str(resources.files("redoxscreen") / "datasets" / "default.csv.gz"))
    if not path.exists():
        raise DataError("the built-in dataset is missing from this installation; regenerate it "
                        "with scripts/make_default_dataset.py")
    return path


def run_demo(out: str | Path, *, seed: int = 0, library_size: int = 100_000, folds: int = 5,
             top: int = 20, workers: int = 2, progress: Progress | None = None,
             dataset: str | Path | None = None, max_epochs: int | None = None,
             campaign_rounds: int = 2, campaign_batch: int = 10) -> DemoResult:
    """The demo; ``dataset`` (columns smiles, e_ox_v_li, e_red_v_li) and ``max_epochs`` are for
    tests."""
    progress = or_silent(progress)
    out = Path(out)
    t_start = time.time()
    data = Path(dataset) if dataset else builtin_dataset()
    conversion = PotentialConversion.identity("vs_li")  # the labels are potentials already
    run = RunFolder(out, "demo", {"seed": seed, "library_size": library_size, "folds": folds,
                                  "top": top, "targets": TARGETS, "oracle": ORACLE})
    # random folds: the screened library comes from the same cores, so in-domain error is the
    # relevant estimate (scaffold CV would hold out whole core families, e.g. all viologens)
    options = TrainOptions(folds=folds, split="random", seed=seed, n_jobs=workers,
                           max_epochs=max_epochs, scale="vs_li", label_solvent=SOLVENT)
    trained = run_train(data, TARGETS, out / "train", options=options, progress=progress)
    known = set(trained.model.oof["smiles"])  # canonical, as the enumerated library
    with progress.task("enumerating a fresh library", total=None):
        lib = enumerate_library(max_substituents=4, n=library_size + len(known),
                                seed=seed + 1000, max_heavy_atoms=60)
        lib = lib[~lib["smiles"].isin(known)].head(library_size)
        library = out / "library.smi"
        lib[["smiles", "core"]].to_csv(library, sep=" ", header=False, index=False)
        lib[["smiles"]].to_csv(out / "library.csv", index=False)
    settings = ScreenSettings(roles=["cathode", "anode"], solvent=SOLVENT,
                              collector="Al", uncertainty="conformal", n_workers=workers,
                              top_n=100)
    summary = run_screen_command(trained.model_dir, library, out / "screen", settings,
                                 progress=progress)
    checks, table = relabel_top(out, settings, top, workers, progress)
    campaign = demo_campaign(out, conversion, campaign_rounds, campaign_batch, workers, seed,
                             progress)
    result = DemoResult(out, round(time.time() - t_start, 1), trained, int(len(lib)), summary,
                        checks, campaign)
    record = result.to_dict()
    run.write_json("demo_summary.json", record)
    write_demo_page(
        out / "summary.html", cv_metrics=trained.cv.metrics, folds=options.folds,
        split=options.split, screen_roles=record["screen"],
        oracle_check=record["oracle_check"], check_table=table,
        library_molecules=result.library_molecules, seconds=result.seconds,
        conversion_note="Labels: vertical oxidation and reduction potentials vs Li/Li⁺ in "
        "acetonitrile from IPEA1-xTB with ALPB implicit solvent on every charge state (the "
        "built-in dataset; semi-empirical, not DFT or experiment). The model predicts these "
        "potentials directly: no gas-to-solution constant is applied. Vertical potentials sit "
        "above measured (relaxed-ion) oxidation potentials and below reduction ones; fit a line "
        "on measured potentials with <code>redoxscreen calibrate --model</code> for real "
        "decisions.",
        train_plots=trained.run_dir / "plots", screen_dir=out / "screen",
        campaign=campaign, campaign_dir=out / "campaign")
    return result


def demo_campaign(out: Path, conversion: PotentialConversion, rounds: int, batch: int,
                  workers: int, seed: int, progress: Progress) -> dict:
    """A campaign on the screened library: the xTB labels of the top candidates are round 0,
    then ``rounds`` × ``batch`` xTB labels chosen by ``pwindow`` for :data:`CAMPAIGN_BAND`."""
    from redoxscreen.campaign.objectives import parse_band
    from redoxscreen.pipeline.campaign import run_campaign, run_campaign_init

    directory = out / "campaign"
    if not (directory / "campaign.duckdb").exists():
        run_campaign_init(directory, out / "library.csv", [parse_band(CAMPAIGN_BAND)],
                          labels=out / "oracle_check.csv", conversion=conversion.to_dict(),
                          potential_labels=True, solvent=SOLVENT, collector="Al", seed=seed)
    # --initial: random molecules first if every xTB label of the check failed
    res = run_campaign(directory, ORACLE, rounds, batch, initial=batch, acquisition="pwindow",
                       workers=workers, progress=progress)
    st = res["status"]
    return {"objective": CAMPAIGN_BAND, "rounds": st["rounds"], "labels": st["labels"],
            "in_band": st["rounds"][-1]["best_so_far"] if st["rounds"] else None}


def relabel_top(out: Path, settings: ScreenSettings, top: int, workers: int,
                progress: Progress) -> tuple[dict[str, OracleCheck], pd.DataFrame]:
    """xTB labels of the top candidates of each role vs the model's predictions."""
    rows = []
    for role in settings.roles:
        cand = pd.read_csv(out / "screen" / f"top_{role}.csv").head(top)
        cand["role"] = role
        rows.append(cand)
    cand = pd.concat(rows, ignore_index=True)
    oracle = XTBOracle(seed=0, solvent=settings.solvent)
    with progress.task("xTB check of the top candidates", total=cand["smiles"].nunique()) as b:
        labels = label_many(oracle, cand["smiles"], out / "oracle_check.csv",
                            n_workers=workers, progress=b)
    labels = labels.drop_duplicates("smiles", keep="last")
    labels = labels.rename(columns={"e_ox_v_li": "e_ox_xtb", "e_red_v_li": "e_red_xtb",
                                    "status": "xtb_status"})
    cand = cand.merge(labels[["smiles", "e_ox_xtb", "e_red_xtb", "xtb_status"]], on="smiles",
                      how="left")
    checks, table = {}, []
    for role, rule in settings.rules().items():
        target = settings.target_for(role)
        c = cand[cand["role"] == role]
        if c.empty:
            checks[role] = OracleCheck(0)
            continue
        pred = c[potential_column(role, settings.scale)].to_numpy()
        xtb = c[f"{target}_xtb"].to_numpy(float)
        ok = np.isfinite(xtb)
        inside = (xtb >= rule.window.low_v) & (xtb <= rule.window.high_v)
        checks[role] = OracleCheck(int(len(c)), int(ok.sum()),
                                   float(np.mean(np.abs(pred[ok] - xtb[ok]))) if ok.any()
                                   else None, int(inside[ok].sum()))
        table.append(pd.DataFrame({"role": role, "smiles": c["smiles"], "core": c["id"],
                                   "predicted_v_li": pred, "xtb_v_li": xtb}))
    return checks, pd.concat(table, ignore_index=True) if table else pd.DataFrame()
