"""``redoxscreen search``: the architecture grid (the study's by default) and the final model."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from redoxscreen.cli.common import bars, cli_command, default_out, out
from redoxscreen.cli.train import metrics_table


@cli_command
def search(
    data: Path = typer.Argument(..., help="Table of molecules"),
    target: list[str] = typer.Option(..., "--target", "-t", help="NAME=[-]COLUMN[:UNIT]"),
    grid: str = typer.Option("thesis", help="Built-in grid name or a YAML/JSON file"),
    run_dir: Path | None = typer.Option(None, "--out", "-o"),
    smiles_col: str | None = typer.Option(None),
    split: str = typer.Option("random", help="random (as the study) or scaffold"),
    folds: int = typer.Option(8, help="k of the final CV of the best configuration"),
    seed: int = typer.Option(0),
    n_jobs: int = typer.Option(1),
    max_epochs: int | None = typer.Option(None, help="Override the preset's epoch limit"),
    cache_dir: Path | None = typer.Option(None),
) -> None:
    """Score every grid configuration by CV, print the table, train and save the best."""
    from redoxscreen.pipeline.search import run_search
    res = run_search(data, target, run_dir or default_out("search"), grid=grid,
                     smiles_col=smiles_col, split=split, final_folds=folds, seed=seed,
                     n_jobs=n_jobs, max_epochs=max_epochs,
                     cache_dir=str(cache_dir) if cache_dir else None, progress=bars())
    results = res.results
    table = Table(title=f"grid search ({len(results)} configurations, validation MAE, eV)")
    cols = ["rank", "config", "val_mae"] + [c for c in results.columns if c.endswith("_mae")
                                            and c != "val_mae"]
    for c in cols:
        table.add_column(c, justify="right")
    for _, r in results.iterrows():
        table.add_row(*(f"{r[c]:.3f}" if isinstance(r[c], float) else str(r[c]) for c in cols))
    out.print(table)
    out.print(metrics_table(res.cv.metrics, f"best configuration, {folds}-fold CV"))
    out.print(f"run folder: [bold]{res.run_dir}[/bold]; model: {res.model_dir}")
