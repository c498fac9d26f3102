"""``redoxscreen demo``: the main job on the built-in dataset."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from redoxscreen.cli.common import bars, cli_command, default_out, out


@cli_command
def demo(
    run_dir: Path | None = typer.Option(None, "--out", "-o"),
    library_size: int = typer.Option(100_000, help="molecules in the screened library"),
    seed: int = typer.Option(0),
    workers: int = typer.Option(os.cpu_count() or 1),
) -> None:
    """Train on the built-in dataset, screen a fresh library, check the best with xTB."""
    from redoxscreen.pipeline.demo import run_demo
    result = run_demo(run_dir or default_out("demo"), seed=seed, library_size=library_size,
                      workers=workers, progress=bars())
    for role, m in result.oracle_check.items():
        if m.n_labelled:
            out.print(f"{role}: top {m.n} re-labelled with xTB + ALPB, MAE vs prediction "
                      f"{m.mae_v:.3f} V, {m.still_in_window} still in the window")
    out.print(f"done in {result.seconds:.0f} s → [bold]{result.run_dir / 'summary.html'}[/bold]")
