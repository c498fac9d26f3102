"""``design``: generate molecules whose potential should fall in a band, check the best.

model + band → :class:`DesignObjective` (calibrated P(in band ∩ window) × constraints ×
closeness to the training data) → a registered generator in the evolutionary loop
(:func:`evolve`) for ``budget`` model evaluations → the best ``n`` new molecules → optionally
the oracle's potentials for the top ``verify_top``.

Every scored molecule is appended to ``evaluated.csv`` as its generation finishes; a rerun of
the same command on the same folder continues from it (the population is rebuilt exactly).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from rdkit import Chem

from redoxscreen.chem.library import enumerate_library
from redoxscreen.design import (
    GENERATORS,
    Constraints,
    DesignObjective,
    SearchLog,
    SearchSettings,
    evolve,
    load_unwanted,
    make_generator,
)
from redoxscreen.design.search import mean_pairwise_similarity
from redoxscreen.models import load_model
from redoxscreen.models.card import read_model_card
from redoxscreen.models.domain import fingerprints
from redoxscreen.runtime.errors import ConfigError, DataError
from redoxscreen.runtime.jsonio import plain, write_json
from redoxscreen.runtime.progress import Progress, or_silent
from redoxscreen.runtime.runs import RunFolder, file_sha256, run_lock
from redoxscreen.screen import ScreenSettings
from redoxscreen.screen.reader import Chunk, iter_chunks
from redoxscreen.screen.run import fit_calibrators
from redoxscreen.screen.schema import bound_columns, potential_column

GRID = 24


@dataclass
class DesignOptions:
    """Options of ``redoxscreen design``; ``band`` is (low, high) in V on ``scale``."""

    role: str = "cathode"
    band: tuple[float | None, float | None] = (None, None)
    solvent: str = "acetonitrile"
    collector: str | None = None
    conversion: dict | None = None
    scale: str = "vs_li"
    coverage: float = 0.95
    generator: str = "graph-ga"
    generator_settings: dict = field(default_factory=dict)
    start: str | None = None  # default: default_start
    library: str | None = None
    n: int = 100
    budget: int = 20000
    population: int = 200
    offspring: int = 400
    seed: int = 0
    max_sa: float = 4.5
    elements: list[str] | None = None
    heavy_range: tuple[int, int] | None = None
    charge_range: tuple[int, int] | None = None
    unwanted: str | None = None
    similarity: tuple[float, float] = (0.3, 0.5)
    verify: str | None = None
    verify_top: int = 20
    workers: int = 2


@dataclass
class DesignResult:
    out: Path
    designs: pd.DataFrame
    metrics: dict
    verification: dict | None = None


def read_smiles_file(path: str | Path) -> list[str]:
    """The SMILES column of a CSV/TSV/SMI/Parquet file, every row (invalid ones included)."""
    return [s for c in iter_chunks(path, 100_000) for s in c.smiles]


def run_design(model_dir: str | Path, out: str | Path, options: DesignOptions, *,
               progress: Progress | None = None) -> DesignResult:
    """The ``design`` command; one run at a time per folder (:func:`run_lock`)."""
    with run_lock(out, "design"):
        return _run_design(model_dir, Path(out), options, or_silent(progress))


def _run_design(model_dir: str | Path, out: Path, options: DesignOptions,
                progress: Progress) -> DesignResult:
    GENERATORS.check_settings(options.generator, options.generator_settings)  # before any work
    for option, path in (("--start", options.start), ("--library", options.library),
                         ("--unwanted", options.unwanted)):
        if path and not Path(path).is_file():
            raise DataError(f"{path}: file not found (given as {option})")
    opts = asdict(options)
    identity = {"model": str(Path(model_dir).resolve()),
                "model_hash": file_sha256(Path(model_dir) / "weights.safetensors"),
                **{k: opts[k] for k in opts if k not in ("verify", "verify_top", "workers")}}
    for key in ("start", "library", "unwanted"):
        if opts[key]:
            identity[f"{key}_sha256"] = file_sha256(opts[key])
    identity = plain(identity)
    evaluated_csv, state = out / "evaluated.csv", out / "design_state.json"
    if evaluated_csv.exists():
        if _read_json(state).get("identity") != identity:
            raise ConfigError(f"{out} holds a design run with other inputs or settings; choose "
                              "another --out or delete that folder")
    RunFolder(out, "design", identity)

    card = read_model_card(model_dir)
    settings = ScreenSettings(roles=[options.role], solvent=options.solvent,
                              collector=options.collector, bands={options.role: options.band},
                              coverage=options.coverage, scale=options.scale,
                              conversion=options.conversion, n_workers=1)
    settings.resolve_targets(card.targets)
    settings.resolve_conversion(card.meta.get("units", {}), card.meta.get("potential_scale"))
    rule = settings.rules()[options.role]
    model = load_model(model_dir)
    from redoxscreen.screen.worker import ChunkScreener  # torch: only once the model is needed

    screener = ChunkScreener(model, settings, fit_calibrators(model, settings))
    if model.domain is None:  # fitted from oof.csv on load, which calibration needs too
        raise ConfigError(f"{model_dir}: the model has no training record (oof.csv); "
                          "retrain it with 'redoxscreen train'")
    index = model.domain.index
    constraints = Constraints(
        options.max_sa, frozenset(options.elements) | {"H"} if options.elements else None,
        options.heavy_range, options.charge_range,
        unwanted=load_unwanted(options.unwanted)).fill_from(index)
    objective = DesignObjective(rule, constraints, tuple(options.similarity))
    e_col, (lo_col, hi_col) = (potential_column(options.role, options.scale),
                               bound_columns(options.role, options.scale))
    target = settings.target_for(options.role)

    def score(smiles: list[str]) -> pd.DataFrame:
        res = screener.process(Chunk(0, 1, smiles, None))
        usable = res["valid"].to_numpy() & (res["domain"] != "out").to_numpy()
        why = [r if not v else f"outside the model's domain: {d}" if not u else ""
               for r, v, u, d in zip(res["reason"], res["valid"], usable, res["domain_reason"],
                                     strict=True)]
        # the screener's domain check has the similarity to the training set already
        got = objective.score(smiles, res[e_col].to_numpy(), res[lo_col].to_numpy(),
                              res[hi_col].to_numpy(), usable, why,
                              res["nn_similarity"].to_numpy(float))
        cols = [e_col, lo_col, hi_col, f"{target}_pred", "domain", "nn_similarity"]
        return pd.concat([res[cols].rename(columns={"nn_similarity": "similarity"}), got],
                         axis=1)

    known = set(index.smiles)
    start = (read_smiles_file(options.start) if options.start
             else default_start(options.budget // 10, options.seed))
    pool = None
    if options.generator == "library":
        pool = (read_smiles_file(options.library) if options.library
                else default_pool(options.budget, known, options.seed))
        start = []  # the baseline spends its whole budget on the library
    generator = make_generator(options.generator, options.generator_settings, pool=pool,
                               elements=constraints.elements)
    done = None
    if evaluated_csv.exists():
        done = pd.read_csv(evaluated_csv)
        for c in ("parent", "rejected"):
            done[c] = done[c].fillna("").astype(str)
    log = SearchLog(**(_read_json(state).get("log", {}) if done is not None else {}))

    with progress.task("designing", total=options.budget) as bar:
        if done is not None:
            bar.advance(f"{len(done)} molecules scored before", len(done))

        def checkpoint(rows: pd.DataFrame, log: SearchLog) -> None:
            rows.to_csv(evaluated_csv, mode="a", header=not evaluated_csv.exists(),
                        index=False)
            write_json(state, {"identity": identity, "log": asdict(log)})
            best = rows["fitness"].max()
            bar.advance(f"generation {int(rows['generation'].iloc[0])}, best {best:.3f}",
                        len(rows))

        table = evolve(generator, score, start,
                       SearchSettings(options.budget, options.population, options.offspring,
                                      options.seed), done=done, on_generation=checkpoint,
                       log=log)
    starts = set(table.loc[table["generation"] == 0, "smiles"]) if len(start) else set()
    designs = pick_designs(table, known | starts, options.n)
    designs.insert(designs.columns.get_loc("similarity"), "nearest_training",
                   index.nearest([Chem.MolFromSmiles(s) for s in designs["smiles"]])[1]
                   if len(designs) else [])
    metrics = design_metrics(table, designs, log, known, e_col)
    result = DesignResult(out, designs, metrics)
    if options.verify and len(designs):
        result.verification = verify_designs(result, options, settings, rule, target,
                                             e_col, progress)
    write_outputs(result, options, rule, e_col, lo_col, hi_col, table)
    return result


def default_start(n: int, seed: int) -> list[str]:
    """The packaged cores with at most one substituent (536 molecules), a seeded sample of
    ``n`` when there are more (a tenth of the budget: the rest is for the generator)."""
    lib = enumerate_library(max_substituents=1)
    return lib.sample(min(n, len(lib)), random_state=seed)["smiles"].tolist() if n < len(lib) \
        else lib["smiles"].tolist()


def default_pool(budget: int, known: set[str], seed: int) -> list[str]:
    """An enumerated library as the demo builds it, without the training molecules."""
    lib = enumerate_library(max_substituents=4, n=budget + len(known), seed=seed + 1000,
                            max_heavy_atoms=60)
    return lib.loc[~lib["smiles"].isin(known), "smiles"].head(budget).tolist()


def pick_designs(table: pd.DataFrame, exclude: set[str], n: int) -> pd.DataFrame:
    """The ``n`` fittest molecules that pass every constraint and are new (not training, not
    start); valid, canonical and unique by construction of the loop."""
    ok = table[(table["rejected"].fillna("") == "") & ~table["smiles"].isin(exclude)
               & (table["fitness"] > 0)]
    top = ok.sort_values(["fitness", "smiles"], ascending=[False, True]).head(n)
    top = top.reset_index(drop=True)
    top.insert(0, "rank", np.arange(1, len(top) + 1))
    return top


def design_metrics(table: pd.DataFrame, designs: pd.DataFrame, log: SearchLog,
                   known: set[str], e_col: str) -> dict:
    """Validity (of every proposal), uniqueness and novelty (of the designs), diversity (mean
    pairwise Tanimoto of the designs: lower is more diverse), in-band fraction, SA spread."""

    fps = fingerprints([Chem.MolFromSmiles(s) for s in designs["smiles"]])
    sa = designs["sa_score"].to_numpy(float)
    n = len(designs)
    return plain({
        "evaluations": int(len(table)), "proposed": log.proposed, "invalid": log.invalid,
        "repeated": log.repeated,
        "validity": 1 - log.invalid / log.proposed if log.proposed else None,
        "rejected_by_constraints": int((table["rejected"].fillna("") != "").sum()),
        "designs": n,
        "uniqueness": designs["smiles"].nunique() / n if n else None,
        "novelty": float(np.mean([s not in known for s in designs["smiles"]])) if n else None,
        "mean_pairwise_tanimoto": mean_pairwise_similarity(fps),
        "predicted_in_band": float(designs["in_band"].mean()) if n else None,
        "mean_p_band": float(designs["p_band"].mean()) if n else None,
        "sa_score": {q: float(np.quantile(sa, p)) for q, p in
                     (("min", 0), ("q25", 0.25), ("median", 0.5), ("q75", 0.75), ("max", 1))}
        if n else None,
        "similarity_to_training": {"median": float(designs["similarity"].median())}
        if n else None,
        "potential_column": e_col,
    })


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def verify_designs(result: DesignResult, options: DesignOptions, settings: ScreenSettings,
                   rule, target: str, e_col: str, progress: Progress) -> dict:
    """The oracle's potential for the top ``verify_top`` designs, under the run's conversion:
    a model of potentials is checked against the oracle's potentials (solvated), a model of
    IE/EA against the oracle's IE/EA put through the same conversion."""
    from redoxscreen.electrochem import PotentialConversion, convert_potential
    from redoxscreen.oracle.base import ORACLES, build_oracle, oracle_values

    name, oracle_settings = ORACLES.parse_spec(options.verify)
    if options.solvent and "solvent" in ORACLES[name].settings:
        oracle_settings.setdefault("solvent", options.solvent)
    oracle = build_oracle(name, oracle_settings)
    conv = PotentialConversion.from_dict(settings.conversion)
    process = rule.process
    top = result.designs.head(options.verify_top)
    labels = conv.method == "labels"  # a model of potentials: compare with the oracle's
    if labels and not oracle_settings.get("solvent"):
        raise ConfigError("the model predicts potentials in solution: verify with a "
                          "solvated oracle (e.g. --verify xtb with --solvent)")
    col = {(True, "oxidation"): "e_ox_v_li", (True, "reduction"): "e_red_v_li",
           (False, "oxidation"): "ie_ev", (False, "reduction"): "ea_ev"}[labels, process]
    with progress.task(f"verifying the top {len(top)} with {options.verify}", total=None):
        raw = oracle_values(oracle, top["smiles"].tolist(), [col], n_workers=options.workers,
                            results_csv=result.out / "verify_labels.csv")[:, 0]
    verified = (convert_potential(raw, "vs_li", options.scale) if labels
                else conv.potential(raw, process, options.scale))
    low, high = rule.target_range()
    ok = np.isfinite(verified)
    hit = ok & (verified >= low) & (verified <= high)
    d = result.designs
    d["verified_v"] = np.nan
    d["verified_in_band"] = pd.array([pd.NA] * len(d), dtype="boolean")
    d.loc[: len(top) - 1, "verified_v"] = verified
    d.loc[: len(top) - 1, "verified_in_band"] = np.where(ok, hit, pd.NA)
    err = np.abs(verified[ok] - top[e_col].to_numpy(float)[ok])
    return plain({"oracle": options.verify, "oracle_settings": oracle_settings,
                  "verified": int(len(top)), "labelled": int(ok.sum()),
                  "failed": int((~ok).sum()), "hits": int(hit.sum()),
                  "hit_rate": float(hit.sum() / ok.sum()) if ok.any() else None,
                  "mae_v": float(err.mean()) if ok.any() else None,
                  "band_v": [low, high]})


