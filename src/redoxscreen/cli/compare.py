"""``redoxscreen compare``: the model zoo on the same splits, as a leaderboard."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from redoxscreen.cli.common import bars, cli_command, default_out, out, parse_settings
from redoxscreen.runtime.errors import ConfigError


def _csv(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def parse_params(items: list[str]) -> dict[str, dict]:
    """``["rf.n_estimators=100", "svr.C=3"]`` → ``{"rf": {"n_estimators": 100}, "svr": ...}``."""
    params: dict[str, dict] = {}
    form, example = "MODEL.PARAM=VALUE", "rf.n_estimators=100"
    for key, value in parse_settings(items, form, example).items():
        model, dot, param = key.partition(".")
        if not (dot and model and param):
            raise ConfigError(f"--set {key}={value}: write {form}, e.g. {example}")
        params.setdefault(model.strip(), {})[param.strip()] = value
    return params


@cli_command
def compare(
    data: Path = typer.Argument(..., help="Table: molecules (SMILES) or numeric columns"),
    target: list[str] = typer.Option(..., "--target", "-t", help="NAME=[-]COLUMN[:UNIT]"),
    models: str = typer.Option("ridge,rf,lgbm,fcnn",
                               help="comma list of: {models} ('redoxscreen models')"),
    featurizer: str = typer.Option("ecfp:r=2,bits=2048", help="featurizer spec (molecule mode)"),
    features: str | None = typer.Option(None, help="tabular mode: feature columns, or 'all' "
                                                   "numeric ones"),
    split: str = typer.Option("random,scaffold", help="random and/or scaffold"),
    scheme: str = typer.Option("kfold,holdout", help="kfold and/or holdout (70:30)"),
    folds: int = typer.Option(5),
    tune: int = typer.Option(0, help="Optuna trials per model and outer fold (0: defaults)"),
    spaces: Path | None = typer.Option(None, help="search-space YAML (default: packaged)"),
    storage: str | None = typer.Option(None, help="Optuna storage shared across machines, "
                                       "e.g. postgresql://user@host/db (default: the run's "
                                       "SQLite file)"),
    stack_top: int = typer.Option(3, help="combine the best N models (k-fold); 0 or 1: none"),
    combine: str = typer.Option("stack", help="stack (weights fitted out of fold) or average"),
    feature_counts: str | None = typer.Option(None, help="e.g. 8,16,32,64: error vs k curve "
                                                         "for the first model"),
    selection: str = typer.Option("correlation", help="correlation or importance"),
    unit: str = typer.Option("eV", help="unit shown on plots"),
    seed: int = typer.Option(0),
    n_jobs: int = typer.Option(1, help="threads/processes for features and models"),
    fold_jobs: int = typer.Option(1, help="folds fitted at once (worker processes), sharing "
                                          "the --n-jobs threads; 2 speeds up network fits"),
    max_epochs: int | None = typer.Option(None, help="FCNN epoch limit"),
    set_param: list[str] = typer.Option([], "--set", help="MODEL.PARAM=VALUE, repeatable; "
                                                          "e.g. rf.n_estimators=100"),
    smiles_col: str | None = typer.Option(None),
    run_dir: Path | None = typer.Option(None, "--out", "-o"),
) -> None:
    """Run several models on identical splits; print and save the leaderboard."""
    from redoxscreen.pipeline.compare import CompareOptions, run_compare

    options = CompareOptions(
        models=_csv(models), featurizer=featurizer,
        feature_cols=_csv(features) if features else None, splits=_csv(split),
        schemes=_csv(scheme), folds=folds, seed=seed, tune_trials=tune,
        spaces=str(spaces) if spaces else None, stack_top=stack_top, combine=combine,
        feature_counts=[int(k) for k in _csv(feature_counts)] if feature_counts else None,
        selection=selection, n_jobs=n_jobs, fold_jobs=fold_jobs, max_epochs=max_epochs, unit=unit,
        params=parse_params(set_param))
    result = run_compare(data, target, run_dir or default_out("compare"), options=options,
                         smiles_col=smiles_col, progress=bars(), storage=storage)
    for (kind, sch), part in result.leaderboard.groupby(["split", "scheme"], sort=False):
        table = Table(title=f"{kind} split, {sch}")
        for c in ("rank", "target", "model", "MAE", "RMSE", "R²", "fit s", "predict s"):
            table.add_column(c, justify="right" if c not in ("target", "model") else "left")
        for _, r in part.iterrows():
            table.add_row(str(r["rank"]), r["target"], r["model"], f"{r['mae']:.3f}",
                          f"{r['rmse']:.3f}", f"{r['r2']:.3f}", f"{r['fit_s']:.1f}",
                          f"{r['predict_s']:.2f}")
        out.print(table)
    out.print(f"run folder: [bold]{result.run_dir}[/bold] (leaderboard.csv, plots/, model/)")
