"""Featurizers by name, and their JSON round trip (saved models store the config, not objects)."""

from __future__ import annotations

from redoxscreen.errors import ConfigError, ModelFileError
from redoxscreen.features.base import MolFeaturizer
from redoxscreen.features.conjugation import ConjugationFeaturizer
from redoxscreen.features.ecfp import ECFPFeaturizer
from redoxscreen.features.union import ConcatFeaturizer

FEATURIZERS: dict[str, type[MolFeaturizer]] = {
    "ecfp": ECFPFeaturizer,
    "conjugation": ConjugationFeaturizer,
    "concat": ConcatFeaturizer,
}


def featurizer_from_config(config: dict) -> MolFeaturizer:
    """Rebuild a featurizer from :meth:`MolFeaturizer.get_config` output."""
    try:
        cls = FEATURIZERS[config["name"]]
    except KeyError as exc:
        raise ModelFileError(f"unknown featurizer in config: {config.get('name')!r}") from exc
    params = dict(config.get("params", {}))
    if cls is ConcatFeaturizer:
        params["featurizers"] = [featurizer_from_config(c) for c in config["featurizers"]]
    return cls(**params)


def make_featurizer(spec: str, n_jobs: int = 1) -> MolFeaturizer:
    """Featurizer from a short spec.

    ``ecfp:r=2,bits=2048,counts`` / ``ecfp:r=2,bits=1024,bits-only``, ``conjugation``, or several
    joined with ``+``; the preset ``default`` is multi-radius ECFP counts (r = 1, 2, 3) plus the
    π-system descriptors.
    """
    if spec == "default":
        spec = "ecfp:r=1,bits=1024+ecfp:r=2,bits=2048+ecfp:r=3,bits=2048+conjugation"
    parts = [p.strip() for p in spec.split("+") if p.strip()]
    if not parts:
        raise ConfigError("empty featurizer spec; use e.g. 'ecfp:r=2,bits=2048' or 'default'")
    built = [_one(p, n_jobs) for p in parts]
    return built[0] if len(built) == 1 else ConcatFeaturizer(built, n_jobs=n_jobs)


def _one(spec: str, n_jobs: int) -> MolFeaturizer:
    name, _, args = spec.partition(":")
    name = name.strip().lower()
    if name == "conjugation":
        return ConjugationFeaturizer(n_jobs=n_jobs)
    if name != "ecfp":
        raise ConfigError(f"unknown featurizer {name!r}; known: {', '.join(FEATURIZERS)}")
    params: dict = {"n_jobs": n_jobs}
    for item in filter(None, (a.strip() for a in args.split(","))):
        key, _, value = item.partition("=")
        if key in ("r", "radius"):
            params["radius"] = int(value)
        elif key in ("bits", "n_bits"):
            params["n_bits"] = int(value)
        elif key == "counts":
            params["counts"] = True
        elif key == "bits-only":
            params["counts"] = False
        elif key == "chirality":
            params["chirality"] = True
        else:
            raise ConfigError(f"unknown ECFP option {key!r} in {spec!r}; use r=, bits=, "
                              "counts, bits-only, chirality")
    return ECFPFeaturizer(**params)
