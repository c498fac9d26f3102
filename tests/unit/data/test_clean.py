import numpy as np
import pandas as pd
import pytest

from redoxscreen.data import HARTREE_TO_EV, TargetSpec, prepare_table, to_ev
from redoxscreen.runtime.errors import ConfigError, DataError


def test_target_spec_parsing():
    assert TargetSpec.parse("vie") == TargetSpec("vie", "vie", 1.0, "ev")
    assert TargetSpec.parse("ea=-vea") == TargetSpec("ea", "vea", -1.0, "ev")
    assert TargetSpec.parse("homo_ev=homo:hartree") == TargetSpec("homo_ev", "homo", 1.0, "hartree")
    with pytest.raises(ConfigError):
        TargetSpec.parse("=")


def test_units():
    assert to_ev(1.0, "hartree") == pytest.approx(27.211386, abs=1e-6)
    assert to_ev(np.array([23.0605]), "kcal/mol")[0] == pytest.approx(1.0, abs=1e-4)
    with pytest.raises(ConfigError, match="unknown unit"):
        to_ev(1.0, "furlong")


def test_prepare_reports_every_dropped_row_and_merges_duplicates():
    df = pd.DataFrame({
        "smiles": ["CCO", "OCC", "bad(", "c1ccccc1", "", "CCN", "C(C)N"],
        "vie": [10.0, 10.4, 9.0, 9.2, 5.0, np.nan, 8.9],
        "vea": [1.0, 1.0, 1.0, -1.1, 0.0, np.nan, 0.5],
    })
    with pytest.warns(UserWarning, match="disagreeing"):
        t = prepare_table(df, "smiles", [TargetSpec.parse("vie"), TargetSpec.parse("ea=-vea")],
                          source="x.csv", dedupe_tolerance=0.1)
    assert t.smiles == ["CCO", "c1ccccc1", "CCN"]
    np.testing.assert_allclose(t.y[0], [10.2, -1.0])
    np.testing.assert_allclose(t.y[1], [9.2, 1.1])  # EA = -vea
    assert t.rows[0] == [1, 2] and t.rows[2] == [7]
    rep = t.report.set_index("row")
    assert rep.loc[3, "action"] == "dropped" and "syntax" in rep.loc[3, "reason"]
    assert rep.loc[5, "reason"] == "empty SMILES"
    assert "no label" in rep.loc[6, "reason"]
    assert rep.loc[2, "action"] == "merged" and "disagree by 0.4" in rep.loc[2, "reason"]
    assert len(t.report) == 4  # nothing dropped silently: 7 rows = 3 kept + 4 reported


def test_missing_labels_stay_masked_for_multi_target():
    df = pd.DataFrame({"smiles": ["CCO", "CCC"], "a": [1.0, np.nan], "b": [np.nan, 2.0]})
    t = prepare_table(df, "smiles", [TargetSpec.parse("a"), TargetSpec.parse("b")])
    assert np.isnan(t.y[0, 1]) and np.isnan(t.y[1, 0])


def test_hartree_targets_are_converted():
    df = pd.DataFrame({"smiles": ["CCO"], "homo": [-0.25]})
    t = prepare_table(df, "smiles", [TargetSpec.parse("homo_ev=homo:hartree")])
    assert t.y[0, 0] == pytest.approx(-0.25 * HARTREE_TO_EV)


def test_bad_input_errors_name_file_column_and_row():
    df = pd.DataFrame({"smiles": ["CCO", "CCC", "CCN"], "vie": ["1.0", "x", "2"]})
    with pytest.raises(DataError, match=r"f.csv: column 'vie' .* row 2 \('x'\)"):
        prepare_table(df, "smiles", [TargetSpec.parse("vie")], source="f.csv")
    with pytest.raises(DataError, match="no column 'foo'"):
        prepare_table(df, "smiles", [TargetSpec.parse("foo")], source="f.csv")
    bad = pd.DataFrame({"smiles": ["xx", "yy"], "vie": [1.0, 2.0]})
    with pytest.raises(DataError, match="none of the 2 rows holds valid SMILES"):
        prepare_table(bad, "smiles", [TargetSpec.parse("vie")], source="f.csv")


def test_data_hash_changes_with_labels():
    df = pd.DataFrame({"smiles": ["CCO", "CCC"], "y": [1.0, 2.0]})
    h1 = prepare_table(df, "smiles", [TargetSpec.parse("y")]).data_hash()
    df.loc[1, "y"] = 2.5
    assert prepare_table(df, "smiles", [TargetSpec.parse("y")]).data_hash() != h1


def test_non_finite_labels_are_masked_and_reported_with_their_row():
    df = pd.DataFrame({"smiles": ["CCO", "CCC", "CCN", "CCCl", "c1ccccc1"],
                       "a": [1.0, np.inf, 2.0, -np.inf, 3.0], "b": [0.5, 0.7, np.inf, 1.0, 2.0]})
    with pytest.warns(UserWarning, match="3 labels are not finite numbers"):
        t = prepare_table(df, "smiles", [TargetSpec.parse("a"), TargetSpec.parse("b")],
                          source="x.csv")
    assert t.smiles == ["CCO", "CCC", "CCN", "CCCl", "c1ccccc1"]  # each keeps its other label
    assert np.isfinite(t.y[~np.isnan(t.y)]).all() and np.isnan(t.y[1, 0]) and np.isnan(t.y[2, 1])
    assert t.y[1, 1] == pytest.approx(0.7)
    masked = t.report[t.report.action == "masked"]
    assert masked.row.tolist() == [2, 3, 4]
    assert "label inf in column 'a' is not a finite number" in masked.reason.iloc[0]
    only = pd.DataFrame({"smiles": ["CCO", "CCC"], "a": [1.0, np.inf]})
    with pytest.warns(UserWarning):
        t = prepare_table(only, "smiles", [TargetSpec.parse("a")])
    assert t.smiles == ["CCO"]
    assert t.report.reason.tolist()[-1] == "no finite label in a"
