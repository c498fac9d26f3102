"""A saved model: featurizer + estimator + targets + provenance, as a directory.

Layout of ``DIR/``::

    model.json            format, featurizer config, estimator config, targets, metrics, versions
    weights.safetensors   every array of the estimator (safetensors cannot hold code)
    oof.csv               out-of-fold predictions of the CV that built the model (for calibration)

Loading reads JSON and safetensors only; no pickle anywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from safetensors.numpy import load_file, save_file
from sklearn.base import BaseEstimator

from redoxscreen.chem import canonicalize_smiles
from redoxscreen.errors import ModelFileError
from redoxscreen.features import MolFeaturizer, featurizer_from_config
from redoxscreen.jsonutil import json_default
from redoxscreen.models.serialize import estimator_from_state, estimator_to_state

FORMAT = "redoxscreen-model"
FORMAT_VERSION = 1


@dataclass
class RedoxModel:
    """What ``train`` produces and ``predict``/``screen`` use.

    ``oof`` (optional) holds the out-of-fold table: ``smiles``, ``fold`` and for each target
    ``<t>_true``, ``<t>_pred`` (and ``<t>_std`` when the ensemble gives one).
    """

    featurizer: MolFeaturizer
    estimator: BaseEstimator
    targets: list[str]
    info: dict = field(default_factory=dict)
    oof: pd.DataFrame | None = None

    def predict_smiles(self, smiles: list[object]) -> pd.DataFrame:
        """One row per input, in order: ``<t>_pred``, ``<t>_std`` (if any), ``reason``.

        Invalid SMILES get empty predictions and the reason; they never raise.
        """
        canon, reasons = canonicalize_smiles(list(smiles))
        ok = np.array([c is not None for c in canon], dtype=bool)
        out = pd.DataFrame(index=range(len(canon)))
        mean = np.full((len(canon), len(self.targets)), np.nan)
        std = np.full_like(mean, np.nan)
        if ok.any():
            X = self.featurizer.transform([c for c in canon if c is not None])
            if hasattr(self.estimator, "predict_dist"):
                m, s = self.estimator.predict_dist(X)
                std[ok] = np.asarray(s).reshape(ok.sum(), -1)
            else:
                m = self.estimator.predict(X)
            mean[ok] = np.asarray(m).reshape(ok.sum(), -1)
        for j, t in enumerate(self.targets):
            out[f"{t}_pred"] = mean[:, j]
            if np.isfinite(std[:, j]).any():
                out[f"{t}_std"] = std[:, j]
        out["reason"] = reasons
        return out

    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        est_config, arrays = estimator_to_state(self.estimator)
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "targets": self.targets,
            "featurizer": self.featurizer.get_config(),
            "estimator": est_config,
            **self.info,
        }
        save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()},
                  str(directory / "weights.safetensors"))
        if self.oof is not None:
            self.oof.to_csv(directory / "oof.csv", index=False)
        (directory / "model.json").write_text(json.dumps(meta, indent=2, default=json_default))
        return directory


def load_model(directory: str | Path) -> RedoxModel:
    """Load a model directory written by :meth:`RedoxModel.save`."""
    directory = Path(directory)
    meta_path = directory / "model.json"
    if not meta_path.exists():
        raise ModelFileError(f"{directory}: no model.json here; pass the model directory "
                             "(a run's DIR/model/)")
    try:
        meta = json.loads(meta_path.read_text())
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{meta_path}: not valid JSON ({exc}); re-save the model") from exc
    if meta.get("format") != FORMAT:
        raise ModelFileError(f"{meta_path}: not a redoxscreen model file")
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise ModelFileError(f"{meta_path}: format version {meta['format_version']} is newer "
                             "than this redoxscreen; upgrade redoxscreen")
    weights = directory / "weights.safetensors"
    if not weights.exists():
        raise ModelFileError(f"{directory}: weights.safetensors is missing; re-save the model")
    arrays = load_file(str(weights))
    oof_path = directory / "oof.csv"
    info = {k: v for k, v in meta.items()
            if k not in ("format", "format_version", "targets", "featurizer", "estimator")}
    return RedoxModel(
        featurizer=featurizer_from_config(meta["featurizer"]),
        estimator=estimator_from_state(meta["estimator"], arrays),
        targets=list(meta["targets"]),
        info=info,
        oof=pd.read_csv(oof_path) if oof_path.exists() else None,
    )
