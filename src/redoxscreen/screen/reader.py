"""Streaming a molecule library in chunks: CSV/TSV/SMI (optionally gzipped) and Parquet.

Only the SMILES column (and an id/name column when there is one) is read, so memory depends on
the chunk size, never on the library size. Every record becomes a row, blank lines included
(they come back invalid, "empty SMILES"), so a result's ``row`` — the 1-based number of the
record in the file, a header line not counted — always points at its input.
"""

from __future__ import annotations

import csv
import gzip
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from redoxscreen.data.io import SMILES_NAMES, detect_smiles_column
from redoxscreen.runtime.errors import DataError

ID_NAMES = ("id", "name", "identifier", "compound_id", "mol_id", "zinc_id")


@dataclass
class Chunk:
    """Consecutive records; ``first_row`` is the 1-based record number of the first."""

    index: int
    first_row: int
    smiles: list[str]
    ids: list[str] | None


def _kind(path: Path) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".smi", ".smiles")):
        return "smi"
    if name.endswith((".tsv", ".tab")):
        return "tsv"
    if name.endswith((".csv", ".txt")):
        return "csv"
    raise DataError(f"{path}: unknown library format; use .csv, .tsv, .smi or .parquet "
                    "(optionally .gz)")


def _columns(header: pd.DataFrame, smiles_col: str | None, source: str) -> tuple[str, str | None]:
    col = smiles_col or detect_smiles_column(header, source=source)
    if col not in header.columns:
        raise DataError(f"{source}: no column {col!r} (columns: {', '.join(header.columns)})")
    ids = [c for c in header.columns if c.lower() in ID_NAMES and c != col]
    return col, ids[0] if ids else None


def iter_chunks(path: str | Path, chunk_size: int = 20000,
                smiles_col: str | None = None) -> Iterator[Chunk]:
    """Yield consecutive chunks of a library; their ``index`` is stable across runs."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: library file not found")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the library file is empty")
    kind = _kind(path)
    if kind == "parquet":
        pf = pq.ParquetFile(path)
        header = pf.schema_arrow.empty_table().to_pandas()
        head = next(pf.iter_batches(batch_size=20), None)
        if head is not None:
            header = head.to_pandas()
        col, id_col = _columns(header, smiles_col, str(path))
        cols = [col] + ([id_col] if id_col else [])
        start = 1
        for i, batch in enumerate(pf.iter_batches(batch_size=chunk_size, columns=cols)):
            df = batch.to_pandas()
            yield _chunk(i, start, df, col, id_col)
            start += len(df)
        return
    if kind == "smi":
        reader = pd.read_csv(path, header=None, names=["line"], sep="\x1f", dtype=str,
                             quoting=csv.QUOTE_NONE, chunksize=chunk_size,
                             skip_blank_lines=False, keep_default_na=False,
                             skiprows=1 if _smi_has_header(path) else 0)
        start = 1
        for i, df in enumerate(reader):
            parts = df["line"].str.strip().str.split(n=1, expand=True)
            ids = parts[1].fillna("").tolist() if parts.shape[1] > 1 else None
            yield Chunk(i, start, parts[0].fillna("").tolist(), ids)
            start += len(df)
        return
    sep = "\t" if kind == "tsv" else ","
    encoding = _encoding(path)
    try:
        header = pd.read_csv(path, sep=sep, nrows=20, dtype=str, encoding=encoding)
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"{path}: the library file is empty") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"{path}: cannot be read as a table ({_first_line(exc)}); check "
                        "its format (a CSV with a SMILES column, or .smi)") from exc
    col, id_col = _columns(header, smiles_col, str(path))
    cols = [col] + ([id_col] if id_col else [])
    reader = pd.read_csv(path, sep=sep, usecols=cols, dtype=str, chunksize=chunk_size,
                         keep_default_na=False, skip_blank_lines=False, encoding=encoding)
    start = 1
    try:
        for i, df in enumerate(reader):
            yield _chunk(i, start, df, col, id_col)
            start += len(df)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:  # chunks before it are kept
        raise DataError(f"{path}: cannot be read after record {start - 1} "
                        f"({_first_line(exc)}); fix the file there (or re-save it as UTF-8) "
                        "and run the same command again: finished chunks are kept") from exc


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _encoding(path: Path) -> str:
    """UTF-8 unless the first MB does not decode (then Latin-1, where every byte decodes,
    with a warning): what Excel's "CSV" exports on Windows are."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        head = fh.read(1 << 20)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the 1 MB boundary
            warnings.warn(f"{path}: not UTF-8; read as Latin-1 (check accented text columns)",
                          stacklevel=3)
            return "latin-1"
    return "utf-8"


def _smi_has_header(path: Path) -> bool:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt") as fh:
        first = fh.readline().split()
    return bool(first) and first[0].lower() in SMILES_NAMES


def _chunk(i: int, start: int, df: pd.DataFrame, col: str, id_col: str | None) -> Chunk:
    ids = df[id_col].astype(str).tolist() if id_col else None
    return Chunk(i, start, df[col].fillna("").astype(str).tolist(), ids)
