"""Electrolyte solvents and current collectors: stability limits with a source per row."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from redoxscreen.electrochem.scales import SHE_ABSOLUTE_V, convert_potential
from redoxscreen.runtime.errors import ConfigError


@lru_cache(maxsize=1)
def window_table() -> pd.DataFrame:
    """The packaged ``windows.csv`` (one row per solvent or collector)."""
    with resources.files("redoxscreen.electrochem").joinpath("windows.csv").open() as fh:
        return pd.read_csv(fh)


def _lookup(name: str, kind: str) -> pd.Series:
    table = window_table()
    table = table[table["kind"] == kind]
    key = name.strip().lower()
    for _, row in table.iterrows():
        names = [row["name"].lower()] + [a.lower() for a in str(row["aliases"]).split(";")
                                         if a and a != "nan"]
        if key in names:
            return row
    known = ", ".join(table["name"])
    raise ConfigError(f"unknown {kind} {name!r}; known: {known} (see 'redoxscreen solvents')")


def solvent_name(name: str) -> str:
    """The table's name of a solvent given by name or alias (``MeCN`` → ``acetonitrile``)."""
    return str(_lookup(name, "solvent")["name"])


@dataclass(frozen=True)
class Window:
    """Usable potential range (V on ``scale``); ``None`` limits are open."""

    low_v: float
    high_v: float
    scale: str
    sources: tuple[str, ...]

    def contains(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        return (np.asarray(lo) >= self.low_v) & (np.asarray(hi) <= self.high_v)


def stability_window(solvent: str, collector: str | None = None, scale: str = "vs_li",
                     she_absolute_v: float = SHE_ABSOLUTE_V) -> Window:
    """Intersection of a solvent's window and a current collector's limits, on ``scale``."""
    rows = [_lookup(solvent, "solvent")]
    if collector:
        rows.append(_lookup(collector, "collector"))
    low, high = -np.inf, np.inf
    for row in rows:
        for col, pick in (("reduction_limit_v", max), ("oxidation_limit_v", min)):
            if pd.notna(row[col]):
                v = convert_potential(float(row[col]), row["scale"], scale, she_absolute_v)
                if col.startswith("reduction"):
                    low = pick(low, v)
                else:
                    high = pick(high, v)
    if low >= high:
        raise ConfigError(f"{solvent} with {collector} leaves no usable window "
                          f"({low:.2f}–{high:.2f} V {scale})")
    return Window(float(low), float(high), scale, tuple(r["source"] for r in rows))
