"""Reading property tables, cleaning them into a training set, unit conversion and CV splits."""

from redoxscreen.data.clean import MoleculeTable, TargetSpec, prepare_table
from redoxscreen.data.io import detect_smiles_column, read_table
from redoxscreen.data.splits import kfold_splits, make_splits, scaffold_kfold_splits
from redoxscreen.data.units import HARTREE_TO_EV, KCAL_PER_MOL_TO_EV, to_ev

__all__ = [
    "HARTREE_TO_EV",
    "KCAL_PER_MOL_TO_EV",
    "MoleculeTable",
    "TargetSpec",
    "detect_smiles_column",
    "kfold_splits",
    "make_splits",
    "prepare_table",
    "read_table",
    "scaffold_kfold_splits",
    "to_ev",
]
