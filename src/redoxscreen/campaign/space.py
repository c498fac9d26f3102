"""The candidate space: molecules (SMILES, fingerprinted) or tabular rows (features from columns,
e.g. formulations × process conditions), each with a stable ``candidate_id`` and a ``key``
(canonical SMILES, or the id column) by which labels are matched."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from redoxscreen.chem import canonicalize_smiles
from redoxscreen.data.io import SMILES_NAMES, detect_smiles_column, read_table
from redoxscreen.features.cache import cached_transform
from redoxscreen.features.spec import make_featurizer
from redoxscreen.runtime.errors import DataError

ID_NAMES = ("id", "candidate", "name", "identifier")


@dataclass
class Rejected:
    """Candidate rows left out of the space, with the reason (written to a CSV, never silent)."""

    rows: pd.DataFrame

    def __len__(self) -> int:
        return len(self.rows)


def read_candidates(path: str | Path, *, smiles_col: str | None = None,
                    id_col: str | None = None, feature_cols: list[str] | None = None
                    ) -> tuple[pd.DataFrame, Rejected, dict]:
    """Candidates of ``path``: ``(table, rejected, description)``.

    With ``feature_cols`` (or no SMILES column but numeric columns) the space is tabular:
    ``key`` is the id column (else the 1-based row number) and features are those columns.
    Otherwise ``key`` is the canonical SMILES; invalid SMILES and repeats of a molecule are
    rejected with their row numbers."""
    df = read_table(path)
    src = Path(path).name
    id_col = id_col or next((c for c in df.columns if c.lower() in ID_NAMES), None)
    if id_col is not None and id_col not in df.columns:
        raise DataError(f"{src}: no column {id_col!r} (columns: {', '.join(df.columns)})")
    row = np.arange(1, len(df) + 1)
    tabular = bool(feature_cols)
    if not tabular and smiles_col is None and not any(c.lower() in SMILES_NAMES or "smiles" in
                                                      c.lower() for c in df.columns):
        numeric = [c for c in df.columns if c != id_col and pd.api.types.is_numeric_dtype(df[c])]
        if numeric and len(numeric) == len(df.columns) - (id_col is not None):
            tabular, feature_cols = True, numeric
    if tabular:
        missing = [c for c in feature_cols if c not in df.columns]
        if missing:
            raise DataError(f"{src}: no feature column(s) {', '.join(missing)} (columns: "
                            f"{', '.join(df.columns)})")
        feats = df[feature_cols].apply(pd.to_numeric, errors="coerce")
        key = (df[id_col].astype(str) if id_col else pd.Series(row.astype(str)))
        bad = feats.isna().any(axis=1).to_numpy()
        reason = np.where(bad, "a feature value is missing or not a number", "")
        dup = key.duplicated().to_numpy() & ~bad
        reason = np.where(dup, "repeats the id of an earlier row", reason)
        table = pd.DataFrame({"row": row, "key": key, "smiles": None,
                              "id": df[id_col].astype(str) if id_col else None})
        table = pd.concat([table, feats.add_prefix("f_")], axis=1)
        desc = {"kind": "tabular", "feature_columns": list(feature_cols), "id_column": id_col}
    else:
        smiles_col = smiles_col or detect_smiles_column(df, src)
        if smiles_col not in df.columns:
            raise DataError(f"{src}: no column {smiles_col!r} (columns: {', '.join(df.columns)})")
        canon, reasons = canonicalize_smiles(df[smiles_col].tolist())
        key = pd.Series(canon, dtype=object)
        reason = np.array([r if c is None else "" for c, r in zip(canon, reasons, strict=True)],
                          dtype=object)
        dup = key.duplicated().to_numpy() & key.notna().to_numpy()
        reason = np.where(dup, "the same molecule as an earlier row", reason)
        table = pd.DataFrame({"row": row, "key": key, "smiles": key,
                              "id": df[id_col].astype(str) if id_col else None})
        desc = {"kind": "molecules", "smiles_column": smiles_col, "id_column": id_col}
    keep = reason == ""
    rejected = pd.DataFrame({"row": row[~keep], "reason": reason[~keep]})
    table = table[keep].reset_index(drop=True)
    if table.empty:
        raise DataError(f"{src}: no usable candidate ({len(rejected)} rows rejected; first: "
                        f"row {rejected['row'].iloc[0]}: {rejected['reason'].iloc[0]})")
    table.insert(0, "candidate_id", np.arange(len(table), dtype=np.int64))
    return table, Rejected(rejected), desc


def candidate_features(table: pd.DataFrame, desc: dict, featurizer: str, cache_dir: Path,
                       n_jobs: int = 1) -> object:
    """Feature matrix of every candidate, in candidate_id order: fingerprints of the molecules
    (cached in ``cache_dir`` by featurizer and candidate list) or the tabular columns."""
    if desc["kind"] == "tabular":
        return table[[c for c in table.columns if c.startswith("f_")]].to_numpy(float)
    return cached_transform(make_featurizer(featurizer, n_jobs=n_jobs),
                            table["smiles"].tolist(), cache_dir)


def match_keys(table: pd.DataFrame, df: pd.DataFrame, source: str, molecular: bool
               ) -> tuple[np.ndarray, pd.DataFrame]:
    """Candidate ids of the rows of ``df`` (a results or labels file), matched by a
    ``candidate_id`` column, else canonical SMILES, else the id column; ``-1`` and a report of
    the rows that match nothing."""
    cols = {c.lower(): c for c in df.columns}
    if "candidate_id" in cols:
        wanted = pd.to_numeric(df[cols["candidate_id"]], errors="coerce")
        known = set(table["candidate_id"])
        ids = np.array([int(v) if pd.notna(v) and int(v) in known else -1 for v in wanted])
        how = "candidate_id"
    elif molecular and any(c in cols for c in SMILES_NAMES):
        col = next(cols[c] for c in SMILES_NAMES if c in cols)
        canon, _ = canonicalize_smiles(df[col].tolist())
        lookup = dict(zip(table["key"], table["candidate_id"], strict=True))
        ids = np.array([lookup.get(c, -1) if c is not None else -1 for c in canon])
        how = f"SMILES column {col!r}"
    else:
        col = next((cols[c] for c in ID_NAMES if c in cols), None)
        if col is None:
            raise DataError(f"{source}: no candidate_id, SMILES or id column to match rows to "
                            f"candidates (columns: {', '.join(df.columns)})")
        lookup = dict(zip(table["key"].astype(str), table["candidate_id"], strict=True))
        ids = np.array([lookup.get(str(v), -1) for v in df[col]])
        how = f"id column {col!r}"
    unmatched = df[ids < 0].copy()
    unmatched.insert(0, "row", np.flatnonzero(ids < 0) + 1)
    if len(unmatched):
        warnings.warn(f"{source}: {len(unmatched)} row(s) match no candidate by {how} (first: "
                      f"row {unmatched['row'].iloc[0]})", stacklevel=2)
    return ids, unmatched
