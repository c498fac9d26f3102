"""Extended-connectivity (Morgan) fingerprints, bits or counts, via RDKit's generators."""

from __future__ import annotations

import scipy.sparse as sp
from rdkit import Chem
from rdkit.Chem import rdFingerprintGenerator

from redoxscreen.chem.smiles import SANITIZE_MORGAN
from redoxscreen.features.base import MolFeaturizer, csr_from_dicts


class ECFPFeaturizer(MolFeaturizer):
    """Folded Morgan fingerprint (ECFP2r) as a sparse matrix.

    Parameters
    ----------
    radius : Morgan radius (2 → ECFP4).
    n_bits : folded length.
    counts : occurrence counts instead of bits.
    chirality : include chirality in atom invariants.
    n_jobs : worker processes for SMILES input.
    """

    name = "ecfp"

    def __init__(self, radius: int = 2, n_bits: int = 2048, counts: bool = True,
                 chirality: bool = False, n_jobs: int = 1):
        self.radius = radius
        self.n_bits = n_bits
        self.counts = counts
        self.chirality = chirality
        self.n_jobs = n_jobs

    @property
    def n_features_out(self) -> int:
        return self.n_bits

    @property
    def sanitize_ops(self) -> Chem.SanitizeFlags | None:
        # Morgan invariants: element, degree, H count, charge, isotope, ring membership, bond
        # order/aromaticity — never conjugation, hybridisation or (without chirality) stereo
        return None if self.chirality else SANITIZE_MORGAN

    def feature_names(self) -> list[str]:
        kind = "count" if self.counts else "bit"
        return [f"ecfp{2 * self.radius}_{kind}_{i}" for i in range(self.n_bits)]

    def _featurize(self, mols: list[Chem.Mol]) -> sp.csr_matrix:
        gen = rdFingerprintGenerator.GetMorganGenerator(
            radius=self.radius, fpSize=self.n_bits, includeChirality=self.chirality
        )
        if self.counts:
            rows = [gen.GetCountFingerprint(m).GetNonzeroElements() for m in mols]
        else:
            rows = [dict.fromkeys(gen.GetFingerprint(m).GetOnBits(), 1.0) for m in mols]
        return csr_from_dicts(rows, self.n_bits)
