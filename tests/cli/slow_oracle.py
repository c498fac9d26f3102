"""A test oracle that looks labels up in a table, slowly, and logs every finished call: the
campaign kill test imports it into a CLI subprocess to count oracle calls across a kill -9."""

from __future__ import annotations

import os
import time

import pandas as pd

from redoxscreen.chem import canonicalize_smiles
from redoxscreen.oracle import ORACLES, OracleResult


@ORACLES.register("slowtable", reads="smiles", listed=False)
class SlowTableOracle:
    name = "slowtable"

    def __init__(self) -> None:
        df = pd.read_csv(os.environ["SLOW_ORACLE_TABLE"])
        keys = canonicalize_smiles(df["smiles"].tolist())[0]
        self.values = dict(zip(keys, zip(df["ie_ev"], df["ea_ev"], strict=True), strict=True))
        self.log = os.environ["SLOW_ORACLE_LOG"]
        self.delay = float(os.environ.get("SLOW_ORACLE_DELAY", "0"))

    def label(self, smiles: str) -> OracleResult:
        time.sleep(self.delay)
        ie, ea = self.values[smiles]
        with open(self.log, "a") as fh:
            fh.write(smiles + "\n")
        return OracleResult(smiles, float(ie), float(ea), method="slowtable")
