"""Reading property tables, cleaning them into a training set, unit conversion and CV splits.

Names are imported on first use, so ``redoxscreen.data.io`` (what a screen's reader needs)
does not bring scikit-learn's model selection with it.
"""

from __future__ import annotations

from redoxscreen.runtime.lazy import lazy_names

_WHERE = {
    "MoleculeTable": "clean",
    "TargetSpec": "clean",
    "prepare_table": "clean",
    "detect_smiles_column": "io",
    "read_table": "io",
    "kfold_splits": "splits",
    "make_splits": "splits",
    "scaffold_kfold_splits": "splits",
    "HARTREE_TO_EV": "units",
    "KCAL_PER_MOL_TO_EV": "units",
    "to_ev": "units",
}

__getattr__, __all__ = lazy_names(__name__, _WHERE)
