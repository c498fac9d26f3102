r"""What a model was trained on: the molecules' elements, charges, sizes and fingerprints.

Design (and the applicability domain) ask of a new molecule how close it is to the training
set: the largest Tanimoto similarity of its Morgan fingerprint (radius 2, 2048 bits) to any
training molecule,

.. math:: s_\max(m) = \max_i \frac{|F_m \cap F_i|}{|F_m \cup F_i|}.

The index is built from the training SMILES saved with the model (``oof.csv``), so any saved
model has one; nothing is pickled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rdkit import Chem, DataStructs
from rdkit.Chem import rdFingerprintGenerator

FP_RADIUS, FP_BITS = 2, 2048


def _generator():  # one per call: RDKit generators are not picklable across processes
    return rdFingerprintGenerator.GetMorganGenerator(radius=FP_RADIUS, fpSize=FP_BITS)


def fingerprints(mols: Sequence[Chem.Mol]) -> list:
    """Morgan bit vectors (radius 2, 2048 bits) of ``mols``."""
    gen = _generator()
    return [gen.GetFingerprint(m) for m in mols]


def mol_charge(mol: Chem.Mol) -> int:
    return int(sum(a.GetFormalCharge() for a in mol.GetAtoms()))


def mol_radicals(mol: Chem.Mol) -> int:
    return int(sum(a.GetNumRadicalElectrons() for a in mol.GetAtoms()))


@dataclass
class TrainingIndex:
    """The training molecules' fingerprints and ranges (element set, net charge, unpaired
    electrons, heavy atoms)."""

    smiles: list[str]
    fps: list
    elements: frozenset[str]
    charge_range: tuple[int, int]
    radical_range: tuple[int, int]
    heavy_range: tuple[int, int]

    @classmethod
    def from_smiles(cls, smiles: Sequence[str]) -> TrainingIndex:
        pairs = [(s, m) for s in dict.fromkeys(smiles)
                 if (m := Chem.MolFromSmiles(str(s))) is not None]
        if not pairs:
            raise ValueError("no valid training SMILES to index")
        keep, mols = [p[0] for p in pairs], [p[1] for p in pairs]
        charges = [mol_charge(m) for m in mols]
        radicals = [mol_radicals(m) for m in mols]
        heavy = [m.GetNumHeavyAtoms() for m in mols]
        elements = frozenset(a.GetSymbol() for m in mols for a in m.GetAtoms()) | {"H"}
        return cls(keep, fingerprints(mols), elements, (min(charges), max(charges)),
                   (min(radicals), max(radicals)), (min(heavy), max(heavy)))

    def __len__(self) -> int:
        return len(self.smiles)

    def nearest(self, mols: Sequence[Chem.Mol]) -> tuple[np.ndarray, list[str]]:
        """Largest Tanimoto similarity to a training molecule and that molecule, per query."""
        sims = np.empty(len(mols))
        names = []
        for i, fp in enumerate(fingerprints(mols)):
            row = np.asarray(DataStructs.BulkTanimotoSimilarity(fp, self.fps))
            j = int(row.argmax())
            sims[i] = row[j]
            names.append(self.smiles[j])
        return sims, names

    def describe(self) -> dict:
        return {"molecules": len(self), "elements": sorted(self.elements),
                "charge_range": list(self.charge_range),
                "radical_range": list(self.radical_range),
                "heavy_range": list(self.heavy_range),
                "fingerprint": f"Morgan r={FP_RADIUS} {FP_BITS} bits, Tanimoto"}
