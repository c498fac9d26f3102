"""Shared fixtures (the toy dataset itself lives in ``toydata.py``), and a small trained
model (toy data, tiny nets) shared by the screening, domain and property tests."""

from __future__ import annotations

import pandas as pd
import pytest
from toydata import toy_frame

from redoxscreen.features import make_featurizer
from redoxscreen.models import FCNNRegressor
from redoxscreen.pipeline.train import fit_cv_ensemble, load_training_table


@pytest.fixture(scope="session")
def toy_df() -> pd.DataFrame:
    return toy_frame()


@pytest.fixture()
def toy_csv(tmp_path, toy_df) -> str:
    path = tmp_path / "toy.csv"
    toy_df.to_csv(path, index=False)
    return str(path)


@pytest.fixture(scope="session")
def toy_model_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("model")
    data = d / "toy.csv"
    toy_frame().to_csv(data, index=False)
    table = load_training_table(data, ["vie", "ea=-vea"])
    est = FCNNRegressor(hidden_layer_sizes=(32,), max_epochs=15, batch_size=32, lr=3e-3)
    model, _ = fit_cv_ensemble(table, make_featurizer("ecfp:r=2,bits=256+conjugation"), est,
                               split="random", folds=3, seed=0)
    model.save(d / "model")
    return d / "model"


@pytest.fixture(scope="session")
def toy_library(tmp_path_factory):
    """2,000 rows: toy molecules repeated, with invalid rows sprinkled in."""
    df = toy_frame()
    smiles = (df["smiles"].tolist() * 10)[:2000]
    for i in range(0, 2000, 97):
        smiles[i] = "not_a_smiles"
    path = tmp_path_factory.mktemp("lib") / "library.csv"
    path.write_text("smiles\n" + "\n".join(smiles) + "\n")
    return path, smiles
