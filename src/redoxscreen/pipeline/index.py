"""``redoxscreen index``: a library featurized once, for many screens."""

from __future__ import annotations

import json
from pathlib import Path

from redoxscreen.chem.standardize import Standardizer
from redoxscreen.features import make_featurizer
from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.progress import Progress
from redoxscreen.screen.index_build import build_index


def index_features(featurizer: str | None, model: str | Path | None,
                   standardize: dict | None) -> tuple[dict, dict | None]:
    """The featurizer config and standardisation to index with: a model's own (``model``), or
    a featurizer spec with the given standardisation."""
    if (featurizer is None) == (model is None):
        raise ConfigError("give --featurizer SPEC or --model MODEL (whose features the index "
                          "will hold), not both")
    if model is not None:
        from redoxscreen.models.card import read_model_card

        meta = read_model_card(model).meta
        return meta["featurizer"], meta.get("standardize")
    return make_featurizer(featurizer).get_config(), standardize


def run_index_command(library: str | Path, out: str | Path, *, featurizer: str | None = None,
                      model: str | Path | None = None,
                      standardize: dict | None = Standardizer().to_dict(),
                      chunk_size: int = 10000, smiles_col: str | None = None,
                      workers: int = 1, scheduler: str | None = None,
                      progress: Progress | None = None) -> dict:
    config, std = index_features(featurizer, model, standardize)
    manifest = build_index(library, out, config, std, chunk_size=chunk_size,
                           smiles_col=smiles_col, workers=workers, scheduler=scheduler,
                           progress=progress)
    (Path(out) / "featurizer.json").write_text(json.dumps(config, indent=1))
    return manifest
