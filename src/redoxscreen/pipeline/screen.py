"""``screen``: run the streaming screen, then draw its figures from the results store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from redoxscreen.runtime.jsonio import write_json
from redoxscreen.runtime.progress import Progress
from redoxscreen.runtime.runs import library_versions
from redoxscreen.screen import ScreenSettings, ScreenSummary, run_screen
from redoxscreen.screen.schema import potential_column
from redoxscreen.screen.store import potentials


def run_screen_command(model_dir: str | Path, library: str | Path, out: str | Path,
                       settings: ScreenSettings, *, smiles_col: str | None = None,
                       progress: Progress | None = None, grid_size: int = 20) -> ScreenSummary:
    out = Path(out)
    # the figures' imports (matplotlib, RDKit's drawing) wait until the screen is done: the
    # workers start sooner
    summary = run_screen(model_dir, library, out, settings, smiles_col=smiles_col,
                         progress=progress)
    write_json(out / "versions.json", library_versions())
    from redoxscreen.report.screening import candidate_grid, potential_histogram

    for role, res in summary.roles.items():
        e, h, _ = potentials(out, role, settings.scale)
        potential_histogram(e, h, role, (res.window.low_v, res.window.high_v), res.band,
                            settings.scale, out / "plots" / f"potentials_{role}.png")
        top = pd.read_csv(out / f"top_{role}.csv").head(grid_size)
        col = potential_column(role, settings.scale)
        candidate_grid(top["smiles"].tolist(), [f"#{i + 1}: {v:.2f} V" for i, v in
                                                enumerate(top[col])],
                       out / "plots" / f"top_{role}.png")
    return summary
