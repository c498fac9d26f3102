"""Featurizers: SMILES → sparse feature matrices (sklearn transformers), and a feature cache."""

from redoxscreen.features.base import MolFeaturizer
from redoxscreen.features.batch import (
    MolBatch,
    estimator_input,
    model_input,
    reads_features,
    reads_smiles,
)
from redoxscreen.features.cache import cached_transform
from redoxscreen.features.conjugation import ConjugationFeaturizer, conjugation_descriptors
from redoxscreen.features.descriptors import RDKit2DFeaturizer
from redoxscreen.features.ecfp import ECFPFeaturizer
from redoxscreen.features.fingerprints import AtomPairFeaturizer, MACCSFeaturizer, TorsionFeaturizer
from redoxscreen.features.registry import featurizer_from_config, make_featurizer
from redoxscreen.features.union import ConcatFeaturizer

__all__ = [
    "AtomPairFeaturizer",
    "MACCSFeaturizer",
    "RDKit2DFeaturizer",
    "TorsionFeaturizer",
    "ConcatFeaturizer",
    "ConjugationFeaturizer",
    "ECFPFeaturizer",
    "MolBatch",
    "MolFeaturizer",
    "cached_transform",
    "conjugation_descriptors",
    "estimator_input",
    "featurizer_from_config",
    "make_featurizer",
    "model_input",
    "reads_features",
    "reads_smiles",
]
