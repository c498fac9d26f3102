"""``redoxscreen finetune``: a model for a few labels from a model trained on big data."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from redoxscreen.cli.common import bars, cli_command, default_out, out, parse_settings


@cli_command
def finetune(
    base_model: Path = typer.Argument(..., help="Model trained on big data (a run's DIR/model)"),
    data: Path = typer.Argument(..., help="Small labelled table of molecules"),
    target: list[str] = typer.Option(..., "--target", "-t",
                                     help="NAME=[-]COLUMN[:UNIT], repeatable; e.g. "
                                     "e_red=E_red:V (a potential on --scale)"),
    run_dir: Path | None = typer.Option(None, "--out", "-o", help="Run folder (default runs/...)"),
    strategy: str = typer.Option("auto", help="auto (the lowest CV error of those that apply) "
                                 "or one of {strategies}"),
    set_param: list[str] = typer.Option([], "--set", help="SETTING=VALUE of a named strategy, "
                                        "e.g. kernel=ridge (stack, delta), n_layers=1 "
                                        "(finetune)"),
    oracle: str | None = typer.Option(None, help="oracle whose values the delta strategy "
                                      "corrects, e.g. 'xtb:solvent=acetonitrile' (then run on "
                                      "every molecule predicted)"),
    folds: int = typer.Option(5, help="k of the k-fold CV on the small set"),
    split: str = typer.Option("random", help="random or scaffold"),
    seed: int = typer.Option(0),
    n_jobs: int = typer.Option(1, help="Oracle worker processes"),
    smiles_col: str | None = typer.Option(None, help="SMILES column (auto-detected if omitted)"),
    scale: str = typer.Option("vs_li", help="scale of potential targets (:V)"),
    label_solvent: str | None = typer.Option(None, help="solvent of the labels (recorded)"),
) -> None:
    """Adapt BASE_MODEL to the few labels of DATA; intervals are recalibrated on DATA."""
    from redoxscreen.pipeline.finetune import FinetuneOptions, run_finetune

    options = FinetuneOptions(strategy=strategy, settings=parse_settings(set_param,
                              "SETTING=VALUE", "kernel=ridge"), oracle=oracle, folds=folds,
                              split=split, seed=seed, n_jobs=n_jobs, scale=scale,
                              label_solvent=label_solvent)
    result = run_finetune(base_model, data, target, run_dir or default_out("finetune"),
                          smiles_col=smiles_col, options=options, progress=bars())
    table = Table(title=f"{folds}-fold {split} CV on {data.name} (out-of-fold)")
    for col in ("strategy", "MAE", "R²", ""):
        table.add_column(col, justify="right")
    for name, cv in result.cv.items():
        r2 = sum(m["r2"] for m in cv.metrics.values()) / len(cv.metrics)
        table.add_row(name, f"{cv.mae:.3f}", f"{r2:.3f}",
                      "chosen" if name == result.chosen else "")
    out.print(table)
    out.print(f"run folder: [bold]{result.run_dir}[/bold]; model: {result.model_dir}")
