"""From a raw table to a clean training set: canonical SMILES, numeric targets, merged duplicates.

Nothing is dropped silently: every invalid, unlabeled or merged row, and every label that is not
a finite number (``inf``, ``-inf``, ``1e400``: masked like a missing label), lands in
``MoleculeTable.report`` with its 1-based data-row number (the header is not counted) and
the reason.
"""

from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from redoxscreen.chem.standardize import Standardizer, standardize_smiles
from redoxscreen.data.units import is_energy_unit, to_ev
from redoxscreen.runtime.errors import ConfigError, DataError

_SPEC = re.compile(
    r"^\s*(?:(?P<name>[^=]+?)\s*=\s*)?(?P<sign>-)?\s*(?P<col>[^:=]+?)\s*(?::\s*(?P<unit>.+))?$"
)


@dataclass(frozen=True)
class TargetSpec:
    """One learning target: ``name`` taken from ``column``, times ``sign``, converted from ``unit``.

    The command-line form is ``NAME=[-]COLUMN[:UNIT]``; ``NAME=`` and ``:UNIT`` are optional.
    OCELOT stores ``vea`` = E(anion) − E(neutral); the conventional electron affinity is its
    negative, so ``ea=-vea`` gives EA in eV with the usual sign (bound anion → EA > 0).
    """

    name: str
    column: str
    sign: float = 1.0
    unit: str = "ev"

    @classmethod
    def parse(cls, text: str) -> TargetSpec:
        m = _SPEC.match(text)
        if not m or not m.group("col"):
            raise ConfigError(
                f"cannot read target {text!r}; write NAME=[-]COLUMN[:UNIT], e.g. 'vie' or 'ea=-vea'"
            )
        col = m.group("col").strip()
        return cls(
            name=(m.group("name") or col).strip(),
            column=col,
            sign=-1.0 if m.group("sign") else 1.0,
            unit=(m.group("unit") or "ev").strip(),
        )

    def to_text(self) -> str:
        sign = "-" if self.sign < 0 else ""
        return f"{self.name}={sign}{self.column}:{self.unit}"


@dataclass
class MoleculeTable:
    """A cleaned dataset: one row per unique canonical SMILES.

    Attributes
    ----------
    smiles : canonical SMILES, unique.
    y : (n, n_targets) float array in eV (NaN = missing label, masked in training).
    targets : target names, in column order of ``y``.
    rows : for each molecule, the 1-based source row numbers merged into it.
    report : every row that was dropped or merged, with ``row``, ``smiles``, ``action``, ``reason``.
    source : where the data came from (named in error messages).
    """

    smiles: list[str]
    y: np.ndarray
    targets: list[str]
    rows: list[list[int]]
    report: pd.DataFrame = field(default_factory=pd.DataFrame)
    source: str = "table"

    def __len__(self) -> int:
        return len(self.smiles)

    def data_hash(self) -> str:
        """SHA-256 over canonical SMILES and labels: identifies the training data of a model."""
        h = hashlib.sha256()
        h.update("\n".join(self.smiles).encode())
        h.update(",".join(self.targets).encode())
        h.update(np.ascontiguousarray(np.round(self.y, 10)).tobytes())
        return h.hexdigest()


def numeric_column(df: pd.DataFrame, col: str, source: str) -> np.ndarray:
    """A numeric column; non-numeric cells are an error naming their rows (empty = NaN)."""
    raw = df[col]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    if bad.any():
        idx = np.flatnonzero(bad.to_numpy())
        shown = ", ".join(f"row {i + 1} ({raw.iloc[i]!r})" for i in idx[:5])
        more = f" and {len(idx) - 5} more" if len(idx) > 5 else ""
        raise DataError(
            f"{source}: column {col!r} has non-numeric labels at {shown}{more}; "
            "fix those cells or leave them empty (empty labels are masked)"
        )
    return values.to_numpy(dtype=float)


