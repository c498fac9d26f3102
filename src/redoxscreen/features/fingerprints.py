"""Other RDKit fingerprints: atom pairs, topological torsions (hashed, bits or counts), MACCS keys.

All are sparse and stereo-blind by default, so screening can use the fast parser.
"""

from __future__ import annotations

import scipy.sparse as sp
from rdkit import Chem
from rdkit.Chem import rdFingerprintGenerator, rdMolDescriptors

from redoxscreen.chem.smiles import SANITIZE_NO_STEREO
from redoxscreen.features.base import MolFeaturizer, csr_from_dicts, register_featurizer

HASHED_FLAGS = {"counts": ("counts", True), "bits-only": ("counts", False)}


class HashedFingerprint(MolFeaturizer):
    """Shared body of the RDKit fingerprint-generator featurizers (ECFP, atom pairs, torsions):
    subclasses return their generator from ``_generator``."""

    def __init__(self, n_bits: int = 2048, counts: bool = True, n_jobs: int = 1):
        self.n_bits = n_bits
        self.counts = counts
        self.n_jobs = n_jobs

    @property
    def n_features_out(self) -> int:
        return self.n_bits

    @property
    def sanitize_ops(self) -> Chem.SanitizeFlags | None:
        # atom-pair/torsion atom codes count π electrons, which reads hybridisation: keep it
        return SANITIZE_NO_STEREO

    def feature_names(self) -> list[str]:
        kind = "count" if self.counts else "bit"
        return [f"{self.name}_{kind}_{i}" for i in range(self.n_bits)]

    def _generator(self) -> object:
        raise NotImplementedError

    def _featurize(self, mols: list[Chem.Mol]) -> sp.csr_matrix:
        gen = self._generator()
        if self.counts:
            rows = [gen.GetCountFingerprint(m).GetNonzeroElements() for m in mols]
        else:
            rows = [dict.fromkeys(gen.GetFingerprint(m).GetOnBits(), 1.0) for m in mols]
        return csr_from_dicts(rows, self.n_bits)


@register_featurizer("atompair", aliases={"bits": "n_bits"}, flags=HASHED_FLAGS)
class AtomPairFeaturizer(HashedFingerprint):
    """Hashed atom-pair fingerprint (pairs of atom types with their topological distance)."""

    def _generator(self) -> object:
        return rdFingerprintGenerator.GetAtomPairGenerator(fpSize=self.n_bits)


@register_featurizer("torsion", aliases={"bits": "n_bits"}, flags=HASHED_FLAGS)
class TorsionFeaturizer(HashedFingerprint):
    """Hashed topological-torsion fingerprint (paths of four bonded atoms)."""

    def _generator(self) -> object:
        return rdFingerprintGenerator.GetTopologicalTorsionGenerator(fpSize=self.n_bits)


@register_featurizer("maccs")
class MACCSFeaturizer(MolFeaturizer):
    """The 166 MACCS structural keys (RDKit's 167-bit vector; bit 0 is always unset)."""

    def __init__(self, n_jobs: int = 1):
        self.n_jobs = n_jobs

    @property
    def n_features_out(self) -> int:
        return 167

    @property
    def sanitize_ops(self) -> Chem.SanitizeFlags | None:
        return None  # SMARTS keys may match on hybridisation/conjugation: full parse

    def feature_names(self) -> list[str]:
        return [f"maccs_{i}" for i in range(167)]

    def _featurize(self, mols: list[Chem.Mol]) -> sp.csr_matrix:
        rows = [dict.fromkeys(rdMolDescriptors.GetMACCSKeysFingerprint(m).GetOnBits(), 1.0)
                for m in mols]
        return csr_from_dicts(rows, 167)
