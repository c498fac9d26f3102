"""Reading molecule tables: CSV/TSV (optionally gzipped), XLSX, Parquet and .smi files."""

from __future__ import annotations

import gzip
import re
import warnings
from pathlib import Path

import pandas as pd

from redoxscreen.chem import to_mol
from redoxscreen.runtime.errors import DataError

SMILES_NAMES = ("smiles", "smi", "canonical_smiles", "smiles_string", "isomeric_smiles")


def _suffixes(path: Path) -> str:
    name = path.name.lower()
    return name[:-3] if name.endswith(".gz") else name


def read_table(path: str | Path, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a molecule table into a DataFrame, whatever its format.

    Formats are chosen by extension: ``.csv``, ``.tsv``/``.tab``, ``.txt`` (sniffed delimiter),
    ``.xlsx``/``.xls``, ``.parquet``/``.pq``, ``.smi``/``.smiles`` (SMILES then an optional name,
    whitespace separated, optional header); ``.gz`` compression is accepted for text formats.
    A blank line of a text file is a row (with empty values), so row ``i`` of the frame is
    data record ``i + 1`` of the file and reports name the record a user can find.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found; check the path")
    if path.is_dir():
        raise DataError(f"{path}: is a directory; pass a table file (CSV, XLSX, Parquet, .smi)")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty; pass a table with a header and rows")
    name = _suffixes(path)
    try:
        try:
            df = _read_any(path, name, sheet, "utf-8")
        except UnicodeDecodeError:
            # older exports (e.g. Excel "CSV" on Windows) are Latin-1/cp1252: every byte decodes,
            # SMILES are ASCII either way; say so, since accented names may come out differently
            df = _read_any(path, name, sheet, "latin-1")
            warnings.warn(f"{path}: not UTF-8; read as Latin-1 (check accented text columns)",
                          stacklevel=2)
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"{path}: the file is empty; pass a table with a header and rows") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise DataError(f"{path}: cannot be read as a table ({exc}); check its format") from exc
    if len(df) == 0:
        raise DataError(f"{path}: the table has a header but no rows; add molecules to it")
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _read_any(path: Path, name: str, sheet: str | int | None, encoding: str) -> pd.DataFrame:
    if name.endswith((".parquet", ".pq")):
        return pd.read_parquet(path)
    if name.endswith((".xlsx", ".xls", ".xlsm")):
        return pd.read_excel(path, sheet_name=sheet if sheet is not None else 0)
    if name.endswith((".smi", ".smiles")):
        return _read_smi(path, encoding)
    sep = "\t" if name.endswith((".tsv", ".tab")) else "," if name.endswith(".csv") else None
    df = pd.read_csv(path, sep=sep, engine="python" if sep is None else "c",
                     encoding=encoding, skip_blank_lines=False, dtype=str)
    return df.apply(_numbers_if_lossless)


_LEADING_ZERO = re.compile(r"^[+-]?0\d")


def _numbers_if_lossless(col: pd.Series) -> pd.Series:
    """A text column as numbers only when nothing is lost: an identifier like ``007`` (found
    by a property test: pandas read it as 7) or a mixed column stays text; numeric-looking
    label cells with junk are left to the label check, which names the rows."""
    text = col.dropna().str.strip()
    text = text[text != ""]
    if text.empty or text.str.match(_LEADING_ZERO).any():
        return col
    values = pd.to_numeric(col.str.strip().replace("", None), errors="coerce")
    return values if values.notna().sum() == len(text) else col


def _read_smi(path: Path, encoding: str = "utf-8") -> pd.DataFrame:
    """A .smi file: one molecule a line, SMILES then an optional name; a blank line is an
    empty record."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    rows = []
    with opener(path, "rt", encoding=encoding) as fh:
        for line in fh:
            parts = line.split(maxsplit=1) or [""]
            rows.append((parts[0], parts[1].strip() if len(parts) > 1 else ""))
    if rows and rows[0][0].lower() in SMILES_NAMES:
        rows = rows[1:]
    df = pd.DataFrame(rows, columns=["smiles", "name"])
    return df if df["name"].astype(bool).any() else df[["smiles"]]


def detect_smiles_column(df: pd.DataFrame, source: str = "table") -> str:
    """Find the SMILES column by name, else by content (most values parse with RDKit)."""
    by_name = [c for c in df.columns if c.lower() in SMILES_NAMES]
    if len(by_name) == 1:
        return by_name[0]
    if len(by_name) > 1:
        raise DataError(
            f"{source}: several columns look like SMILES ({', '.join(by_name)}); "
            "choose one with --smiles-col"
        )
    candidates = [c for c in df.columns if "smiles" in c.lower()]
    if len(candidates) == 1:
        return candidates[0]
    sample = df.head(20)
    scores = {}
    for col in df.columns:
        values = sample[col].dropna()
        if len(values) == 0 or not all(isinstance(v, str) for v in values):
            continue
        scores[col] = sum(to_mol(v)[0] is not None for v in values) / len(values)
    good = [c for c, s in scores.items() if s >= 0.5]
    if len(good) == 1:
        if to_mol(str(good[0]))[0] is not None and len(str(good[0])) > 2:
            raise DataError(f"{source}: the first line looks like data ({good[0]!r} is a "
                            "molecule), not a header; add a header line, e.g. 'smiles,...'")
        return good[0]
    raise DataError(
        f"{source}: cannot tell which column holds SMILES (columns: {', '.join(df.columns)}); "
        "name it with --smiles-col"
    )

