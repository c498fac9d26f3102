"""The labeller interface: ``label(smiles) -> OracleResult`` (IE, EA, status, reason).

Physics labellers (xTB now, DFT later) sit behind it, so active learning and the demo do not care
which one they call. :func:`label_many` runs one over many molecules in worker processes and
appends every result to a CSV as it arrives, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import csv
import importlib
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import as_completed
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from redoxscreen.chem import to_mol
from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.processes import spawn_pool
from redoxscreen.runtime.registry import Registry

ORACLES = Registry("oracle", load=lambda: importlib.import_module("redoxscreen.oracle.xtb"))


@dataclass
class OracleResult:
    """One molecule's labels. ``status`` is ``ok`` or ``failed`` (then ``reason`` says why)."""

    smiles: str
    ie_ev: float | None = None
    ea_ev: float | None = None
    status: str = "ok"
    reason: str = ""
    seconds: float = 0.0
    method: str = ""
    e_ox_v_li: float | None = None  # in solution only: IE_solv and EA_solv as potentials
    e_red_v_li: float | None = None
    li_bind_ev: float | None = None  # ``li_bound`` only: the Li-bound reduced form
    e_red_li_v_li: float | None = None

    def values(self) -> dict[str, float]:
        """The labels this result carries, by target name (none when it failed)."""
        if self.status != "ok":
            return {}
        return {k: getattr(self, k) for k in LABELS if getattr(self, k) is not None}

    @classmethod
    def failed(cls, smiles: str, reason: str, method: str = "", seconds: float = 0.0
               ) -> OracleResult:
        return cls(smiles, None, None, "failed", reason, seconds, method)


COLUMNS = [f.name for f in fields(OracleResult)]
LABELS = ("ie_ev", "ea_ev", "e_ox_v_li", "e_red_v_li", "li_bind_ev", "e_red_li_v_li")


def _upgrade_results(results_csv: Path) -> None:
    """Give a results file written by an earlier version (whose columns are a leading part of
    today's) the new columns, empty, so it resumes instead of being refused."""
    header = list(pd.read_csv(results_csv, nrows=0).columns)
    if header == COLUMNS:
        return
    if header != COLUMNS[:len(header)]:
        raise ConfigError(f"{results_csv}: its columns ({', '.join(header)}) are not this "
                          f"version's ({', '.join(COLUMNS)}); label into a new file")
    table = pd.read_csv(results_csv, keep_default_na=False, dtype=str)
    tmp = results_csv.with_suffix(".upgrade.tmp")
    table.reindex(columns=COLUMNS, fill_value="").to_csv(tmp, index=False)
    os.replace(tmp, results_csv)


class Oracle(Protocol):
    """Anything that labels a molecule with vertical IE and EA (eV); register a class with
    ``@ORACLES.register(name, reads="smiles")`` to make it ``label --oracle NAME``."""

    name: str

    def label(self, smiles: str) -> OracleResult: ...


def _label_one(oracle: Oracle, smiles: str) -> OracleResult:
    mol, why = to_mol(smiles)
    if mol is None:  # never hand an oracle what RDKit cannot read: record why instead
        return OracleResult.failed(smiles, why, getattr(oracle, "name", ""))
    try:
        return oracle.label(smiles)
    except Exception as exc:  # a labeller bug must not end the batch: record it
        return OracleResult.failed(smiles, f"unexpected error: {exc}", oracle.name)


def iter_labels(oracle: Oracle, smiles: Iterable[str], *, n_workers: int = 1
                ) -> Iterator[OracleResult]:
    """Label each SMILES, yielding results as they finish (in worker processes when
    ``n_workers > 1``), so a caller can store each one before the next arrives."""
    todo = list(smiles)
    if n_workers <= 1 or len(todo) <= 1:
        for s in todo:
            yield _label_one(oracle, s)
        return
    with spawn_pool(n_workers) as pool:  # spawned: see redoxscreen.runtime.processes
        futures = [pool.submit(_label_one, oracle, s) for s in todo]
        for fut in as_completed(futures):
            yield fut.result()


def label_many(oracle: Oracle, smiles: Iterable[str], results_csv: str | Path, *,
               n_workers: int = 1, progress: object | None = None) -> pd.DataFrame:
    """Label every SMILES not yet in ``results_csv``; returns the whole results table.

    Results are appended (and flushed) one by one, so killing the run loses at most the
    molecules being computed at that moment.
    """
    results_csv = Path(results_csv)
    done: set[str] = set()
    if results_csv.exists() and results_csv.stat().st_size > 0:
        _upgrade_results(results_csv)
        done = set(pd.read_csv(results_csv, usecols=["smiles"])["smiles"].astype(str))
    todo = list(dict.fromkeys(s for s in smiles if s not in done))
    new_file = not results_csv.exists() or results_csv.stat().st_size == 0
    results_csv.parent.mkdir(parents=True, exist_ok=True)
    with open(results_csv, "a", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        if new_file:
            writer.writeheader()
        for res in iter_labels(oracle, todo, n_workers=n_workers):
            writer.writerow(asdict(res))
            fh.flush()
            os.fsync(fh.fileno())
            if progress is not None:
                progress.advance()
    return pd.read_csv(results_csv)


def build_oracle(name: str, settings: dict | None = None) -> Oracle:
    """The registered oracle ``name`` with its settings; ``name`` may be a whole spec
    ``NAME:key=value,...`` (``xtb:solvent=acetonitrile``) when ``settings`` is not given."""
    if settings is None:
        name, settings = ORACLES.parse_spec(name)
    try:
        return ORACLES[name].factory(**settings)
    except TypeError as exc:
        raise ConfigError(f"oracle {name} with {settings}: {exc}") from exc


def oracle_values(oracle: Oracle, smiles: list[str], targets: list[str], *,
                  n_workers: int = 1, results_csv: str | Path | None = None) -> np.ndarray:
    """``(n, len(targets))`` labels of ``smiles`` in input order (NaN where the oracle failed);
    with ``results_csv``, through :func:`label_many` (kept, and resumed when rerun)."""
    if results_csv is not None:
        got = label_many(oracle, smiles, results_csv, n_workers=n_workers)
        got = got[got["status"] == "ok"].drop_duplicates("smiles", keep="last")
        table = got.set_index("smiles").reindex(list(smiles))
        return table[targets].to_numpy(float)
    by = {r.smiles: r.values() for r in iter_labels(oracle, dict.fromkeys(smiles),
                                                    n_workers=n_workers)}
    return np.array([[by.get(s, {}).get(t, np.nan) for t in targets] for s in smiles], float)
