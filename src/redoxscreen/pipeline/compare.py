"""``compare``: every model on the same splits → leaderboard, parity panels, stacked model.

Each model's finished folds (fold models, test predictions, times) are kept under
``DIR/cache/``; running the same command again after an interruption reuses them.

Input is a molecule table (features from a featurizer spec) or, with ``feature_cols``, any table
of numeric columns used directly (formulations, process conditions, precomputed descriptors);
SMILES, when present, still allow scaffold splits.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from redoxscreen.data import TargetSpec, read_table
from redoxscreen.data.io import detect_smiles_column
from redoxscreen.data.splits import evaluation_splits
from redoxscreen.data.units import to_ev
from redoxscreen.evaluation.compare import feature_count_curve, leaderboard_rows, rank_leaderboard
from redoxscreen.evaluation.cv import CVResult, FoldStore, cross_validate
from redoxscreen.evaluation.search import Tuning, load_spaces, redact
from redoxscreen.features import make_featurizer
from redoxscreen.models.registry import MODELS, make_estimator
from redoxscreen.models.stacking import COMBINATIONS, cross_fitted_stack, fit_stack_weights
from redoxscreen.report import feature_count_plot, parity_panel
from redoxscreen.runtime.errors import ConfigError, DataError
from redoxscreen.runtime.progress import Progress, or_silent
from redoxscreen.runtime.runs import RunFolder, config_digest, file_sha256


@dataclass
class CompareOptions:
    """Everything ``compare`` takes besides the data; recorded in ``config.json``."""

    models: list[str] = field(default_factory=lambda: ["ridge", "rf", "lgbm", "fcnn"])
    featurizer: str = "ecfp:r=2,bits=2048"
    feature_cols: list[str] | None = None  # tabular mode: ["all"] = every numeric column
    splits: list[str] = field(default_factory=lambda: ["random", "scaffold"])
    schemes: list[str] = field(default_factory=lambda: ["kfold", "holdout"])
    folds: int = 5
    seed: int = 0
    tune_trials: int = 0
    spaces: str | None = None
    stack_top: int = 3
    combine: str = "stack"  # how the best models are combined: stack (fitted weights) or average
    feature_counts: list[int] | None = None
    selection: str = "correlation"
    n_jobs: int = 1
    fold_jobs: int = 1  # folds fitted at once, each model with n_jobs // fold_jobs threads
    max_epochs: int | None = None
    unit: str = "eV"
    params: dict[str, dict] = field(default_factory=dict)  # model → fixed parameter overrides


@dataclass
class CompareData:
    X: object
    Y: np.ndarray
    targets: list[str]
    smiles: list[str] | None
    feature_names: list[str]
    featurizer: object | None
    report: pd.DataFrame | None = None  # rows dropped, merged or masked (molecule mode)


def load_compare_data(path: str | Path, targets: list[str], options: CompareOptions,
                      smiles_col: str | None = None) -> CompareData:
    """Features and labels for ``compare`` (molecule or tabular mode)."""
    if not options.feature_cols:
        from redoxscreen.pipeline.train import load_training_table

        table = load_training_table(path, targets, smiles_col)
        feat = make_featurizer(options.featurizer, n_jobs=options.n_jobs)
        X = feat.transform(table.smiles)
        return CompareData(X, table.y, table.targets, table.smiles, feat.feature_names(), feat,
                           table.report)
    df = read_table(path)
    specs = [TargetSpec.parse(t) for t in targets]
    for s in specs:
        if s.column not in df.columns:
            raise DataError(f"{path}: no target column {s.column!r} (columns: "
                            f"{', '.join(map(str, df.columns[:20]))} ...)")
    Y = np.column_stack([s.sign * to_ev(pd.to_numeric(df[s.column], errors="coerce")
                                        .to_numpy(float), s.unit) for s in specs])
    inf = np.isinf(Y)
    if inf.any():  # masked like a missing label, and said
        lines = (np.flatnonzero(inf.any(axis=1)) + 2)[:10].tolist()
        warnings.warn(f"{path}: {int(inf.sum())} labels are not finite numbers (lines {lines}"
                      " ...); they are masked", stacklevel=2)
        Y[inf] = np.nan
    smiles = None
    try:
        col = smiles_col or detect_smiles_column(df, source=str(path))
        smiles = df[col].astype(str).tolist()
    except (DataError, ConfigError):
        col = None
    target_cols = {s.column for s in specs}
    if options.feature_cols == ["all"]:
        cols = [c for c in df.columns if c not in target_cols and c != col
                and pd.api.types.is_numeric_dtype(df[c])]
    else:
        cols = list(options.feature_cols)
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise DataError(f"{path}: feature columns not found: {missing}")
    if not cols:
        raise DataError(f"{path}: no numeric feature columns; list them with --features")
    F = df[cols].apply(pd.to_numeric, errors="coerce")
    bad_cells = ~np.isfinite(F.to_numpy(float))
    bad = bad_cells.any(axis=1)
    if bad.any():
        rows = (np.flatnonzero(bad) + 2)[:10].tolist()  # file line numbers
        bad_cols = F.columns[bad_cells.any(axis=0)].tolist()[:10]
        raise DataError(f"{path}: {int(bad.sum())} rows have empty, non-numeric or infinite "
                        f"feature values (lines {rows} ..., columns {bad_cols}); fill or drop "
                        "them, or leave those columns out of --features")
    if np.isnan(Y).all(axis=1).any():
        raise DataError(f"{path}: {int(np.isnan(Y).all(axis=1).sum())} rows have no label "
                        "for any target; drop them")
    return CompareData(F.to_numpy(float), Y, [s.name for s in specs], smiles, cols, None)


def _builder(name: str, options: CompareOptions, alone: bool = False):
    """``(params, seed) → estimator``, with its share of the threads (all of them ``alone``)."""
    fixed = options.params.get(name, {})
    threads = max(1, options.n_jobs // (1 if alone else max(1, options.fold_jobs)))
    return lambda params, seed: make_estimator(name, {**fixed, **params}, seed=seed,
                                               n_jobs=threads,
                                               max_epochs=options.max_epochs)


@dataclass
class CompareResult:
    """The leaderboard, and the stack of the best models when one was saved."""

    run_dir: Path
    leaderboard: pd.DataFrame
    model_dir: Path | None


def _stack(runs: dict[str, CVResult], data: CompareData, top: int, combine: str
           ) -> tuple[list[str], CVResult]:
    """Cross-fitted stack (or plain average) of the ``top`` models with the lowest mean MAE."""
    best = sorted(runs, key=lambda m: runs[m].mean_mae())[:top]
    fold = runs[best[0]].fold
    oof = cross_fitted_stack(np.stack([runs[m].oof for m in best]), data.Y, fold, combine)
    return best, CVResult(combine, data.targets, data.Y, oof, fold, [],
                          [sum(sum(runs[m].fit_seconds) for m in best)],
                          [sum(sum(runs[m].predict_seconds) for m in best)])


def run_compare(data_path: str | Path, targets: list[str], out: str | Path, *,
                options: CompareOptions, smiles_col: str | None = None,
                progress: Progress | None = None, storage: str | None = None
                ) -> CompareResult:
    """The ``redoxscreen compare`` command as a function.

    ``storage``: an Optuna database URL (e.g. ``postgresql://user@host/db``) shared by every
    machine running the same command, in place of the run's own SQLite file; study names then
    carry a digest of the data and options so different comparisons never mix trials."""
    progress = or_silent(progress)
    if options.combine not in COMBINATIONS:  # fail before hours of model fits, not after
        raise ConfigError(f"unknown combination {options.combine!r}; use "
                          f"{' or '.join(COMBINATIONS)}")
    if options.fold_jobs < 1:
        raise ConfigError(f"fold_jobs={options.fold_jobs}: fit at least 1 fold at a time")
    for name in options.models:  # an unknown model or setting fails now, not after hours
        _builder(name, options)({}, options.seed)
    data_sha256 = file_sha256(data_path)
    run = RunFolder(out, "compare", {"data": str(data_path), "data_sha256": data_sha256,
                                     "targets": targets,
                                     "options": asdict(options),
                                     "storage": redact(storage) if storage else None})
    shared = ""
    if storage:  # one database for many comparisons: the names say which one
        shared = config_digest({"data": data_sha256, "targets": targets,
                                "options": {k: v for k, v in asdict(options).items()
                                            if k not in ("n_jobs", "fold_jobs")}}) + "-"
    data = load_compare_data(data_path, targets, options, smiles_col)
    if data.report is not None:
        data.report.to_csv(run.file("invalid_rows.csv"), index=False)
    spaces = load_spaces(options.spaces) if options.tune_trials > 0 else {}
    kinds = [k for k in options.splits if data.smiles is not None or k != "scaffold"]
    rows, saved = [], None
    for kind in kinds:
        for scheme in options.schemes:
            splits = evaluation_splits(data.smiles, len(data.Y), kind, scheme, options.folds,
                                       options.seed)
            runs: dict[str, CVResult] = {}
            for name in options.models:
                X = data.X
                if MODELS[name].reads == "smiles":  # graph nets read the molecules
                    if data.smiles is None:
                        raise ConfigError(f"{name} needs SMILES; this table has none")
                    X = np.asarray(data.smiles, dtype=object)
                tuning = Tuning(spaces.get(name, {}), options.tune_trials,
                                storage or str(run.file("optuna.sqlite3")),
                                f"{shared}{kind}-{scheme}-")
                store = FoldStore(_cache_path(run, data_sha256, targets, options, kind,
                                              scheme, name))
                with progress.task(f"{kind}/{scheme}: {name}", total=len(splits)) as bar:
                    runs[name] = cross_validate(
                        _builder(name, options), X, data.Y, splits, data.targets, name=name,
                        seed=options.seed, fold_store=store, fold_jobs=options.fold_jobs,
                        build_alone=_builder(name, options, alone=True), tuner=tuning,
                        on_fold=lambda k, fit, bar=bar: bar.advance())
                rows += leaderboard_rows(runs[name], split=kind, scheme=scheme)
            if scheme == "kfold" and len(runs) > 1 and options.stack_top > 1:
                members, stacked = _stack(runs, data, options.stack_top, options.combine)
                runs[stacked.name] = stacked
                rows += leaderboard_rows(stacked, split=kind, scheme=scheme,
                                         members="+".join(members))
                if saved is None and data.featurizer is not None:
                    saved = _save_stack(run, data, {m: runs[m] for m in members}, stacked,
                                        options.combine)
            _write_predictions(run, data, runs, kind, scheme, options.unit)
    board = rank_leaderboard(rows)
    board.to_csv(run.file("leaderboard.csv"), index=False)
    if options.feature_counts:
        _feature_curve(run, data, options, kinds[0])
    run.write_json("summary.json", {"leaderboard": board.to_dict(orient="records"),
                                    "saved_model": saved})
    return CompareResult(run.path, board, saved)


def _cache_path(run: RunFolder, data_sha256: str, targets: list[str],
                options: CompareOptions, kind: str, scheme: str, name: str) -> Path:
    """Where one model's finished runs are kept; the name hashes everything that shapes them,
    so a restarted ``compare`` reuses only results of identical work."""
    shaping = {k: v for k, v in asdict(options).items()
               if k not in ("models", "splits", "schemes", "stack_top", "combine",
                            "feature_counts", "selection", "n_jobs", "fold_jobs", "unit",
                            "params")}
    digest = config_digest({"data": data_sha256, "targets": targets, **shaping,
                            "params": options.params.get(name, {}), "kind": kind,
                            "scheme": scheme, "model": name})
    return run.path / "cache" / f"{kind}-{scheme}-{name}-{digest}"


def _write_predictions(run: RunFolder, data: CompareData, runs: dict[str, CVResult],
                       kind: str, scheme: str, unit: str) -> None:
    df = pd.DataFrame({"smiles": data.smiles} if data.smiles is not None else {})
    first = next(iter(runs.values()))
    df["fold"] = first.fold
    for j, t in enumerate(data.targets):
        df[f"{t}_true"] = data.Y[:, j]
        for name, r in runs.items():
            df[f"{t}_pred_{name}"] = r.oof[:, j]
        done = first.fold >= 0
        parity_panel(data.Y[done, j], {n: r.oof[done, j] for n, r in runs.items()}, t,
                     run.file(f"plots/parity_{kind}_{scheme}_{t}.png"), unit=unit,
                     title=f"{t}: {kind} split, {scheme}")
    df.to_csv(run.file(f"predictions_{kind}_{scheme}.csv"), index=False)


def _save_stack(run: RunFolder, data: CompareData, members: dict[str, CVResult],
                stacked: CVResult, combine: str) -> Path:
    """The stack (or average) of the best models' k-fold ensembles as a model directory."""
    from redoxscreen.models import EnsembleRegressor, RedoxModel
    from redoxscreen.models.stacking import StackedRegressor

    ens = [EnsembleRegressor.from_fitted(r.models) for r in members.values()]
    w, b = fit_stack_weights(np.stack([r.oof for r in members.values()]), data.Y, combine)
    est = StackedRegressor.from_fitted(ens, list(members), w, b)
    oof = pd.DataFrame({"smiles": data.smiles, "fold": stacked.fold})
    for j, t in enumerate(data.targets):
        oof[f"{t}_true"] = data.Y[:, j]
        oof[f"{t}_pred"] = stacked.oof[:, j]
    info = {"command": "compare", combine: {"members": list(members), "weights": w.tolist(),
                                            "intercepts": b.tolist()}}
    return RedoxModel(featurizer=data.featurizer, estimator=est, targets=data.targets,
                      info=info, oof=oof).save(run.file("model"))


def _feature_curve(run: RunFolder, data: CompareData, options: CompareOptions,
                   kind: str) -> None:
    splits = evaluation_splits(data.smiles, len(data.Y), kind, "kfold", options.folds,
                               options.seed)
    name = options.models[0]
    curve = feature_count_curve(_builder(name, options), data.X, data.Y, splits,
                                options.feature_counts, data.targets, method=options.selection,
                                seed=options.seed)
    curve.to_csv(run.file("feature_counts.csv"), index=False)
    feature_count_plot(curve, run.file("plots/feature_counts.png"), unit=options.unit,
                       title=f"{name}, {options.selection} selection, {kind} {options.folds}-fold")
