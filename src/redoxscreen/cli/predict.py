"""``redoxscreen predict`` and ``redoxscreen evaluate``."""

from __future__ import annotations

from pathlib import Path

import typer

from redoxscreen.cli.common import cli_command, console, default_out
from redoxscreen.cli.train import metrics_table


@cli_command
def predict(
    model: Path = typer.Argument(..., help="Model directory (a run's DIR/model)"),
    data: Path = typer.Argument(..., help="Table of molecules"),
    output: Path = typer.Option(..., "--output", "-o", help="Predictions file (.csv/.parquet)"),
    smiles_col: str | None = typer.Option(None),
    out: Path | None = typer.Option(None, "--out", help="Also write a run folder here"),
) -> None:
    """Predict every molecule of DATA; invalid SMILES get an empty prediction and a reason."""
    from redoxscreen.pipeline.predict import run_predict
    result = run_predict(model, data, output, smiles_col=smiles_col, out=out)
    n_bad = int((result["reason"] != "").sum())
    console.print(f"{len(result)} rows predicted ({n_bad} invalid, see column 'reason') "
                  f"→ [bold]{output}[/bold]")


@cli_command
def evaluate(
    model: Path = typer.Argument(..., help="Model directory"),
    data: Path = typer.Argument(..., help="Labelled table of molecules"),
    target: list[str] | None = typer.Option(None, "--target", "-t",
                                            help="MODEL_TARGET=[-]COLUMN[:UNIT]"),
    out: Path | None = typer.Option(None, "--out", "-o"),
    smiles_col: str | None = typer.Option(None),
) -> None:
    """Metrics, parity plots and predictions of a saved model on labelled data."""
    from redoxscreen.pipeline.predict import run_evaluate
    out = out or default_out("evaluate")
    metrics = run_evaluate(model, data, out, targets=target or None, smiles_col=smiles_col)
    console.print(metrics_table(metrics, f"evaluation on {data}"))
    console.print(f"run folder: [bold]{out}[/bold]")
