"""Helpers shared by the benchmarks: shared-data paths, result files, memory sampling."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
RESULTS = ROOT / "bench" / "results"
OCELOT = SHARED / "ocelot_chromophore_v1" / "ocelot_chromophore_v1_dev.csv.gz"
ENAMINE = SHARED / "screening_library_enamine50k" / "Enamine50k.csv.gz"


def has_chemprop() -> bool:
    import importlib.util

    return importlib.util.find_spec("chemprop") is not None


def skip_without_chemprop_and_ocelot() -> bool:
    """Print why and return True when a D-MPNN benchmark cannot run here."""
    if not has_chemprop():
        print("skipped: chemprop is not installed (pip install 'redoxscreen[graph]')")
        return True
    if not OCELOT.exists():
        print("skipped: ../shared/data not found")
        return True
    return False


def git_commit() -> str:
    """The short commit the benchmark runs on (recorded in its JSON)."""
    import subprocess

    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True, cwd=ROOT).stdout.strip()


def write_result(name: str, payload: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_text(json.dumps(payload, indent=2))
    print(f"written {path}")
    return path


def _tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    stack += [int(c) for c in fh.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


class PeakMemory:
    """Context manager sampling the summed RSS of a process tree (default: this one)."""

    def __init__(self, interval: float = 0.2, pid: int | None = None):
        self.interval = interval
        self.pid = pid or os.getpid()
        self.peak_bytes = 0
        self.samples: list[tuple[float, int]] = []  # (seconds since start, bytes)
        self._stop = threading.Event()

    def _run(self) -> None:
        t0 = time.perf_counter()
        while not self._stop.is_set():
            rss = _tree_rss_bytes(self.pid)
            self.peak_bytes = max(self.peak_bytes, rss)
            self.samples.append((time.perf_counter() - t0, rss))
            time.sleep(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def enamine_smiles() -> list[str]:
    """The Enamine 50k screening library's SMILES (header dropped)."""
    import gzip

    with gzip.open(ENAMINE, "rt") as fh:
        return [line.strip() for line in fh][1:]


def load_ocelot():
    """OCELOT as a clean table with targets ``vie`` and ``ea`` (= −vea), in eV."""
    import warnings

    from redoxscreen.pipeline.train import load_training_table

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 23 duplicated molecules disagree by > 0.1 eV
        return load_training_table(OCELOT, ["vie", "ea=-vea"])
