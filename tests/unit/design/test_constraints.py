"""Design constraints: unwanted groups, ranges from the training set, SA score."""

import pytest
from rdkit import Chem

from redoxscreen.design import Constraints, load_unwanted, sa_score
from redoxscreen.models.domain import TrainingIndex
from redoxscreen.runtime.errors import ConfigError

M = Chem.MolFromSmiles


@pytest.mark.parametrize("smiles, group", [
    ("CCOOC", "peroxide"), ("O=C(Cl)c1ccccc1", "acyl halide"), ("CN=[N+]=[N-]", "azide"),
    ("C1CO1", "epoxide, aziridine or thiirane"), ("CN(C)N", "hydrazine"),
    ("O=Cc1ccccc1", "aldehyde"), ("CC(=O)OC(C)=O", "anhydride"),
    # what SELFIES and graph mutations make when nothing stops them
    ("CN1C2=C=NCC=C2Sc2ccc(C#N)cc21", "cumulated double bonds"),
    ("Nc1cccc2nccccc#cnc12", "triple bond in a ring"),
    ("CN1c2ccccc2Sc2c(C(F)=[SH]CF)cccc21", "hypervalent or odd-valent sulfur"),
    ("c1cccnc2ccccc2ncc1", "macrocycle"), ("Nc1ccc(N=N)cc1", "diazene N–H")])
def test_unwanted_groups_are_rejected_with_their_name(smiles, group):
    sa, reason = Constraints().check(M(smiles))
    assert reason == f"unwanted group: {group}"


@pytest.mark.parametrize("smiles", [
    "COc1ccc(OC)cc1", "O=C1C=CC(=O)C=C1", "CN1c2ccccc2Sc2ccccc21", "CC1(C)CCCC(C)(C)N1[O]",
    "C[n+]1ccc(-c2cc[n+](C)cc2)cc1", "c1ccc2nsnc2c1", "C[N+](C)=C1C(N(C)C)=C1N(C)C",
    "c1ccc(N=Nc2ccccc2)cc1", "CS(=O)(=O)c1ccccc1", "NC(N)=S"])
def test_textbook_redox_cores_pass(smiles):
    sa, reason = Constraints().check(M(smiles))
    assert reason == "" and 1 <= sa < 4.5


def test_ranges_come_from_the_training_set():
    index = TrainingIndex.from_smiles(["c1ccccc1O", "C[n+]1ccc(-c2cc[n+](C)cc2)cc1",
                                       "CC1(C)CCCC(C)(C)N1[O]"])
    assert index.charge_range == (0, 2) and index.radical_range == (0, 1)
    assert index.heavy_range == (7, 14) and index.elements == {"C", "N", "O", "H"}
    c = Constraints().fill_from(index)
    assert c.check(M("c1ccccc1Cl"))[1] == "element Cl"
    assert c.check(M("CCCCCCCCCCCCCCCCO"))[1] == "17 heavy atoms (allowed 7–14)"
    assert c.check(M("C[N+](C)(C)Cc1ccccc1"))[1] == ""  # +1 lies inside 0…+2
    assert c.check(M("[O-]c1ccccc1"))[1] == "charge -1"
    assert c.check(M("c1ccccc1.O"))[1] == "more than one fragment"
    explicit = Constraints(charge_range=(0, 0)).fill_from(index)
    assert explicit.check(M("C[N+](C)(C)Cc1ccccc1"))[1] == "charge +1"


def test_sa_score_orders_easy_before_hard():
    assert sa_score(M("c1ccccc1")) < 2 < sa_score(
        M("C[C@H]1C[C@@]2(O)[C@@H](C)C[C@]3(C)C(=O)[C@H]4O[C@@]24[C@@H]13"))
    c = Constraints(max_sa=2.0)
    assert c.check(M("CC1(C)CCCC(C)(C)N1[O]"))[1].startswith("SA score 2.")


def test_a_broken_unwanted_file_names_the_line(tmp_path):
    bad = tmp_path / "u.csv"
    bad.write_text("name,smarts,reason\nok,[OX2][OX2],x\nbroken,C((,y\n")
    with pytest.raises(ConfigError, match=r"u.csv, line 3: SMARTS 'C\(\(' of 'broken'"):
        load_unwanted(bad)
    bad.write_text("name,pattern\na,b\n")
    with pytest.raises(ConfigError, match="missing reason, smarts"):
        load_unwanted(bad)
    assert len(load_unwanted()) >= 20
