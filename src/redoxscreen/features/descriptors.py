"""RDKit 2-D descriptors (QSPR type: sizes, ring counts, fractions, TPSA, logP, E-state ...).

Dense columns. Values RDKit cannot compute for a molecule (e.g. Gasteiger-charge descriptors on
``*`` attachment points of polymer repeat units) are NaN from RDKit; they become 0 here and are
counted in ``n_nonfinite_`` of the last call, so nothing is dropped silently. ``Ipc`` (values up
to 1e30) is log-transformed.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import scipy.sparse as sp
from rdkit import Chem
from rdkit.Chem import Descriptors

from redoxscreen.features.base import MolFeaturizer, register_featurizer
from redoxscreen.runtime.errors import ConfigError

ALL_DESCRIPTORS: tuple[str, ...] = tuple(name for name, _ in Descriptors._descList)
_FUNCS = dict(Descriptors._descList)
# A compact, interpretable set for small data (the polymer/electrolyte QSPR literature's kind).
QSPR_DESCRIPTORS: tuple[str, ...] = (
    "MolWt", "HeavyAtomCount", "NumHeteroatoms", "NumRotatableBonds", "NumHDonors",
    "NumHAcceptors", "RingCount", "NumAromaticRings", "NumAliphaticRings", "NumSaturatedRings",
    "FractionCSP3", "TPSA", "MolLogP", "MolMR", "LabuteASA", "BertzCT", "HallKierAlpha",
    "Kappa1", "Kappa2", "Kappa3", "Chi0v", "Chi1v", "Chi2v", "Chi3v", "Chi4v",
    "MaxAbsPartialCharge", "MinAbsPartialCharge", "NumValenceElectrons", "qed",
)


@register_featurizer("rdkit2d", aliases={"set": "names"})
class RDKit2DFeaturizer(MolFeaturizer):
    """RDKit's 2-D descriptors; ``names`` = ``"all"`` (~210), ``"qspr"`` (29) or a list."""

    def __init__(self, names: str | list[str] = "all", n_jobs: int = 1):
        self.names = names
        self.n_jobs = n_jobs

    def _names(self) -> list[str]:
        if self.names == "all":
            return list(ALL_DESCRIPTORS)
        if self.names == "qspr":
            return [n for n in QSPR_DESCRIPTORS if n in _FUNCS]
        if isinstance(self.names, str):
            raise ConfigError(f"unknown RDKit descriptors set {self.names!r}; use 'all', "
                              "'qspr' or a list of descriptor names")
        unknown = [n for n in self.names if n not in _FUNCS]
        if unknown:
            raise ConfigError(f"unknown RDKit descriptors {unknown}; see "
                              "rdkit.Chem.Descriptors._descList for the names")
        return list(self.names)

    @property
    def n_features_out(self) -> int:
        return len(self._names())

    @property
    def sanitize_ops(self) -> Chem.SanitizeFlags | None:
        return None  # some descriptors use hybridisation, conjugation and stereo: full parse

    def feature_names(self) -> list[str]:
        return [f"rdkit_{n}" for n in self._names()]

    def _featurize(self, mols: list[Chem.Mol]) -> sp.csr_matrix:
        names = self._names()
        funcs = [_FUNCS[n] for n in names]
        out = np.empty((len(mols), len(names)), dtype=np.float64)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            for i, mol in enumerate(mols):
                for j, (name, f) in enumerate(zip(names, funcs, strict=True)):
                    try:
                        v = float(f(mol))
                    except Exception:  # a descriptor RDKit cannot evaluate for this molecule
                        v = math.nan
                    out[i, j] = math.log10(1.0 + v) if name == "Ipc" and v > 0 else v
        bad = ~np.isfinite(out)
        self.n_nonfinite_ = int(bad.sum())
        out[bad] = 0.0
        return sp.csr_matrix(out.astype(np.float32))
