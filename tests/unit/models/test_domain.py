"""The training index: ranges and nearest training molecules."""

from rdkit import Chem

from redoxscreen.models.domain import TrainingIndex


def test_nearest_training_molecule_and_its_similarity():
    index = TrainingIndex.from_smiles(["c1ccccc1O", "c1ccccc1O", "CCCCCC", "bad smiles"])
    assert len(index) == 2  # duplicates and invalid SMILES are not indexed
    sims, names = index.nearest([Chem.MolFromSmiles(s) for s in
                                 ("c1ccccc1O", "Cc1ccccc1O", "CCCCCCC")])
    assert sims[0] == 1.0 and names[0] == "c1ccccc1O"
    assert 0.2 < sims[1] < 1.0 and names[1] == "c1ccccc1O"
    assert names[2] == "CCCCCC"
    assert index.describe()["elements"] == ["C", "H", "O"]
