"""``redoxscreen distill``."""

from __future__ import annotations

from pathlib import Path

import typer

from redoxscreen.cli.common import bars, cli_command, out


@cli_command
def distill(
    model: Path = typer.Argument(..., help="Model directory (an FCNN fold ensemble)"),
    output: Path = typer.Option(..., "--output", "-o", help="the distilled model's folder"),
    library: Path | None = typer.Option(None, help="also learn the members on molecules "
                                        "sampled from this library (the one to screen)"),
    n_library: int = typer.Option(50000, help="molecules sampled from --library"),
    max_epochs: int | None = typer.Option(None, help="student epochs (default: the "
                                          "members')"),
    seed: int = typer.Option(0),
    smiles_col: str | None = typer.Option(None),
) -> None:
    """One net in place of the k fold models (k× fewer net evaluations when screening),
    keeping their CV+ intervals; prints how closely it reproduces them."""
    from redoxscreen.pipeline.distill import run_distill_command

    params = {"max_epochs": max_epochs} if max_epochs else {}
    agreement = run_distill_command(model, output, library=library, n_library=n_library,
                                    seed=seed, smiles_col=smiles_col, progress=bars(),
                                    **params)
    for t, mae in agreement["member_mae"].items():
        out.print(f"{t}: student vs members MAE {mae:.4f} (of the mean "
                  f"{agreement['mean_mae'][t]:.4f}) on {agreement['held_out']} held-out "
                  "molecules")
    out.print(f"→ [bold]{output}[/bold]")
