"""Distillation: one student net with a head per fold model, keeping the CV+ intervals."""

from __future__ import annotations

import json

import numpy as np
import pytest

from redoxscreen.models import load_model
from redoxscreen.models.distill import DistilledEnsemble, distill_ensemble
from redoxscreen.models.inputs import n_members
from redoxscreen.pipeline.predict import interval_calibrators
from redoxscreen.runtime.errors import ConfigError


@pytest.fixture(scope="module")
def distilled(toy_model_dir, tmp_path_factory):
    from toydata import toy_frame

    from redoxscreen.pipeline.distill import run_distill_command

    lib = tmp_path_factory.mktemp("lib") / "extra.smi"
    smiles = toy_frame()["smiles"].tolist()
    lib.write_text("\n".join(smiles[:40] + ["not_a_smiles"]) + "\n")
    out = tmp_path_factory.mktemp("distilled") / "model"
    agreement = run_distill_command(toy_model_dir, out, library=lib, n_library=100,
                                    max_epochs=60, patience=60, lr=3e-3)
    return out, agreement


def test_student_reproduces_every_member_closer_than_their_spread(toy_model_dir, distilled):
    out, agreement = distilled
    teacher, student = load_model(toy_model_dir), load_model(out)
    assert isinstance(student.estimator, DistilledEnsemble)
    assert n_members(student.estimator) == n_members(teacher.estimator) == 3
    smiles = teacher.oof["smiles"].tolist()
    X = teacher.featurizer.transform(smiles)
    want, got = teacher.estimator.predict_members(X), student.estimator.predict_members(X)
    assert got.shape == want.shape
    scale = np.abs(want - want.mean(axis=1, keepdims=True)).mean()  # spread over molecules
    assert np.abs(got - want).mean() < 0.25 * scale
    # the held-out figure is what distill reports, and it is saved with the model
    assert 0 < agreement["member_mae"]["vie"] < scale
    assert agreement["extra_invalid"] == 1 and agreement["training_molecules"] == len(
        set(smiles))
    saved = json.loads((out / "distill.json").read_text())
    assert saved["agreement"]["held_out"] == agreement["held_out"] > 0


def test_cv_plus_intervals_survive_distillation(toy_model_dir, distilled):
    out, _ = distilled
    teacher, student = load_model(toy_model_dir), load_model(out)
    cal_t, cal_s = interval_calibrators(teacher), interval_calibrators(student)
    assert set(cal_s) == set(cal_t) == {"vie", "ea"}  # the members' OOF residuals are kept
    smiles = teacher.oof["smiles"].tolist()[:30]
    a = teacher.predict_smiles(smiles, cal_t)
    b = student.predict_smiles(smiles, cal_s)
    width_t, width_s = (d["vie_hi"] - d["vie_lo"] for d in (a, b))
    assert np.all(width_s > 0)
    assert np.abs(width_s - width_t).mean() < 0.5 * width_t.mean()
    assert (a["domain"] == b["domain"]).all()  # same training set, same domain


def test_only_fcnn_ensembles_with_an_oof_table_are_distilled(toy_model_dir):
    from dataclasses import replace

    model = load_model(toy_model_dir)
    with pytest.raises(ConfigError, match="out-of-fold"):
        distill_ensemble(replace(model, oof=None))
    with pytest.raises(ConfigError, match="ensemble of FCNN"):
        distill_ensemble(replace(model, estimator=model.estimator.estimators_[0]))
