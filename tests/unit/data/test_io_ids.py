"""Identifiers that look like numbers keep their text (found by a property test: a name
``00`` came back as ``0``)."""

from redoxscreen.data import read_table


def test_leading_zeros_survive_and_numbers_stay_numbers(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("smiles,id,vie,mixed\nCCO,007,7.5,1\nCCN,010,8.0,x\n")
    df = read_table(p)
    assert df["id"].tolist() == ["007", "010"]
    assert df["vie"].tolist() == [7.5, 8.0] and df["vie"].dtype.kind == "f"
    assert df["mixed"].tolist() == ["1", "x"]  # mixed: text, for the label check to name
