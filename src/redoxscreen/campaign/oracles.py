"""Who labels a batch: ``xtb`` (or any registered physics oracle), ``table:PATH:COLUMN[,COLUMN]``
(labels looked up by canonical SMILES or id: retrospective benchmarks, labels computed
elsewhere) and ``export`` (the batch goes to a CSV for the lab or a DFT queue; ``campaign
import`` reads the results back)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from redoxscreen.campaign.space import match_keys
from redoxscreen.data.io import read_table
from redoxscreen.oracle import ORACLES
from redoxscreen.oracle.base import build_oracle, iter_labels
from redoxscreen.runtime.errors import ConfigError, DataError


@dataclass
class Label:
    """One oracle answer for one candidate: values by target, or a failure and its reason."""

    candidate_id: int
    values: dict[str, float]
    status: str = "ok"
    reason: str = ""
    seconds: float = 0.0


class PhysicsOracle:
    """A registered per-molecule labeller run in worker processes: xTB gives ``ie_ev`` and
    ``ea_ev`` (and ``e_ox_v_li``, ``e_red_v_li`` in solution: ``xtb:solvent=acetonitrile``)."""

    needs_smiles = True

    def __init__(self, name: str, settings: dict | None = None, n_workers: int = 1):
        self.oracle = build_oracle(name, dict(settings or {}))
        self.targets = tuple(getattr(self.oracle, "targets", ("ie_ev", "ea_ev")))
        self.spec = name
        self.source = getattr(self.oracle, "name", name)
        self.fidelity = self.source
        self.n_workers = n_workers

    def label(self, batch: pd.DataFrame) -> Iterator[Label]:
        ids = dict(zip(batch["smiles"], batch["candidate_id"], strict=True))
        for res in iter_labels(self.oracle, list(ids), n_workers=self.n_workers):
            yield Label(int(ids[res.smiles]), res.values(), res.status, res.reason, res.seconds)


class TableOracle:
    """Labels looked up in a table; a candidate the table lacks is an error naming it."""

    def __init__(self, path: str | Path, columns: list[str], candidates: pd.DataFrame,
                 molecular: bool):
        path = Path(path)
        df = read_table(path)
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise DataError(f"{path.name}: no column {', '.join(missing)} for the table oracle "
                            f"(columns: {', '.join(df.columns)})")
        ids, _ = match_keys(candidates, df, path.name, molecular)
        values = df[columns].apply(pd.to_numeric, errors="coerce")
        values["candidate_id"] = ids
        values = values[ids >= 0]
        n_rep = int(values["candidate_id"].duplicated().sum())
        if n_rep:
            warnings.warn(f"{path.name}: {n_rep} row(s) repeat a molecule; their labels are "
                          "averaged", stacklevel=2)
        self.values = values.groupby("candidate_id")[columns].mean()
        self.targets = tuple(columns)
        self.spec = f"table:{path}:{','.join(columns)}"
        self.source = f"table:{path.name}"
        self.fidelity = f"table:{path.name}"

    def label(self, batch: pd.DataFrame) -> Iterator[Label]:
        absent = batch[~batch["candidate_id"].isin(self.values.index)]
        if len(absent):
            first = absent.iloc[0]
            raise DataError(f"{self.source}: {len(absent)} proposed candidate(s) are not in the "
                            f"table, e.g. candidate {first['candidate_id']} ({first['key']}); "
                            "add them or use another oracle")
        for cid in batch["candidate_id"]:
            row = self.values.loc[int(cid)]
            vals = {t: float(row[t]) for t in self.targets if np.isfinite(row[t])}
            gone = [t for t in self.targets if t not in vals]
            yield (Label(int(cid), vals) if not gone else
                   Label(int(cid), vals, "failed", f"no value of {', '.join(gone)} in the table"))


def make_oracle(spec: str, candidates: pd.DataFrame, molecular: bool, n_workers: int = 1
                ) -> PhysicsOracle | TableOracle | None:
    """The oracle of ``--oracle SPEC``; ``None`` for ``export``."""
    spec = spec.strip()
    if spec == "export":
        return None
    if spec.startswith("table:"):
        path, sep, cols = spec[len("table:"):].rpartition(":")
        if not (sep and path and cols):
            raise ConfigError(f"--oracle {spec!r}: write table:PATH:COLUMN (several columns "
                              "separated by commas), e.g. table:dft.csv:ea_ev")
        return TableOracle(path, [c.strip() for c in cols.split(",") if c.strip()],
                           candidates, molecular)
    if spec.partition(":")[0] not in ORACLES:
        raise ConfigError(f"unknown oracle {spec.partition(':')[0]!r}; use "
                          f"{', '.join(ORACLES.names())}[:key=value,...], table:PATH:COLUMN or "
                          "export")
    return PhysicsOracle(*ORACLES.parse_spec(spec), n_workers=n_workers)

