"""Descriptors, MACCS, atom-pair/torsion fingerprints, concatenation and polymer SMILES."""

from __future__ import annotations

import numpy as np
import pytest
from rdkit import Chem
from rdkit.Chem import Descriptors

from redoxscreen.features import featurizer_from_config, make_featurizer
from redoxscreen.runtime.errors import ConfigError

POLYMERS = ["*CC(*)c1ccccc1", "*CC(*)(C)C(=O)OC", "*Oc1ccc(C(C)(C)c2ccc(OC(*)=O)cc2)cc1",
            "*CC(*)F"]
SMALL = ["c1ccccc1O", "O=C1C=CC(=O)C=C1", "CC(=O)Nc1ccc(O)cc1"]


def test_rdkit2d_values_are_rdkit_values() -> None:
    feat = make_featurizer("rdkit2d:set=qspr")
    X = feat.transform(SMALL).toarray()
    names = feat.feature_names()
    assert X.shape == (3, len(names)) and len(names) >= 25
    j = names.index("rdkit_TPSA")
    assert X[1, j] == pytest.approx(Descriptors.TPSA(Chem.MolFromSmiles(SMALL[1])), rel=1e-5)
    assert X[0, names.index("rdkit_NumAromaticRings")] == 1
    assert X[1, names.index("rdkit_NumAromaticRings")] == 0  # benzoquinone is not aromatic


def test_all_descriptors_are_finite_on_polymers_and_counted() -> None:
    feat = make_featurizer("rdkit2d")
    X = feat.transform(POLYMERS).toarray()
    assert X.shape[1] > 150
    assert np.isfinite(X).all()
    assert feat.n_nonfinite_ >= 0  # NaNs from '*' atoms (partial charges) are zeroed and counted


@pytest.mark.parametrize("spec,width", [("maccs", 167), ("atompair:bits=1024", 1024),
                                        ("torsion:bits=512,bits-only", 512)])
def test_fingerprints(spec: str, width: int) -> None:
    feat = make_featurizer(spec)
    X = feat.transform(SMALL + POLYMERS)
    assert X.shape == (7, width)
    assert (X.getnnz(axis=1) > 0).all()
    if "bits-only" in spec or spec == "maccs":
        assert set(np.unique(X.data)) == {1.0}
    # the same molecule written differently gives the same row
    Y = feat.transform(["Oc1ccccc1", "C1=CC=C(C=C1)O"]).toarray()
    np.testing.assert_array_equal(Y[0], Y[1])


def test_polymer_attachment_points_change_the_ecfp() -> None:
    X = make_featurizer("ecfp:r=2,bits=2048").transform(["*CC(*)c1ccccc1", "CCc1ccccc1"])
    assert (X[0] != X[1]).nnz > 0


def test_concatenation_and_round_trip() -> None:
    feat = make_featurizer("ecfp:r=2,bits=256+maccs+rdkit2d:set=qspr")
    X = feat.transform(SMALL)
    assert X.shape[1] == 256 + 167 + feat.featurizers[2].n_features_out
    again = featurizer_from_config(feat.get_config())
    assert (again.transform(SMALL) != X).nnz == 0
    assert len(feat.feature_names()) == X.shape[1]


def test_bad_specs_name_the_fix() -> None:
    with pytest.raises(ConfigError, match="known:"):
        make_featurizer("morgan")
    with pytest.raises(ConfigError, match="options: .*bits"):
        make_featurizer("atompair:r=2")
    with pytest.raises(ConfigError, match="unknown RDKit descriptors set"):
        make_featurizer("rdkit2d:set=qsrp").transform(SMALL)
