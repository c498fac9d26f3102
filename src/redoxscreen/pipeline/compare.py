"""``compare``: every model on the same splits → leaderboard, parity panels, stacked model.

Each model's finished run (its fold models, out-of-fold predictions and times) is kept under
``DIR/cache/``; running the same command again after an interruption reuses them.

Input is a molecule table (features from a featurizer spec) or, with ``feature_cols``, any table
of numeric columns used directly (formulations, process conditions, precomputed descriptors);
SMILES, when present, still allow scaffold splits.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from redoxscreen.data import TargetSpec, read_table
from redoxscreen.data.io import detect_smiles_column, file_sha256
from redoxscreen.data.units import to_ev
from redoxscreen.errors import ConfigError, DataError
from redoxscreen.evaluation.compare import (
    ModelRun,
    evaluation_splits,
    feature_count_curve,
    leaderboard_rows,
    rank_leaderboard,
    run_model,
)
from redoxscreen.evaluation.tuning import load_spaces
from redoxscreen.features import make_featurizer, reads_smiles
from redoxscreen.models.stacking import COMBINATIONS, cross_fitted_stack, fit_stack_weights
from redoxscreen.pipeline.progress import Progress
from redoxscreen.pipeline.runs import RunFolder, write_json
from redoxscreen.report import feature_count_plot, parity_panel


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


def load_compare_data(path: str | Path, targets: list[str], options: CompareOptions,
                      smiles_col: str | None = None) -> CompareData:
    """Features and labels for ``compare`` (molecule or tabular mode)."""
    if not options.feature_cols:
        from redoxscreen.pipeline.train import load_training_table

        table = load_training_table(path, targets, smiles_col)
        feat = make_featurizer(options.featurizer, n_jobs=options.n_jobs)
        X = feat.transform(table.smiles)
        return CompareData(X, table.y, table.targets, table.smiles, feat.feature_names(), feat)
    df = read_table(path)
    specs = [TargetSpec.parse(t) for t in targets]
    for s in specs:
        if s.column not in df.columns:
            raise DataError(f"{path}: no target column {s.column!r} (columns: "
                            f"{', '.join(map(str, df.columns[:20]))} ...)")
    Y = np.column_stack([s.sign * to_ev(pd.to_numeric(df[s.column], errors="coerce")
                                        .to_numpy(float), s.unit) for s in specs])
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
    bad = F.isna().any(axis=1)
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 2)[:10].tolist()  # file line numbers
        bad_cols = F.columns[F.isna().any()].tolist()[:10]
        raise DataError(f"{path}: {int(bad.sum())} rows have empty or non-numeric feature "
                        f"values (lines {rows} ..., columns {bad_cols}); fill or drop them, or "
                        "leave those columns out of --features")
    if np.isnan(Y).all(axis=1).any():
        raise DataError(f"{path}: {int(np.isnan(Y).all(axis=1).sum())} rows have no label "
                        "for any target; drop them")
    return CompareData(F.to_numpy(float), Y, [s.name for s in specs], smiles, cols, None)


def _builder(name: str, options: CompareOptions, alone: bool = False):
    """``(params, seed) → estimator``, with its share of the threads (all of them ``alone``)."""
    from redoxscreen.models.factory import make_estimator

    fixed = options.params.get(name, {})
    threads = max(1, options.n_jobs // (1 if alone else max(1, options.fold_jobs)))
    return lambda params, seed: make_estimator(name, {**fixed, **params}, seed=seed,
                                               n_jobs=threads,
                                               max_epochs=options.max_epochs)


def _stack(runs: dict[str, ModelRun], data: CompareData, top: int, combine: str
           ) -> tuple[list[str], ModelRun]:
    """Cross-fitted stack (or plain average) of the ``top`` models with the lowest mean MAE."""
    score = {m: np.mean([v["mae"] for v in r.metrics(data.Y, data.targets).values()])
             for m, r in runs.items()}
    best = sorted(score, key=score.get)[:top]
    fold = runs[best[0]].fold
    oof = cross_fitted_stack(np.stack([runs[m].oof for m in best]), data.Y, fold, combine)
    run = ModelRun(combine, oof, fold, [],
                   sum(runs[m].fit_seconds for m in best),
                   sum(runs[m].predict_seconds for m in best))
    return best, run


def run_compare(data_path: str | Path, targets: list[str], out: str | Path, *,
                options: CompareOptions, smiles_col: str | None = None,
                progress: Progress | None = None) -> pd.DataFrame:
    """The ``redoxscreen compare`` command as a function; returns the leaderboard."""
    progress = progress or Progress(enabled=False)
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
                                     "options": asdict(options)})
    data = load_compare_data(data_path, targets, options, smiles_col)
    spaces = load_spaces(options.spaces) if options.tune_trials > 0 else {}
    kinds = [k for k in options.splits if data.smiles is not None or k != "scaffold"]
    rows, saved = [], None
    for kind in kinds:
        for scheme in options.schemes:
            splits = evaluation_splits(data.smiles, len(data.Y), kind, scheme, options.folds,
                                       options.seed)
            runs: dict[str, ModelRun] = {}
            for name in options.models:
                build = _builder(name, options)
                X = data.X
                if reads_smiles(build({}, options.seed)):  # graph nets read the molecules
                    if data.smiles is None:
                        raise ConfigError(f"{name} needs SMILES; this table has none")
                    X = np.asarray(data.smiles, dtype=object)
                cache = _cache_path(run, data_sha256, targets, options, kind, scheme, name)
                folds = _FoldCache(cache)
                runs[name] = _load_run(cache)
                if runs[name] is None:
                    with progress.task(f"{kind}/{scheme}: {name}", total=len(splits)) as bar:
                        runs[name] = run_model(
                            name, build, X, data.Y, splits,
                            seed=options.seed, space=spaces.get(name),
                            tune_trials=options.tune_trials,
                            storage=str(run.file("optuna.sqlite3")),
                            study_prefix=f"{kind}-{scheme}-",
                            on_fold=lambda k, bar=bar: bar.advance(),
                            fold_store=folds, fold_jobs=options.fold_jobs,
                            build_alone=_builder(name, options, alone=True))
                    _save_run(cache, runs[name])
                    folds.clear()
                rows += leaderboard_rows(runs[name], data.Y, data.targets, split=kind,
                                         scheme=scheme)
            if scheme == "kfold" and len(runs) > 1 and options.stack_top > 1:
                members, stacked = _stack(runs, data, options.stack_top, options.combine)
                runs[stacked.model] = stacked
                rows += leaderboard_rows(stacked, data.Y, data.targets, split=kind,
                                         scheme=scheme, members="+".join(members))
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
    return board


def _cache_path(run: RunFolder, data_sha256: str, targets: list[str],
                options: CompareOptions, kind: str, scheme: str, name: str) -> Path:
    """Where one model's finished runs are kept; the name hashes everything that shapes them,
    so a restarted ``compare`` reuses only results of identical work."""
    shaping = {k: v for k, v in asdict(options).items()
               if k not in ("models", "splits", "schemes", "stack_top", "combine",
                            "feature_counts", "selection", "n_jobs", "fold_jobs", "unit",
                            "params")}
    key = json.dumps({"data": data_sha256, "targets": targets, **shaping,
                      "params": options.params.get(name, {}), "kind": kind, "scheme": scheme,
                      "model": name}, sort_keys=True, default=str)
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return run.path / "cache" / f"{kind}-{scheme}-{name}-{digest}"


class _FoldCache:
    """Finished folds of a model run in progress, beside its cache folder (``NAME.foldK``)."""

    def __init__(self, cache: Path):
        self.cache = cache

    def _path(self, k: int) -> Path:
        return self.cache.with_name(f"{self.cache.name}.fold{k}")

    def load(self, k: int) -> ModelRun | None:
        return _load_run(self._path(k))

    def save(self, k: int, part: ModelRun) -> None:
        _save_run(self._path(k), part)

    def clear(self) -> None:
        for path in self.cache.parent.glob(f"{self.cache.name}.fold*"):
            shutil.rmtree(path)


def _save_run(path: Path, mrun: ModelRun) -> None:
    """A finished model run: fold models (safetensors + JSON, no pickle), predictions, times."""
    from safetensors.numpy import save_file

    from redoxscreen.models import EnsembleRegressor, estimator_to_state

    tmp = path.with_name(path.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    config, arrays = estimator_to_state(EnsembleRegressor.from_fitted(mrun.fitted))
    arrays = {**arrays, "__oof": mrun.oof, "__fold": mrun.fold.astype(np.int64)}
    save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()},
              str(tmp / "run.safetensors"))
    write_json(tmp / "run.json", {"model": mrun.model, "estimator": config,
                                  "fit_seconds": mrun.fit_seconds,
                                  "predict_seconds": mrun.predict_seconds,
                                  "params": mrun.params})
    if path.exists():
        shutil.rmtree(path)
    os.replace(tmp, path)


def _load_run(path: Path) -> ModelRun | None:
    if not (path / "run.json").exists():
        return None
    from safetensors.numpy import load_file

    from redoxscreen.models import estimator_from_state

    meta = json.loads((path / "run.json").read_text())
    arrays = load_file(str(path / "run.safetensors"))
    ens = estimator_from_state(meta["estimator"], arrays)
    return ModelRun(meta["model"], arrays["__oof"], arrays["__fold"], list(ens.estimators_),
                    meta["fit_seconds"], meta["predict_seconds"], meta["params"])


def _write_predictions(run: RunFolder, data: CompareData, runs: dict[str, ModelRun],
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


def _save_stack(run: RunFolder, data: CompareData, members: dict[str, ModelRun],
                stacked: ModelRun, combine: str) -> str:
    """The stack (or average) of the best models' k-fold ensembles as a model directory."""
    from redoxscreen.models import EnsembleRegressor, RedoxModel
    from redoxscreen.models.stacking import StackedRegressor

    ens = [EnsembleRegressor.from_fitted(r.fitted) for r in members.values()]
    w, b = fit_stack_weights(np.stack([r.oof for r in members.values()]), data.Y, combine)
    est = StackedRegressor.from_fitted(ens, list(members), w, b)
    oof = pd.DataFrame({"smiles": data.smiles, "fold": stacked.fold})
    for j, t in enumerate(data.targets):
        oof[f"{t}_true"] = data.Y[:, j]
        oof[f"{t}_pred"] = stacked.oof[:, j]
    info = {"command": "compare", combine: {"members": list(members), "weights": w.tolist(),
                                            "intercepts": b.tolist()}}
    path = RedoxModel(featurizer=data.featurizer, estimator=est, targets=data.targets,
                      info=info, oof=oof).save(run.file("model"))
    return str(path)


def _feature_curve(run: RunFolder, data: CompareData, options: CompareOptions, kind: str) -> None:
    splits = evaluation_splits(data.smiles, len(data.Y), kind, "kfold", options.folds,
                               options.seed)
    name = options.models[0]
    curve = feature_count_curve(_builder(name, options), data.X, data.Y, splits,
                                options.feature_counts, data.targets, method=options.selection,
                                seed=options.seed)
    curve.to_csv(run.file("feature_counts.csv"), index=False)
    feature_count_plot(curve, run.file("plots/feature_counts.png"), unit=options.unit,
                       title=f"{name}, {options.selection} selection, {kind} {options.folds}-fold")
