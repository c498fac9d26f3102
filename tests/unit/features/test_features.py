import numpy as np
import pytest
import scipy.sparse as sp
from rdkit import Chem
from rdkit.Chem import rdFingerprintGenerator

from redoxscreen.features import (
    ConcatFeaturizer,
    ConjugationFeaturizer,
    ECFPFeaturizer,
    cached_transform,
    conjugation_descriptors,
    featurizer_from_config,
    make_featurizer,
)
from redoxscreen.features.conjugation import FEATURE_NAMES

SMILES = ["c1ccccc1O", "CC(=O)Nc1ccc(O)cc1", "O=C1C=CC(=O)C=C1", "CCCC", "c1ccc2ccccc2c1"]


@pytest.mark.parametrize("counts", [True, False])
def test_ecfp_matches_rdkit(counts):
    X = ECFPFeaturizer(radius=2, n_bits=1024, counts=counts).transform(SMILES)
    assert sp.issparse(X) and X.shape == (5, 1024) and X.dtype == np.float32
    gen = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=1024)
    for i, s in enumerate(SMILES):
        m = Chem.MolFromSmiles(s)
        ref = gen.GetCountFingerprintAsNumPy(m) if counts else gen.GetFingerprintAsNumPy(m)
        np.testing.assert_array_equal(X[i].toarray().ravel(), ref)


def test_parallel_equals_serial():
    smiles = SMILES * 30
    serial = ECFPFeaturizer(n_bits=512).transform(smiles)
    f = ECFPFeaturizer(n_bits=512, n_jobs=2)
    f.chunk_size = 16
    assert (f.transform(smiles) != serial).nnz == 0


def test_invalid_smiles_named():
    with pytest.raises(ValueError, match="molecule 1"):
        ECFPFeaturizer().transform(["CCO", "C1CC("])


def _d(smiles):
    return dict(zip(FEATURE_NAMES, conjugation_descriptors(Chem.MolFromSmiles(smiles)),
                    strict=True))


def test_huckel_energies_match_textbook_values():
    benzene = _d("c1ccccc1")
    assert benzene["hmo_homo"] == pytest.approx(-1.0) and benzene["hmo_lumo"] == pytest.approx(1.0)
    anthracene = _d("c1ccc2cc3ccccc3cc2c1")
    assert anthracene["hmo_homo"] == pytest.approx(-0.414, abs=1e-3)
    assert anthracene["pi_atoms_largest"] == 14 and anthracene["rings_in_largest"] == 3
    ethylene = _d("C=C")  # isolated double bond: β scaled by 1.1
    assert ethylene["hmo_gap"] == pytest.approx(2.2)
    alkane = _d("CCCC")
    assert alkane["pi_atoms_total"] == 0 and alkane["hmo_gap"] == pytest.approx(6.0)
    # electron-poor quinone has a much lower LUMO than benzene; fluorine joins the π system
    assert _d("O=C1C=CC(=O)C=C1")["hmo_lumo"] < 0 < benzene["hmo_lumo"]
    assert _d("Fc1ccccc1")["pi_atoms_largest"] == 7
    # only a halogen bonded to the π system joins it, whatever the atom order
    assert _d("c1ccccc1ICl")["pi_atoms_largest"] == _d("ClIc1ccccc1")["pi_atoms_largest"] == 7


def test_larger_acenes_have_smaller_gaps():
    gaps = [_d(s)["hmo_gap"] for s in ("c1ccccc1", "c1ccc2ccccc2c1", "c1ccc2cc3ccccc3cc2c1")]
    assert gaps[0] > gaps[1] > gaps[2]


def test_atom_frontier_densities_follow_the_huckel_orbitals():
    from redoxscreen.features.conjugation import ATOM_FEATURE_NAMES, atom_frontier_features

    col = {n: j for j, n in enumerate(ATOM_FEATURE_NAMES)}
    naph = atom_frontier_features(Chem.MolFromSmiles("c1ccc2ccccc2c1"))
    # textbook naphthalene HOMO: c² = 0.181 at the α positions, 0.069 at β, 0 at the bridgeheads
    np.testing.assert_allclose(naph[[0, 1, 3], col["homo_density"]], [0.069, 0.069, 0.0],
                               atol=1e-3)
    assert naph[2, col["homo_density"]] == pytest.approx(0.181, abs=1e-3)
    assert naph[:, col["system_homo"]] == pytest.approx(np.full(10, -0.618), abs=1e-3)
    # benzene's degenerate HOMO pair averages to an even 1/6 on each atom
    benz = atom_frontier_features(Chem.MolFromSmiles("c1ccccc1"))
    np.testing.assert_allclose(benz[:, col["homo_density"]], 1 / 6)
    # the HOMO lives on the largest π system; a saturated atom carries the σ-only sentinels
    mol = Chem.MolFromSmiles("C=CCc1ccc(N)cc1")
    f = atom_frontier_features(mol)
    assert f[:, col["homo_density"]].sum() == pytest.approx(1.0)
    assert f[[0, 1], col["homo_density"]].sum() == 0 and f[2, col["pi_centre"]] == 0
    assert f[2, col["system_homo"]] == -3.0 and f[0, col["system_homo"]] > -3.0
    assert f[7, col["hmo_h"]] == pytest.approx(1.5)  # amine N, lone-pair donor
    assert f.shape == (mol.GetNumAtoms(), len(ATOM_FEATURE_NAMES))


def test_concat_and_config_round_trip():
    f = make_featurizer("ecfp:r=1,bits=256+ecfp:r=2,bits=512,bits-only+conjugation")
    assert isinstance(f, ConcatFeaturizer)
    X = f.transform(SMILES)
    assert X.shape == (5, 256 + 512 + len(FEATURE_NAMES))
    g = featurizer_from_config(f.get_config())
    assert (g.transform(SMILES) != X).nnz == 0
    assert len(g.feature_names()) == X.shape[1]
    assert make_featurizer("default").n_features_out == 1024 + 2048 + 2048 + len(FEATURE_NAMES)
    assert isinstance(make_featurizer("conjugation"), ConjugationFeaturizer)


def test_cache_hits_and_keys_differ(tmp_path):
    f = ECFPFeaturizer(n_bits=256)
    X1 = cached_transform(f, SMILES, tmp_path)
    files = list(tmp_path.glob("*.npz"))
    assert len(files) == 1
    X2 = cached_transform(ECFPFeaturizer(n_bits=256, n_jobs=2), SMILES, tmp_path)  # same key
    assert (X1 != X2).nnz == 0 and len(list(tmp_path.glob("*.npz"))) == 1
    cached_transform(ECFPFeaturizer(n_bits=512), SMILES, tmp_path)
    cached_transform(f, SMILES[:-1], tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 3
