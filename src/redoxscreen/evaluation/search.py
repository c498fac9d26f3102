"""Architecture grid search: configurations are data (YAML/JSON), scored by k-fold CV."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from redoxscreen.errors import ConfigError

FEATURE_KEYS = ("radius", "n_bits")


@dataclass
class Grid:
    """A named list of configurations; each mixes fingerprint keys and estimator parameters."""

    name: str
    preset: str
    folds: int
    fingerprint: str  # "bits" or "counts"
    configs: list[dict]

    def featurizer_spec(self, config: dict) -> str:
        kind = "bits-only" if self.fingerprint == "bits" else "counts"
        return f"ecfp:r={config['radius']},bits={config['n_bits']},{kind}"

    @staticmethod
    def estimator_params(config: dict) -> dict:
        params = {k: v for k, v in config.items() if k not in FEATURE_KEYS}
        if "hidden_layer_sizes" in params:
            params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
        return params


def builtin_grids() -> list[str]:
    return sorted(p.name.removesuffix(".yaml")
                  for p in resources.files("redoxscreen.evaluation.grids").iterdir()
                  if p.name.endswith(".yaml"))


def load_grid(name_or_path: str) -> Grid:
    """A built-in grid by name (``thesis``, ``quick``) or a YAML/JSON file."""
    path = Path(name_or_path)
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        if not path.exists():
            raise ConfigError(f"{path}: grid file not found")
        text = path.read_text()
        source = str(path)
    else:
        if name_or_path not in builtin_grids():
            raise ConfigError(f"unknown grid {name_or_path!r}; built-in grids: "
                              f"{', '.join(builtin_grids())}, or pass a .yaml/.json file")
        grids = resources.files("redoxscreen.evaluation.grids")
        text = (grids / f"{name_or_path}.yaml").read_text()
        source = name_or_path
    try:
        raw = json.loads(text) if source.endswith(".json") else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{source}: cannot parse grid ({exc})") from exc
    return parse_grid(raw, source)


def parse_grid(raw: dict, source: str = "grid") -> Grid:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: a grid is a mapping with 'product' and/or 'extra'")
    configs: list[dict] = []
    product = raw.get("product") or {}
    if product:
        keys = list(product)
        for values in itertools.product(*(product[k] for k in keys)):
            configs.append(dict(zip(keys, values, strict=True)))
    configs += [dict(c) for c in raw.get("extra") or []]
    if not configs:
        raise ConfigError(f"{source}: the grid has no configurations")
    for i, c in enumerate(configs):
        missing = [k for k in FEATURE_KEYS if k not in c]
        if missing:
            raise ConfigError(f"{source}: configuration {i + 1} lacks {', '.join(missing)}")
    fingerprint = raw.get("fingerprint", "counts")
    if fingerprint not in ("bits", "counts"):
        raise ConfigError(f"{source}: fingerprint must be 'bits' or 'counts'")
    return Grid(name=raw.get("name", source), preset=raw.get("preset", "default"),
                folds=int(raw.get("folds", 2)), fingerprint=fingerprint, configs=configs)


def config_label(config: dict) -> str:
    layers = "-".join(str(x) for x in config.get("hidden_layer_sizes", []))
    rest = {k: v for k, v in config.items() if k not in (*FEATURE_KEYS, "hidden_layer_sizes")}
    extra = "".join(f" {k}={v}" for k, v in rest.items())
    return f"r{config['radius']}/{config['n_bits']}/{layers}{extra}"


def rank_results(rows: list[dict]) -> pd.DataFrame:
    """Table of configurations sorted by mean validation MAE (best first)."""
    df = pd.DataFrame(rows)
    df["rank"] = df["val_mae"].rank(method="min").astype(int)
    return df.sort_values(["val_mae", "config"]).reset_index(drop=True)


def best_config(results: pd.DataFrame) -> dict:
    row = results.iloc[int(np.argmin(results["val_mae"].to_numpy()))]
    return json.loads(row["config_json"])
