"""Side-by-side concatenation of featurizers (e.g. multi-radius ECFP + π-system descriptors)."""

from __future__ import annotations

import scipy.sparse as sp
from rdkit import Chem

from redoxscreen.features.base import MolFeaturizer, register_featurizer


@register_featurizer("concat", listed=False)
class ConcatFeaturizer(MolFeaturizer):
    """Columns of several featurizers, in order; molecules are parsed once."""

    def __init__(self, featurizers: list[MolFeaturizer] | None = None, n_jobs: int = 1):
        self.featurizers = featurizers
        self.n_jobs = n_jobs

    @property
    def n_features_out(self) -> int:
        return sum(f.n_features_out for f in self.featurizers or [])

    @property
    def sanitize_ops(self) -> Chem.SanitizeFlags | None:
        ops = Chem.SanitizeFlags.SANITIZE_NONE
        for f in self.featurizers or []:
            if f.sanitize_ops is None:
                return None
            ops |= f.sanitize_ops  # every step some member needs
        return ops

    def feature_names(self) -> list[str]:
        return [n for f in self.featurizers or [] for n in f.feature_names()]

    def _featurize(self, mols: list[Chem.Mol]) -> sp.csr_matrix:
        return sp.hstack([f._featurize(mols) for f in self.featurizers], format="csr")

    def get_config(self) -> dict:
        return {"name": self.name, "params": {"n_jobs": self.n_jobs},
                "featurizers": [f.get_config() for f in self.featurizers]}
