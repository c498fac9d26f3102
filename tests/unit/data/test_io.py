import gzip

import pandas as pd
import pytest

from redoxscreen.data import detect_smiles_column, read_table
from redoxscreen.runtime.errors import DataError

ROWS = pd.DataFrame({"SMILES": ["CCO", "c1ccccc1", "CC(=O)O"], "vie": [10.5, 9.2, 10.9]})


@pytest.mark.parametrize("name", ["t.csv", "t.tsv", "t.xlsx", "t.parquet", "t.csv.gz"])
def test_formats_round_trip(tmp_path, name):
    path = tmp_path / name
    if name.endswith(".xlsx"):
        ROWS.to_excel(path, index=False)
    elif name.endswith(".parquet"):
        ROWS.to_parquet(path)
    elif name.endswith(".tsv"):
        ROWS.to_csv(path, sep="\t", index=False)
    else:
        ROWS.to_csv(path, index=False)
    df = read_table(path)
    assert df["SMILES"].tolist() == ROWS["SMILES"].tolist()
    assert df["vie"].tolist() == pytest.approx(ROWS["vie"].tolist())


def test_smi_with_and_without_names(tmp_path):
    p = tmp_path / "a.smi"
    p.write_text("smiles name\nCCO ethanol\n\nc1ccccc1 benzene ring\n")
    df = read_table(p)
    assert df["smiles"].tolist() == ["CCO", "", "c1ccccc1"]  # the blank line is record 2
    assert df["name"].tolist() == ["ethanol", "", "benzene ring"]
    q = tmp_path / "b.smi.gz"
    with gzip.open(q, "wt") as fh:
        fh.write("CCO\nCCN\n")
    assert read_table(q).columns.tolist() == ["smiles"]


def test_detect_smiles_column_by_name_and_content():
    assert detect_smiles_column(ROWS) == "SMILES"
    df = pd.DataFrame({"id": ["a", "b"], "structure": ["CCO", "c1ccccc1"], "y": [1, 2]})
    assert detect_smiles_column(df) == "structure"
    with pytest.raises(DataError, match="--smiles-col"):
        detect_smiles_column(pd.DataFrame({"a": [1, 2], "b": [3, 4]}), source="x.csv")


def test_empty_and_missing_files(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(DataError, match="e.csv: the file is empty"):
        read_table(tmp_path / "e.csv")
    (tmp_path / "h.csv").write_text("smiles,vie\n")
    with pytest.raises(DataError, match="no rows"):
        read_table(tmp_path / "h.csv")


def test_latin1_csv_is_read_with_a_warning(tmp_path):
    path = tmp_path / "bicerano_like.csv"
    path.write_bytes("name,smiles,tg\r\nPoly(\xa5-methylstyrene),*CC(*)(C)c1ccccc1,441\r\n"
                     .encode("latin-1"))
    with pytest.warns(UserWarning, match="read as Latin-1"):
        df = read_table(path)
    assert df.loc[0, "smiles"] == "*CC(*)(C)c1ccccc1" and df.loc[0, "tg"] == 441
    assert df.loc[0, "name"] == "Poly(\xa5-methylstyrene)"


@pytest.mark.parametrize("sep,name", [(",", "t.csv"), ("\t", "t.tsv"), (",", "t.txt")])
def test_blank_lines_are_records_so_row_numbers_match_the_file(tmp_path, sep, name):
    path = tmp_path / name
    path.write_text(f"smiles{sep}vie\nCCO{sep}1.0\n\nc1ccccc1{sep}2.0\n")
    df = read_table(path)
    assert len(df) == 3 and df["smiles"].iloc[2] == "c1ccccc1" and df["smiles"].isna().iloc[1]
