"""Standardisation: each step named, salts and solvents dropped, the fast path exact."""

import pandas as pd
import pytest
from rdkit import Chem
from toydata import toy_smiles

from redoxscreen.chem.library import enumerate_library
from redoxscreen.chem.standardize import _NORMALISABLE_TEXT, Standardizer, standardize_smiles


@pytest.mark.parametrize("raw, want, change", [
    ("C[n+]1ccc(-c2cc[n+](C)cc2)cc1.[Cl-].[Cl-]", "C[n+]1ccc(-c2cc[n+](C)cc2)cc1",
     "kept the largest organic fragment"),
    ("CC(=O)O.CCO", "CC(=O)O", "kept the largest organic fragment"),  # heavy atoms decide
    ("CS(C)=O", "C[S+](C)[O-]", "normalised"),
    ("O=n1ccccc1", "[O-][n+]1ccccc1", ""),  # RDKit's parser already charge-separates
    ("COc1ccc(OC)cc1", "COc1ccc(OC)cc1", ""),
])
def test_each_change_is_named(raw, want, change):
    canon, reasons, changes = standardize_smiles([raw], Standardizer())
    assert canon == [want] and reasons == [""]
    assert changes[0].startswith(change) if change else changes[0] == ""


def test_options_and_salts_without_an_organic_part():
    canon, reasons, changes = standardize_smiles(
        ["[Na+].[Cl-]", "CC(=O)[O-].[Na+]", "[13CH3]c1ccccc1", "not a smiles"],
        Standardizer(uncharge=True, strip_isotopes=True))
    assert canon[0] is None and reasons[0].startswith("no organic fragment")
    assert canon[1] == "CC(=O)O" and "neutralised" in changes[1]
    assert canon[2] == "Cc1ccccc1" and "isotopes stripped" in changes[2]
    assert canon[3] is None and "syntax" in reasons[3]
    assert standardize_smiles(["[13CH3]c1ccccc1"], None)[0] == ["[13CH3]c1ccccc1"]


def test_the_fast_path_is_exact():
    """Molecules the pre-check lets through unchanged are unchanged by the full standardiser."""
    st = Standardizer(uncharge=True)
    smiles = toy_smiles() + enumerate_library(max_substituents=2, n=1500, seed=3)[
        "smiles"].tolist() + ["CS(C)=O", "CP(C)(C)=O", "CN=[N+]=[N-]", "C=[N+]=[N-]",
                              "c1ccc(N=Nc2ccccc2)cc1", "CS(=O)(=O)N"]
    params_full = Standardizer(uncharge=True)
    skipped = 0
    for s in smiles:
        m = Chem.MolFromSmiles(s)
        if st.needs_work(m):
            continue
        skipped += 1
        object.__setattr__(params_full, "needs_work", lambda mol, smiles=None: True)  # full path
        full, _, _ = params_full.apply(Chem.Mol(m))
        assert Chem.MolToSmiles(full) == Chem.MolToSmiles(m), s
    assert skipped > 500
    assert pd.Series(smiles).nunique() > 1000


def test_the_text_check_agrees_with_the_molecule_check():
    """With the SMILES given, needs_work answers as the molecule alone makes it answer."""
    st = Standardizer()
    smiles = toy_smiles() + enumerate_library(max_substituents=3, n=1500, seed=5)[
        "smiles"].tolist() + [
        "CN(=O)=O", "O=n1ccccc1", "CS(C)=O", "C[Se](C)=O", "CP(C)(C)=O", "C=N#N", "CN=N#N",
        "[O-][As](=O)=O", "CC(=O)O.[Na]", "[13CH3]C", "c1cc[se]c1", "C[Te](C)=O", "N#CC#N",
        "OC(=O)CCN", "c1ccncc1", "CC[N+](C)(C)C"]
    texts = 0
    for s in smiles:
        m = Chem.MolFromSmiles(s)
        if m is None:
            continue
        texts += _NORMALISABLE_TEXT.isdisjoint(s)
        assert st.needs_work(m, s) == st.needs_work(m), s
    assert texts > 300  # the text check decided often