def prepare_table(
    df: pd.DataFrame,
    smiles_col: str,
    targets: list[TargetSpec],
    *,
    source: str = "table",
    dedupe_tolerance: float = 0.1,
    standardizer: Standardizer | None = None,
) -> MoleculeTable:
    """Standardise (when given a :class:`Standardizer`), canonicalise, read targets, report
    bad rows and merge duplicates (mean of labels). A standardised row is reported with
    ``action`` ``standardized`` and what changed.

    Duplicates whose labels disagree by more than ``dedupe_tolerance`` (in eV) are still merged
    but raise a warning and are flagged in the report.
    """
    if smiles_col not in df.columns:
        raise DataError(
            f"{source}: no column {smiles_col!r} (columns: {', '.join(df.columns)}); "
            "fix --smiles-col"
        )
    if not targets:
        raise ConfigError("no target given; pass at least one --target COLUMN")
    missing = [t.column for t in targets if t.column not in df.columns]
    if missing:
        raise DataError(
            f"{source}: no column {', '.join(map(repr, missing))} (columns: "
            f"{', '.join(df.columns)}); fix --target"
        )
    names = [t.name for t in targets]
    if len(set(names)) != len(names):
        raise ConfigError(f"target names repeat ({', '.join(names)}); give each a distinct NAME=")

    y = np.column_stack(
        [t.sign * to_ev(numeric_column(df, t.column, source), t.unit) for t in targets]
    )
    report: list[dict] = []
    infinite = np.isinf(y)
    for i, j in zip(*np.nonzero(infinite), strict=True):
        report.append({"row": int(i) + 1, "smiles": df[smiles_col].iloc[i], "action": "masked",
                       "reason": f"label {df[targets[j].column].iloc[i]} in column "
                                 f"{targets[j].column!r} is not a finite number"})
    if report:
        warnings.warn(f"{source}: {len(report)} labels are not finite numbers (first: row "
                      f"{report[0]['row']}); they are masked like missing labels (see the "
                      "invalid-rows report)", stacklevel=2)
        y[infinite] = np.nan
    canon, reasons, changes = standardize_smiles(df[smiles_col].tolist(), standardizer)
    keep = []
    for i, (c, reason) in enumerate(zip(canon, reasons, strict=True)):
        raw = df[smiles_col].iloc[i]
        if changes[i]:
            report.append({"row": i + 1, "smiles": raw, "action": "standardized",
                           "reason": changes[i]})
        if c is None:
            report.append({"row": i + 1, "smiles": raw, "action": "dropped", "reason": reason})
        elif np.isnan(y[i]).all():
            what = "finite label" if infinite[i].any() else "label"
            report.append({"row": i + 1, "smiles": raw, "action": "dropped",
                           "reason": f"no {what} in {', '.join(t.column for t in targets)}"})
        else:
            keep.append(i)
    if not keep:
        n_invalid = sum(c is None for c in canon)
        what = "valid SMILES" if n_invalid == len(df) else "valid, labelled molecules"
        raise DataError(
            f"{source}: none of the {len(df)} rows holds {what} "
            f"(first problem: row {report[0]['row']}: {report[0]['reason']}); "
            f"check column {smiles_col!r} and the target columns"
        )

    kept = pd.DataFrame(y[keep], columns=names)
    kept["_smiles"] = [canon[i] for i in keep]
    kept["_row"] = [i + 1 for i in keep]
    groups = kept.groupby("_smiles", sort=False)
    smiles, rows, ys = [], [], []
    n_conflicts = 0
    unit = "eV" if all(is_energy_unit(t.unit) for t in targets) else "label units"
    for smi, g in groups:
        smiles.append(smi)
        rows.append(g["_row"].tolist())
        vals = g[names].to_numpy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN column of a duplicate
            ys.append(np.nanmean(vals, axis=0))
            spread = np.nanmax(vals, axis=0) - np.nanmin(vals, axis=0) if len(g) > 1 else None
        if len(g) > 1:
            worst = float(np.nanmax(spread)) if np.isfinite(spread).any() else 0.0
            conflict = worst > dedupe_tolerance
            n_conflicts += conflict
            for r in g["_row"].iloc[1:]:
                report.append({
                    "row": int(r), "smiles": df[smiles_col].iloc[r - 1], "action": "merged",
                    "reason": f"duplicate of row {g['_row'].iloc[0]} (labels averaged"
                    + (f"; they disagree by {worst:.3g} {unit} > {dedupe_tolerance})" if conflict
                       else ")"),
                })
    if n_conflicts:
        warnings.warn(
            f"{source}: {n_conflicts} duplicated molecules have labels disagreeing by more than "
            f"{dedupe_tolerance} {unit}; they were averaged (see the invalid-rows report)",
            stacklevel=2,
        )
    rep = pd.DataFrame(report, columns=["row", "smiles", "action", "reason"])
    rep = rep.sort_values("row", kind="stable").reset_index(drop=True)
    return MoleculeTable(smiles=smiles, y=np.asarray(ys, dtype=float), targets=names, rows=rows,
                         report=rep, source=source)
