"""A saved model's description without its weights: ``model.json`` and ``oof.csv`` only.

Reading a card needs neither torch nor the estimator classes, so processes that only need the
targets, provenance or out-of-fold residuals (the screen's coordinator) stay small.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from redoxscreen.runtime.errors import ModelFileError

FORMAT = "redoxscreen-model"
FORMAT_VERSION = 1


@dataclass
class ModelCard:
    """``meta`` is ``model.json`` as saved; ``oof`` the out-of-fold table (or ``None``)."""

    directory: Path
    meta: dict
    oof: pd.DataFrame | None

    @property
    def targets(self) -> list[str]:
        return list(self.meta["targets"])

    @property
    def weights_path(self) -> Path:
        return self.directory / "weights.safetensors"


def read_model_card(directory: str | Path) -> ModelCard:
    """Validate a model directory and read its JSON and OOF table (not the weights)."""
    directory = Path(directory)
    meta_path = directory / "model.json"
    if not meta_path.exists():
        raise ModelFileError(f"{directory}: no model.json here; pass the model directory "
                             "(a run's DIR/model/)")
    try:
        meta = json.loads(meta_path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelFileError(f"{meta_path}: not valid JSON ({exc}); re-save the model") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ModelFileError(f"{meta_path}: not a redoxscreen model file")
    targets = meta.get("targets")
    if (not isinstance(targets, list) or not targets
            or not all(isinstance(t, str) for t in targets)
            or not isinstance(meta.get("featurizer"), dict)
            or not isinstance(meta.get("estimator"), dict)):
        raise ModelFileError(f"{meta_path}: 'targets' (names), 'featurizer' and 'estimator' "
                             "are missing or damaged; re-save the model")
    if meta.get("format_version", 0) > FORMAT_VERSION:
        raise ModelFileError(f"{meta_path}: format version {meta['format_version']} is newer "
                             "than this redoxscreen; upgrade redoxscreen")
    if not (directory / "weights.safetensors").exists():
        raise ModelFileError(f"{directory}: weights.safetensors is missing; re-save the model")
    oof_path = directory / "oof.csv"
    return ModelCard(directory, meta, pd.read_csv(oof_path) if oof_path.exists() else None)
