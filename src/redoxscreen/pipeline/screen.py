"""``screen``: run the streaming screen, then draw its figures from the results store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from redoxscreen.pipeline.progress import Progress
from redoxscreen.pipeline.runs import library_versions, write_json
from redoxscreen.report import candidate_grid, potential_histogram
from redoxscreen.screen import ScreenSettings, run_screen
from redoxscreen.screen.settings import potential_column
from redoxscreen.screen.store import potentials


def run_screen_command(model_dir: str | Path, library: str | Path, out: str | Path,
                       settings: ScreenSettings, *, smiles_col: str | None = None,
                       progress: Progress | None = None, grid_size: int = 20) -> dict:
    out = Path(out)
    summary = run_screen(model_dir, library, out, settings, smiles_col=smiles_col,
                         progress=progress)
    write_json(out / "versions.json", library_versions())
    for role, info in summary["window"].items():
        e, h, _ = potentials(out, role, settings.scale)
        potential_histogram(e, h, role, (info["low_v"], info["high_v"]),
                            tuple(info["band"]) if info["band"] else None, settings.scale,
                            out / "plots" / f"potentials_{role}.png")
        top = pd.read_csv(out / f"top_{role}.csv").head(grid_size)
        col = potential_column(role, settings.scale)
        candidate_grid(top["smiles"].tolist(), [f"#{i + 1}: {v:.2f} V" for i, v in
                                                enumerate(top[col])],
                       out / "plots" / f"top_{role}.png")
    return summary
