"""Extended-connectivity (Morgan) fingerprints, bits or counts, via RDKit's generators."""

from __future__ import annotations

from rdkit import Chem
from rdkit.Chem import rdFingerprintGenerator

from redoxscreen.chem.smiles import SANITIZE_MORGAN
from redoxscreen.features.base import register_featurizer
from redoxscreen.features.fingerprints import HASHED_FLAGS, HashedFingerprint


@register_featurizer("ecfp", aliases={"r": "radius", "bits": "n_bits"},
                     flags={**HASHED_FLAGS, "chirality": ("chirality", True)})
class ECFPFeaturizer(HashedFingerprint):
    """Folded Morgan fingerprint (ECFP2r) as a sparse matrix.

    Parameters
    ----------
    radius : Morgan radius (2 → ECFP4).
    n_bits : folded length.
    counts : occurrence counts instead of bits.
    chirality : include chirality in atom invariants.
    n_jobs : worker processes for SMILES input.
    """

    def __init__(self, radius: int = 2, n_bits: int = 2048, counts: bool = True,
                 chirality: bool = False, n_jobs: int = 1):
        super().__init__(n_bits=n_bits, counts=counts, n_jobs=n_jobs)
        self.radius = radius
        self.chirality = chirality

    @property
    def sanitize_ops(self) -> Chem.SanitizeFlags | None:
        # Morgan invariants: element, degree, H count, charge, isotope, ring membership, bond
        # order/aromaticity — never conjugation, hybridisation or (without chirality) stereo
        return None if self.chirality else SANITIZE_MORGAN

    def feature_names(self) -> list[str]:
        kind = "count" if self.counts else "bit"
        return [f"ecfp{2 * self.radius}_{kind}_{i}" for i in range(self.n_bits)]

    def _generator(self) -> object:
        return rdFingerprintGenerator.GetMorganGenerator(
            radius=self.radius, fpSize=self.n_bits, includeChirality=self.chirality)
