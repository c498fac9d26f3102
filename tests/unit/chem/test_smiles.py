import numpy as np
import pytest
from rdkit import Chem

from redoxscreen.chem import canonicalize_smiles, murcko_scaffold, to_mol


def test_to_mol_gives_reasons_instead_of_raising():
    assert to_mol("c1ccccc1")[1] == ""
    assert to_mol("")[1] == "empty SMILES"
    assert to_mol(None)[1] == "empty SMILES"
    assert to_mol(float("nan"))[1] == "empty SMILES"
    assert "syntax" in to_mol("C1CC(")[1]
    mol, reason = to_mol("C(C)(C)(C)(C)C")  # pentavalent carbon
    assert mol is None and reason.startswith("invalid chemistry")


def test_canonical_forms_agree():
    canon, reasons = canonicalize_smiles(["OCC", "C(O)C", "xx"])
    assert canon[0] == canon[1] == "CCO"
    assert canon[2] is None and reasons[2]


def test_scaffold():
    assert murcko_scaffold("Cc1ccc(CC)cc1") == "c1ccccc1"
    assert murcko_scaffold("CCCC") == ""


TRICKY = [
    "CC(=O)Oc1ccccc1C(=O)O", "C1=CC=CC=C1", "O=N(=O)c1ccccc1", "[O-][N+](=O)c1ccccc1",
    "[H]c1ccccc1[H]", "[2H]C([2H])([2H])c1ccccc1", "[H+]", "[H][H]", "C[C@H](N)C(=O)O",
    "F/C=C/F", "c1cc[nH]c1", "[Hg+2]", "C[S+](C)C", "CC1=CC(=O)C=CC1=O", "[NH4+]",
    "C[n+]1ccc(-c2cc[n+](C)cc2)cc1", "CC1(C)CCCC(C)(C)N1[O]", "c1ccc2c(c1)Sc1ccccc1N2",
    "OB(O)c1ccccc1", "C1CC1", "[Na+].[Cl-]", "N#N", "C[C@@H]1CC[C@H](C)CC1",
    "Cc1cn2c(n1)CCC(NC(=O)Cc1c(C)noc1Cl)C2", "[H]/N=C/C", "c1ccccc1c",  # invalid aromaticity
    "C(C)(C)(C)(C)C",  # pentavalent carbon
    "C1CC", "", "xyz",
]


@pytest.mark.parametrize("featurizer", ["ecfp:r=3,bits=4096", "default"])
def test_fast_parse_gives_the_same_features(featurizer: str) -> None:
    from redoxscreen.chem import mols_for_features
    from redoxscreen.features import make_featurizer

    feat = make_featurizer(featurizer)
    assert feat.sanitize_ops is not None
    fast = mols_for_features(TRICKY, feat.sanitize_ops)
    ref = [to_mol(s)[0] for s in TRICKY]
    assert [m is None for m in fast] == [m is None for m in ref]
    good = [i for i, m in enumerate(ref) if m is not None]
    assert len(good) == len(TRICKY) - 5
    for i in good:
        assert Chem.MolToSmiles(fast[i], isomericSmiles=False) == Chem.MolToSmiles(
            ref[i], isomericSmiles=False), TRICKY[i]
    a = feat._featurize([fast[i] for i in good]).toarray()
    b = feat._featurize([ref[i] for i in good]).toarray()
    np.testing.assert_array_equal(a, b)


def test_chiral_ecfp_asks_for_the_full_parser() -> None:
    from redoxscreen.features import make_featurizer

    assert make_featurizer("ecfp:r=2,chirality=true").sanitize_ops is None
