"""``redoxscreen predict`` and ``redoxscreen evaluate``."""

from __future__ import annotations

from pathlib import Path

import typer

from redoxscreen.cli.common import cli_command, default_out, out
from redoxscreen.cli.train import metrics_table


@cli_command
def predict(
    model: Path = typer.Argument(..., help="Model directory (a run's DIR/model)"),
    data: Path = typer.Argument(..., help="Table of molecules"),
    output: Path = typer.Option(..., "--output", "-o", help="Predictions file (.csv/.parquet)"),
    smiles_col: str | None = typer.Option(None),
    run_dir: Path | None = typer.Option(None, "--out", help="Also write a run folder here"),
    coverage: float = typer.Option(0.95, help="coverage of the <target>_lo/_hi intervals (CV+ "
                                   "on the model's out-of-fold residuals); 0: none"),
) -> None:
    """Predict every molecule of DATA; invalid SMILES get an empty prediction and a reason."""
    from redoxscreen.pipeline.predict import run_predict
    result = run_predict(model, data, output, smiles_col=smiles_col, out=run_dir,
                         coverage=coverage or None)
    out.print(f"{len(result.table)} rows predicted ({result.n_invalid} invalid, see column "
              f"'reason') → [bold]{result.output}[/bold]")


@cli_command
def evaluate(
    model: Path = typer.Argument(..., help="Model directory"),
    data: Path = typer.Argument(..., help="Labelled table of molecules"),
    target: list[str] | None = typer.Option(None, "--target", "-t",
                                            help="MODEL_TARGET=[-]COLUMN[:UNIT]"),
    run_dir: Path | None = typer.Option(None, "--out", "-o"),
    smiles_col: str | None = typer.Option(None),
) -> None:
    """Metrics, parity plots and predictions of a saved model on labelled data."""
    from redoxscreen.pipeline.predict import run_evaluate
    result = run_evaluate(model, data, run_dir or default_out("evaluate"),
                          targets=target or None, smiles_col=smiles_col)
    out.print(metrics_table(result.metrics, f"evaluation on {data}"))
    out.print(f"run folder: [bold]{result.run_dir}[/bold]")
