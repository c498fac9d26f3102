"""Filter, sort, page and export a screening run's results store (``results.duckdb``).

What the web workbench's results page and its downloads call. Filters are bound as
parameters and column names are checked against the table, so a query string can never
become SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.runs import find_marked
from redoxscreen.screen.schema import outcome_column
from redoxscreen.screen.store import connect

DOMAINS = ("in", "edge", "out")
EXPORTS = ("csv", "parquet")


@dataclass(frozen=True)
class ResultQuery:
    """Which rows of a run, in which order.

    ``role`` names the potential that ``potential_min``/``potential_max`` bound and the
    outcome that ``passed`` tests; ``domain`` keeps only those domain classes; ``valid``
    None keeps unparsed rows too.
    """

    role: str | None = None
    potential_min_v: float | None = None
    potential_max_v: float | None = None
    passed: bool | None = None
    domain: tuple[str, ...] = ()
    valid: bool | None = True
    sort: str = "row"
    descending: bool = False
    offset: int = 0
    limit: int = 50


class RunResults:
    """A finished screening run folder, opened read-only."""

    def __init__(self, directory: str | Path):
        self.dir = Path(directory)
        if not (self.dir / "results.duckdb").exists():
            raise ConfigError(f"{self.dir}: no results store (results.duckdb); the screen has "
                              "not finished, or this is not a screen's folder")
        summary = self.dir / "summary.json"
        self.summary = json.loads(summary.read_text()) if summary.exists() else {}
        con = connect(self.dir, read_only=True)
        try:
            self.columns = [r[0] for r in con.execute("DESCRIBE molecules").fetchall()]
        finally:
            con.close()
        self.roles = {r: v["potential_column"] for r, v in self.summary.get("roles", {}).items()
                      if v.get("potential_column") in self.columns}

    def window(self, role: str) -> tuple[float | None, float | None]:
        """The role's electrochemical window on the run's scale (lower, upper), in V."""
        w = self.summary.get("window", {}).get(role, {})
        return w.get("low_v"), w.get("high_v")

    def _where(self, q: ResultQuery) -> tuple[str, list]:
        terms, params = [], []
        if q.valid is not None:
            terms.append("valid" if q.valid else "NOT valid")
        if q.role is not None:
            if q.role not in self.roles:
                raise ConfigError(f"this run screened {', '.join(self.roles) or 'no role'}, "
                                  f"not {q.role!r}")
            col = self.roles[q.role]
            if q.potential_min_v is not None:
                terms.append(f'"{col}" >= ?')
                params.append(float(q.potential_min_v))
            if q.potential_max_v is not None:
                terms.append(f'"{col}" <= ?')
                params.append(float(q.potential_max_v))
            if q.passed is not None:
                terms.append(f'{"" if q.passed else "NOT "}coalesce("'
                             f'{outcome_column(q.role, "pass")}", false)')
        if q.domain:
            bad = sorted(set(q.domain) - set(DOMAINS))
            if bad:
                raise ConfigError(f"unknown domain class {bad[0]!r}; use in, edge or out")
            terms.append(f"domain IN ({', '.join('?' * len(q.domain))})")
            params += list(q.domain)
        return (" WHERE " + " AND ".join(terms)) if terms else "", params

    def _order(self, q: ResultQuery) -> str:
        if q.sort not in self.columns:
            raise ConfigError(f"cannot sort by {q.sort!r}: not a column of this run")
        return f' ORDER BY "{q.sort}" {"DESC" if q.descending else "ASC"} NULLS LAST, row'

    def select(self, q: ResultQuery) -> tuple[pd.DataFrame, int]:
        """One page of rows and the number of rows the filter keeps."""
        where, params = self._where(q)
        con = connect(self.dir, read_only=True)
        try:
            total = con.execute(f"SELECT count(*) FROM molecules{where}", params).fetchone()[0]
            # sort on the filter and sort columns alone, then read the page's rows whole: a
            # top-N over every column of a 10M-row store takes twice as long
            order = self._order(q)
            page = con.execute(f"SELECT * FROM molecules WHERE row IN (SELECT row FROM "
                               f"molecules{where}{order} LIMIT ? OFFSET ?){order}",
                               [*params, max(0, int(q.limit)), max(0, int(q.offset))]).df()
        finally:
            con.close()
        return page, int(total)

    def export(self, q: ResultQuery, path: str | Path, fmt: str = "csv") -> Path:
        """Every row the filter keeps (no paging), in ``q``'s order, as CSV or Parquet."""
        if fmt not in EXPORTS:
            raise ConfigError(f"unknown export format {fmt!r}; use csv or parquet")
        where, params = self._where(q)
        path = Path(path)
        con = connect(self.dir, read_only=True)
        try:  # streamed in record batches: a million-row run is never held whole
            reader = con.sql(f"SELECT * FROM molecules{where}{self._order(q)}",
                             params=params).to_arrow_reader(100_000)
            if fmt == "csv":
                import pyarrow.csv as pcsv
                with pcsv.CSVWriter(path, reader.schema) as w:
                    for batch in reader:
                        w.write_batch(batch)
            else:
                import pyarrow.parquet as pq
                with pq.ParquetWriter(path, reader.schema) as w:
                    for batch in reader:
                        w.write_batch(batch)
        finally:
            con.close()
        return path

    def potentials(self, role: str) -> pd.Series:
        """The role's potential of every valid molecule (for the histogram)."""
        if role not in self.roles:
            raise ConfigError(f"this run screened {', '.join(self.roles)}, not {role!r}")
        con = connect(self.dir, read_only=True)
        try:
            return con.execute(f'SELECT "{self.roles[role]}" AS e FROM molecules '
                               "WHERE valid").df()["e"]
        finally:
            con.close()


def find_runs(root: str | Path, depth: int = 4) -> dict[str, Path]:
    """``{id: folder}`` of every screening run (a ``results.duckdb``) under ``root``."""
    return find_marked(root, "results.duckdb", depth)
