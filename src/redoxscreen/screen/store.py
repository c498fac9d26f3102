"""The results store of a screening run: DuckDB database, one Parquet file, top-N CSVs.

Column names come from :mod:`redoxscreen.screen.schema`, never from string surgery here.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from redoxscreen.electrochem import ROLES
from redoxscreen.screen.schema import bound_columns, outcome_column, potential_column
from redoxscreen.screen.settings import ScreenSettings


def connect(out: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(out / "results.duckdb"), read_only=read_only)
    con.execute("SET memory_limit='512MB'")
    con.execute("SET preserve_insertion_order=false")
    return con


def finalize_store(out: Path, settings: ScreenSettings) -> dict:
    """Build ``results.duckdb`` (table ``molecules``), ``results.parquet`` and top-N CSVs."""
    parts = str(out / "parts" / "chunk-*.parquet")
    db = out / "results.duckdb"
    if db.exists():
        db.unlink()
    con = connect(out)
    try:
        # union_by_name: a chunk of a .smi file without any names has no id column. Not
        # sorted: every query orders what it returns, ties broken by row (1M rows: 0.6 s
        # less, the same query times)
        con.execute(f"CREATE TABLE molecules AS SELECT * FROM read_parquet('{parts}', "
                    "union_by_name=true)")
        # in input order: without preserve_insertion_order DuckDB writes in any order
        con.execute(f"COPY (SELECT * FROM molecules ORDER BY row) TO "
                    f"'{out / 'results.parquet'}' (FORMAT parquet)")
        total, valid = con.execute("SELECT count(*), count(*) FILTER (WHERE valid) "
                                   "FROM molecules").fetchone()
        summary: dict = {"molecules": int(total), "valid": int(valid),
                         "invalid": int(total - valid), "roles": {}}
        summary["domain"] = {str(k): int(n) for k, n in con.execute(
            "SELECT domain, count(*) FROM molecules WHERE valid GROUP BY domain").fetchall()}
        for role in settings.roles:
            col = potential_column(role, settings.scale)
            order = "DESC" if ROLES[role].higher_is_better else "ASC"
            win, band, ok, p = (outcome_column(role, o)
                                for o in ("in_window", "in_band", "pass", "p_window"))
            n_win, n_band, n_pass = con.execute(
                f"SELECT count(*) FILTER (WHERE {win}), count(*) FILTER (WHERE {band}), "
                f"count(*) FILTER (WHERE {ok}) FROM molecules").fetchone()
            summary["roles"][role] = {"potential_column": col, "in_window": int(n_win),
                                      "in_band": int(n_band), "pass": int(n_pass)}
            top = con.execute(
                f"SELECT *, row_number() OVER (ORDER BY {col} {order}, row) AS rank_voltage, "
                f"row_number() OVER (ORDER BY {p} DESC, {col} {order}, row) "
                f"AS rank_probability FROM molecules WHERE {ok} "
                f"ORDER BY rank_voltage LIMIT {int(settings.top_n)}").df()
            top.to_csv(out / f"top_{role}.csv", index=False)
        if {"cathode", "anode"} <= set(settings.roles):
            k = min(settings.top_n, 50)
            c_col, a_col = (potential_column(r, settings.scale) for r in ("cathode", "anode"))
            c_ok, a_ok = (outcome_column(r, "pass") for r in ("cathode", "anode"))
            pairs = con.execute(
                f"WITH c AS (SELECT row, smiles, {c_col} FROM molecules WHERE {c_ok} "
                f"ORDER BY {c_col} DESC, row LIMIT {k}), a AS (SELECT row, smiles, {a_col} FROM "
                f"molecules WHERE {a_ok} ORDER BY {a_col} ASC, row LIMIT {k}) "
                f"SELECT c.row AS cathode_row, c.smiles AS cathode_smiles, c.{c_col} AS "
                f"cathode_{c_col}, a.row AS anode_row, a.smiles AS anode_smiles, a.{a_col} AS "
                f"anode_{a_col}, c.{c_col} - a.{a_col} AS cell_voltage_v FROM c, a "
                f"WHERE c.row <> a.row ORDER BY cell_voltage_v DESC, c.row, a.row LIMIT {k}").df()
            pairs.to_csv(out / "top_pairs.csv", index=False)
            summary["best_cell_voltage_v"] = (float(pairs["cell_voltage_v"].iloc[0])
                                              if len(pairs) else None)
    finally:
        con.close()
    return summary


def potentials(out: Path, role: str, scale: str) -> tuple:
    """Potential, half-width and pass flags of all valid molecules (for the report plots)."""
    col, (lo, _) = potential_column(role, scale), bound_columns(role, scale)
    con = connect(out, read_only=True)
    try:
        df = con.execute(f"SELECT {col} AS e, {col} - {lo} AS h, "
                         f"{outcome_column(role, 'pass')} AS passed "
                         f"FROM molecules WHERE valid").df()
    finally:
        con.close()
    return df["e"].to_numpy(), df["h"].to_numpy(), df["passed"].to_numpy()
