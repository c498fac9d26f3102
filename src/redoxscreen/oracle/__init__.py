"""Physics labellers behind one interface: ``label(smiles) -> IE, EA, status``."""

from redoxscreen.oracle.base import ORACLES, Oracle, OracleResult, label_many
from redoxscreen.oracle.xtb import IPEA_SHIFT_EV, XTBOracle

__all__ = ["IPEA_SHIFT_EV", "ORACLES", "Oracle", "OracleResult", "XTBOracle", "label_many"]
