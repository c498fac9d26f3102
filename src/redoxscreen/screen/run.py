"""A resumable screening run: chunks → Parquet parts + manifest → DuckDB, Parquet, top-N, report.

Resuming: each finished chunk is written to ``parts/chunk-NNNNNN.parquet`` (atomic rename) and
then recorded in ``manifest.json``. A restarted run skips recorded chunks; a chunk that was being
written when the run died is simply computed again and replaces its part, so no row is lost or
duplicated. The final tables are rebuilt from the parts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from redoxscreen.electrochem import Window
from redoxscreen.evaluation.calibration import IntervalCalibrator, calibrators_from_oof
from redoxscreen.models.card import ModelCard, read_model_card
from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.executor import run_chunks
from redoxscreen.runtime.jsonio import plain, write_json
from redoxscreen.runtime.progress import Progress, or_silent
from redoxscreen.runtime.registry import plugin_modules
from redoxscreen.runtime.runs import file_sha256, run_lock
from redoxscreen.screen.index import LibraryIndex, is_index
from redoxscreen.screen.reader import iter_chunks
from redoxscreen.screen.settings import ScreenSettings
from redoxscreen.screen.store import finalize_store


@dataclass(frozen=True)
class RoleResult:
    """How many molecules fit one role: inside the window, inside the band, passing both with
    their whole interval; and the window and band they were held to."""

    potential_column: str
    in_window: int
    in_band: int
    n_pass: int
    window: Window
    band: tuple[float | None, float | None] | None = None


@dataclass
class ScreenSummary:
    """What ``run_screen`` returns, and ``summary.json`` holds (:meth:`to_dict`)."""

    out: Path
    molecules: int = 0
    valid: int = 0
    invalid: int = 0
    roles: dict[str, RoleResult] = field(default_factory=dict)
    calibrators: dict[str, dict] = field(default_factory=dict)
    best_cell_voltage_v: float | None = None
    domain: dict[str, int] = field(default_factory=dict)  # valid molecules per in/edge/out
    interrupted: bool = False
    rows_done: int = 0

    def to_dict(self) -> dict:
        out = {"molecules": self.molecules, "valid": self.valid, "invalid": self.invalid,
               "domain": self.domain,
               "roles": {r: {"potential_column": x.potential_column, "in_window": x.in_window,
                             "in_band": x.in_band, "pass": x.n_pass}
                         for r, x in self.roles.items()}}
        if {"cathode", "anode"} <= set(self.roles):
            out["best_cell_voltage_v"] = self.best_cell_voltage_v
        out["calibrators"] = self.calibrators
        out["window"] = {r: {"low_v": x.window.low_v, "high_v": x.window.high_v,
                             "scale": x.window.scale, "band": x.band,
                             "sources": list(x.window.sources)} for r, x in self.roles.items()}
        return plain(out)


def fit_calibrators(model: ModelCard, settings: ScreenSettings) -> dict[str, IntervalCalibrator]:
    """Interval calibrators per screened target, from the out-of-fold table saved with the model."""
    if model.oof is None:
        raise ConfigError("the model has no out-of-fold table (oof.csv) to calibrate intervals; "
                          "retrain it with 'redoxscreen train'")
    return calibrators_from_oof(model.oof, sorted({settings.ie_target, settings.ea_target}
                                                  - {None}),
                                settings.uncertainty, settings.coverage)


class Manifest:
    """``manifest.json``: the run's identity and the chunks already written."""

    def __init__(self, path: Path, identity: dict):
        self.path = path
        self.identity = identity
        self.done: dict[int, int] = {}
        if path.exists():
            saved = json.loads(path.read_text())
            if saved.get("identity") != identity:
                raise ConfigError(f"{path.parent} holds a screening run with other inputs or "
                                  "settings; choose another --out or delete that folder")
            self.done = {int(k): v for k, v in saved.get("done", {}).items()}

    def record(self, index: int, n_rows: int) -> None:
        self.done[index] = n_rows
        write_json(self.path, {"identity": self.identity, "done": self.done,
                               "rows_done": sum(self.done.values())})


