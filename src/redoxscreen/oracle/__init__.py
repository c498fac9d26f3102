"""Physics labellers behind one interface: ``label(smiles) -> IE, EA, status``."""

from redoxscreen.oracle.base import Oracle, OracleResult, label_many
from redoxscreen.oracle.xtb import IPEA_SHIFT_EV, XTBOracle

ORACLES = {"xtb": XTBOracle}

__all__ = ["IPEA_SHIFT_EV", "ORACLES", "Oracle", "OracleResult", "XTBOracle", "label_many"]
