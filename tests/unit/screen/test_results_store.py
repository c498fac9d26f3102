"""The results store: sorted Parquet, and top-N lists whose ties fall in input order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from redoxscreen.screen.schema import outcome_column, potential_column
from redoxscreen.screen.settings import ScreenSettings
from redoxscreen.screen.store import finalize_store


def _part(rows: np.ndarray, e: np.ndarray) -> pd.DataFrame:
    df = pd.DataFrame({"row": rows, "smiles": [f"C{'C' * int(r)}" for r in rows],
                       "valid": True, "domain": "in",
                       potential_column("cathode", "vs_li"): e})
    for outcome in ("in_window", "in_band", "pass"):
        df[outcome_column("cathode", outcome)] = True
    df[outcome_column("cathode", "p_window")] = 0.9
    return df


def test_top_list_breaks_ties_by_row_and_parquet_keeps_input_order(tmp_path):
    """Six molecules share the best potential, across two parts written out of order: the
    top list gives them by row, as results.parquet gives every row."""
    parts = tmp_path / "parts"
    parts.mkdir()
    rng = np.random.default_rng(0)
    e = np.where(np.arange(40) % 7 == 3, 4.5, rng.uniform(1, 4, 40))  # rows 3, 10, … tie
    _part(np.arange(20, 40), e[20:]).sample(frac=1, random_state=1).to_parquet(
        parts / "chunk-000001.parquet", index=False)
    _part(np.arange(20), e[:20]).sample(frac=1, random_state=2).to_parquet(
        parts / "chunk-000000.parquet", index=False)
    settings = ScreenSettings(roles=["cathode"], top_n=8)
    summary = finalize_store(tmp_path, settings)
    assert summary["molecules"] == 40 and summary["roles"]["cathode"]["pass"] == 40
    top = pd.read_csv(tmp_path / "top_cathode.csv")
    assert top["row"].tolist()[:6] == [3, 10, 17, 24, 31, 38]
    assert top["rank_voltage"].tolist() == list(range(1, 9))
    assert pd.read_parquet(tmp_path / "results.parquet")["row"].tolist() == list(range(40))