def run_screen(model_dir: str | Path, library: str | Path, out: str | Path,
               settings: ScreenSettings, *, smiles_col: str | None = None,
               progress: Progress | None = None, max_chunks: int | None = None
               ) -> ScreenSummary:
    """Screen ``library`` with the model in ``model_dir``; returns the run summary.

    ``max_chunks`` stops after that many new chunks (for tests of resuming).
    """
    out = Path(out)
    with run_lock(out, "screen"):
        return _run_screen(model_dir, library, out, settings, smiles_col=smiles_col,
                           progress=or_silent(progress), max_chunks=max_chunks)


def _run_screen(model_dir: str | Path, library: str | Path, out: Path,
                settings: ScreenSettings, *, smiles_col: str | None, progress: Progress,
                max_chunks: int | None) -> ScreenSummary:
    (out / "parts").mkdir(parents=True, exist_ok=True)
    # the coordinator reads only model.json and oof.csv: workers load torch and the weights
    model = read_model_card(model_dir)
    settings.resolve_targets(model.targets)
    settings.resolve_conversion(model.meta.get("units", {}), model.meta.get("potential_scale"))
    settings.rules()  # validates solvent/collector/roles before any work
    calibrators = fit_calibrators(model, settings)
    index = None
    if is_index(library):  # features read from the index: its featurizer must be the model's
        index = LibraryIndex(library)
        index.check_model(model.meta["featurizer"], model.meta.get("standardize"))
    # neither the workers, the scheduler nor top_n change a row
    volatile = ("n_workers", "top_n", "scheduler") + (("chunk_size",) if index else ())
    identity = {"model": str(Path(model_dir).resolve()),
                "model_hash": file_sha256(Path(model_dir) / "weights.safetensors"),
                "library": str(Path(library).resolve()),
                "library_sha256": index.sha256 if index else file_sha256(library),
                "settings": {k: v for k, v in settings.to_dict().items()
                             if k not in volatile}}
    identity = plain(identity)  # compare as stored (tuples become lists)
    manifest = Manifest(out / "manifest.json", identity)
    write_json(out / "config.json", {"command": "screen", **identity,
                                     "calibrators": {t: c.to_dict()
                                                     for t, c in calibrators.items()}})
    cal_states = {t: c.state() for t, c in calibrators.items()}
    n_new = 0
    # an index's chunks are its shards (their size was set when it was built)
    source = index.chunks() if index else iter_chunks(library, settings.chunk_size, smiles_col)
    chunks = (c for c in source if c.index not in manifest.done)
    with progress.task("screening", total=None) as bar:
        bar.advance(f"{sum(manifest.done.values())} molecules already done", 0)

        def record(index: int, n_rows: int) -> None:
            nonlocal n_new
            manifest.record(index, n_rows)
            n_new += 1
            bar.advance(f"{sum(manifest.done.values())} molecules", 0)

        from redoxscreen.screen.worker import init_worker, screen_in_worker

        serial = settings.n_workers <= 1 and settings.scheduler is None
        initargs = (str(model_dir), settings.to_dict(), cal_states, str(out / "parts"),
                    plugin_modules(), 0 if serial else 1)
        for chunk, n_rows in run_chunks(chunks, screen_in_worker, init_worker, initargs,
                                        workers=settings.n_workers,
                                        scheduler=settings.scheduler,
                                        max_tasks=max_chunks):
            record(chunk.index, n_rows)
    rows_done = sum(manifest.done.values())
    if max_chunks is not None and n_new >= max_chunks:
        return ScreenSummary(out, interrupted=True, rows_done=rows_done)
    with progress.task("writing results store", total=None):
        counts = finalize_store(out, settings)
    rules = settings.rules()
    summary = ScreenSummary(
        out, counts["molecules"], counts["valid"], counts["invalid"],
        {r: RoleResult(c["potential_column"], c["in_window"], c["in_band"], c["pass"],
                       rules[r].window, rules[r].band) for r, c in counts["roles"].items()},
        {t: c.to_dict() for t, c in calibrators.items()}, counts.get("best_cell_voltage_v"),
        counts.get("domain", {}), rows_done=rows_done)
    write_json(out / "summary.json", summary.to_dict(), tidy_floats=True)
    return summary

