"""Toy dataset for tests: aromatic molecules with labels that are a known function of their
Hückel frontier energies plus small seeded noise (a model that learns anything beats the mean)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rdkit import Chem

from redoxscreen.features.conjugation import FEATURE_NAMES, conjugation_descriptors

CORES = ["c1cc({a})ccc1{b}", "c1ccc2cc({a})ccc2c1{b}", "c1cc({a})ncc1{b}", "c1cc({a})sc1{b}"]
GROUPS = ["[H]", "C", "O", "N", "F", "Cl", "C#N", "C(=O)O", "OC", "C(F)(F)F", "N(C)C",
          "[N+](=O)[O-]"]


def toy_smiles() -> list[str]:
    out = []
    for core in CORES:
        for a in GROUPS:
            for b in GROUPS:
                mol = Chem.MolFromSmiles(core.format(a=a, b=b))
                if mol is not None:
                    out.append(Chem.MolToSmiles(mol))
    return sorted(set(out))


def toy_frame(seed: int = 0) -> pd.DataFrame:
    smiles = toy_smiles()
    rng = np.random.default_rng(seed)
    d = np.array([conjugation_descriptors(Chem.MolFromSmiles(s)) for s in smiles])
    homo, lumo = d[:, FEATURE_NAMES.index("hmo_homo")], d[:, FEATURE_NAMES.index("hmo_lumo")]
    vie = 9.0 + 2.5 * homo + rng.normal(0, 0.05, len(smiles))
    ea = 0.5 - 2.0 * lumo + rng.normal(0, 0.05, len(smiles))
    return pd.DataFrame({"id": [f"m{i}" for i in range(len(smiles))], "smiles": smiles,
                         "vie": vie, "vea": -ea})