def write_outputs(result: DesignResult, options: DesignOptions, rule, e_col: str, lo_col: str,
                  hi_col: str, table: pd.DataFrame) -> None:
    from redoxscreen.report import candidate_grid, potential_histogram

    out, d = result.out, result.designs
    d.to_csv(out / "designs.csv", index=False)
    db = out / "designs.duckdb"
    tmp = db.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    with duckdb.connect(str(tmp)) as con:
        con.register("d", d)
        con.register("t", table)
        con.execute("CREATE TABLE designs AS SELECT * FROM d")
        con.execute("CREATE TABLE evaluated AS SELECT * FROM t")
    tmp.replace(db)
    top = d.head(GRID)
    candidate_grid(top["smiles"].tolist(),
                   [f"#{r}: {v:.2f} V (P {p:.2f})" for r, v, p in
                    zip(top["rank"], top[e_col], top["p_band"], strict=True)],
                   out / "plots" / "top_designs.png", per_row=6)
    potential_histogram(d[e_col].to_numpy(), (d[hi_col] - d[lo_col]).to_numpy() / 2,
                        options.role, (rule.window.low_v, rule.window.high_v), rule.band,
                        options.scale, out / "plots" / "potentials.png")
    write_json(out / "summary.json", {"metrics": result.metrics,
                                      "verification": result.verification,
                                      "window_v": [rule.window.low_v, rule.window.high_v],
                                      "band_v": list(rule.target_range())}, tidy_floats=True)
