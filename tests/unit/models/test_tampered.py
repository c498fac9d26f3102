"""Tampered model folders fail with an error naming the file, and loading runs no code."""

import json
import os
import pickle
import shutil

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from redoxscreen.models import load_model
from redoxscreen.runtime.errors import ModelFileError


class _Payload:
    """Unpickling this would create a marker file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _first_key(d):
    return next(iter(load_file(str(d / "weights.safetensors"))))


def edit_json(d, _):
    (d / "model.json").write_text((d / "model.json").read_text()[:-40])


def wrong_shape(d, _):
    a = load_file(str(d / "weights.safetensors"))
    k = _first_key(d)
    a[k] = np.zeros((3, 3), a[k].dtype)
    save_file(a, str(d / "weights.safetensors"))


def missing_array(d, _):
    a = load_file(str(d / "weights.safetensors"))
    a.pop(_first_key(d))
    save_file(a, str(d / "weights.safetensors"))


def no_weights(d, _):
    (d / "weights.safetensors").unlink()


def unknown_class(d, _):
    meta = json.loads((d / "model.json").read_text())
    meta["estimator"]["members"][0]["name"] = "os.system"
    (d / "model.json").write_text(json.dumps(meta))


def pickle_dropped(d, marker):
    (d / "model.pkl").write_bytes(pickle.dumps(_Payload(marker)))


def pickle_as_weights(d, marker):
    (d / "weights.safetensors").write_bytes(pickle.dumps(_Payload(marker)))


def broken_domain(d, _):
    (d / "domain.safetensors").write_bytes(b"not a tensor file")


@pytest.mark.parametrize("tamper, names", [
    (edit_json, "model.json: not valid JSON"), (wrong_shape, "weights.safetensors: array"),
    (missing_array, "is missing, model.json expects"), (no_weights, "weights.safetensors is "
                                                                   "missing"),
    (unknown_class, "unknown estimator 'os.system'"),
    (pickle_dropped, "model.pkl: a pickle in the model folder"),
    (pickle_as_weights, "weights.safetensors: a pickle in the model folder"),
    (broken_domain, "domain.safetensors: unreadable applicability domain")])
def test_a_tampered_model_is_refused_by_name(toy_model_dir, tmp_path, tamper, names):
    d = tmp_path / "m"
    shutil.copytree(toy_model_dir, d)
    marker = tmp_path / "code-ran"
    tamper(d, marker)
    with pytest.raises(ModelFileError) as info:
        load_model(d)
    assert names in str(info.value)
    assert not marker.exists()  # loading ran nothing from the folder
    load_model(toy_model_dir)  # the original is untouched


@pytest.mark.parametrize("content", [
    b'{"format": "redoxscreen-model", "targets": ["vie"]\x92}',  # fuzz finding: not UTF-8
    b"[1, 2, 3]", b'"a string"', b"null"])
def test_fuzz_findings_a_model_json_that_is_not_an_object(toy_model_dir, tmp_path, content):
    d = tmp_path / "m"
    shutil.copytree(toy_model_dir, d)
    (d / "model.json").write_bytes(content)
    with pytest.raises(ModelFileError, match="model.json: not"):
        load_model(d)


def test_fuzz_findings_damaged_keys(toy_model_dir, tmp_path):
    d = tmp_path / "m"
    shutil.copytree(toy_model_dir, d)
    meta = json.loads((d / "model.json").read_text())
    for key, value in (("targets", "vie"), ("targets", []), ("featurizer", None),
                       ("estimator", [1])):
        (d / "model.json").write_text(json.dumps({**meta, key: value}))
        with pytest.raises(ModelFileError, match="missing or damaged"):
            load_model(d)
