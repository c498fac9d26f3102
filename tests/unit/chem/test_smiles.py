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
