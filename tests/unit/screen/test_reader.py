import gzip

import pandas as pd
import pytest

from redoxscreen.runtime.errors import DataError
from redoxscreen.screen import iter_chunks

SMILES = ["CCO", "c1ccccc1", "bad(", "CCN", "O=C1C=CC(=O)C=C1"]


def _collect(path, **kw):
    chunks = list(iter_chunks(path, chunk_size=2, **kw))
    return chunks, [s for c in chunks for s in c.smiles]


@pytest.mark.parametrize("name", ["lib.csv", "lib.csv.gz", "lib.tsv", "lib.parquet"])
def test_tables_stream_in_order(tmp_path, name):
    df = pd.DataFrame({"id": [f"m{i}" for i in range(5)], "smiles": SMILES, "x": range(5)})
    path = tmp_path / name
    if name.endswith(".parquet"):
        df.to_parquet(path)
    else:
        df.to_csv(path, sep="\t" if ".tsv" in name else ",", index=False)
    chunks, smiles = _collect(path)
    assert smiles == SMILES
    assert [c.first_row for c in chunks] == [1, 3, 5] and [c.index for c in chunks] == [0, 1, 2]
    assert chunks[1].ids == ["m2", "m3"]


def test_smi_with_header_names_and_gzip(tmp_path):
    p = tmp_path / "lib.smi.gz"
    with gzip.open(p, "wt") as fh:
        fh.write("smiles name\n" + "".join(f"{s} n{i}\n" for i, s in enumerate(SMILES)))
    chunks, smiles = _collect(p)
    assert smiles == SMILES and chunks[0].ids == ["n0", "n1"]
    q = tmp_path / "plain.smi"
    q.write_text("\n".join(SMILES) + "\n")
    chunks, smiles = _collect(q)
    assert smiles == SMILES and chunks[0].ids is None


def test_reader_errors(tmp_path):
    with pytest.raises(DataError, match="not found"):
        list(iter_chunks(tmp_path / "x.csv"))
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(DataError, match="empty"):
        list(iter_chunks(tmp_path / "e.csv"))
    (tmp_path / "l.xyz").write_text("C 0 0 0\n")
    with pytest.raises(DataError, match="unknown library format"):
        list(iter_chunks(tmp_path / "l.xyz"))


@pytest.mark.parametrize("name", ["lib.smi", "lib.csv"])
def test_blank_lines_are_records_with_their_file_row_numbers(tmp_path, name):
    path = tmp_path / name
    head = "smiles,id\n" if name.endswith(".csv") else ""
    sep = "," if name.endswith(".csv") else " "
    path.write_text(head + f"CCO{sep}a\n\nc1ccccc1{sep}b\n   \nCCN{sep}c\n")
    chunks, smiles = _collect(path)
    assert smiles[0] == "CCO" and smiles[2] == "c1ccccc1" and smiles[4] == "CCN"
    assert [s.strip() for s in (smiles[1], smiles[3])] == ["", ""]
    assert [c.first_row for c in chunks] == [1, 3, 5]
