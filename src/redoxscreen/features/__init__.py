"""Featurizers: SMILES → sparse feature matrices (sklearn transformers), and a feature cache."""

from redoxscreen.features.base import FEATURIZERS, MolFeaturizer, register_featurizer
from redoxscreen.features.cache import cached_transform
from redoxscreen.features.conjugation import ConjugationFeaturizer, conjugation_descriptors
from redoxscreen.features.descriptors import RDKit2DFeaturizer
from redoxscreen.features.ecfp import ECFPFeaturizer
from redoxscreen.features.fingerprints import AtomPairFeaturizer, MACCSFeaturizer, TorsionFeaturizer
from redoxscreen.features.spec import featurizer_from_config, make_featurizer
from redoxscreen.features.union import ConcatFeaturizer

__all__ = [
    "FEATURIZERS",
    "AtomPairFeaturizer",
    "MACCSFeaturizer",
    "RDKit2DFeaturizer",
    "TorsionFeaturizer",
    "ConcatFeaturizer",
    "ConjugationFeaturizer",
    "ECFPFeaturizer",
    "MolFeaturizer",
    "cached_transform",
    "conjugation_descriptors",
    "featurizer_from_config",
    "make_featurizer",
    "register_featurizer",
]
