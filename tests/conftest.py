"""Shared fixtures (the toy dataset itself lives in ``toydata.py``)."""

from __future__ import annotations

import pandas as pd
import pytest
from toydata import toy_frame


@pytest.fixture(scope="session")
def toy_df() -> pd.DataFrame:
    return toy_frame()


@pytest.fixture()
def toy_csv(tmp_path, toy_df) -> str:
    path = tmp_path / "toy.csv"
    toy_df.to_csv(path, index=False)
    return str(path)
