"""Same seed, same predictions; one writer per run folder."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from redoxscreen.cli.main import app
from redoxscreen.models import load_model
from redoxscreen.pipeline.train import TrainOptions, run_train
from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.runs import run_lock

runner = CliRunner()


def test_two_trainings_with_one_seed_predict_identically(toy_csv, toy_df, tmp_path):
    opts = TrainOptions(folds=2, split="random", seed=3, max_epochs=4, n_jobs=1,
                        params={"hidden_layer_sizes": [32]})
    a = run_train(toy_csv, ["vie"], tmp_path / "a", options=opts)
    b = run_train(toy_csv, ["vie"], tmp_path / "b", options=opts)
    smiles = toy_df["smiles"].head(50).tolist()
    pa = load_model(a.model_dir).predict_smiles(smiles)["vie_pred"].to_numpy()
    pb = load_model(b.model_dir).predict_smiles(smiles)["vie_pred"].to_numpy()
    assert np.array_equal(pa, pb)  # bit for bit on CPU
    assert pd.read_csv(a.run_dir / "oof_predictions.csv").equals(
        pd.read_csv(b.run_dir / "oof_predictions.csv"))
    c = run_train(toy_csv, ["vie"], tmp_path / "c",
                  options=TrainOptions(**{**opts.__dict__, "seed": 4}))
    pc = load_model(c.model_dir).predict_smiles(smiles)["vie_pred"].to_numpy()
    assert not np.array_equal(pa, pc)  # the seed is what decides


def test_a_second_screen_on_a_busy_folder_refuses(toy_model_dir, toy_df, tmp_path):
    lib = tmp_path / "lib.smi"
    lib.write_text("\n".join(toy_df["smiles"].head(20)) + "\n")
    out = tmp_path / "s"
    with run_lock(out, "screen"):  # as a screen still running would hold it
        r = runner.invoke(app, ["screen", str(toy_model_dir), str(lib), "--workers", "1",
                                "--out", str(out)])
        assert r.exit_code == 2 and "is in use by screen (pid" in " ".join(r.stderr.split())
        assert not (out / "results.parquet").exists()  # nothing written by the second
        with pytest.raises(ConfigError, match="wait for it to finish"):
            with run_lock(out, "design"):
                pass
    r = runner.invoke(app, ["screen", str(toy_model_dir), str(lib), "--workers", "1",
                            "--out", str(out)])
    assert r.exit_code == 0, r.output  # released: the folder is usable again
    assert len(pd.read_parquet(out / "results.parquet")) == 20
