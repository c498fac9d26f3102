"""Featurizers by name, and their JSON round trip (saved models store the config, not objects)."""

from __future__ import annotations

from redoxscreen.errors import ConfigError, ModelFileError
from redoxscreen.features.base import MolFeaturizer
from redoxscreen.features.conjugation import ConjugationFeaturizer
from redoxscreen.features.descriptors import RDKit2DFeaturizer
from redoxscreen.features.ecfp import ECFPFeaturizer
from redoxscreen.features.fingerprints import (
    AtomPairFeaturizer,
    MACCSFeaturizer,
    TorsionFeaturizer,
)
from redoxscreen.features.union import ConcatFeaturizer

FEATURIZERS: dict[str, type[MolFeaturizer]] = {
    "ecfp": ECFPFeaturizer,
    "conjugation": ConjugationFeaturizer,
    "rdkit2d": RDKit2DFeaturizer,
    "maccs": MACCSFeaturizer,
    "atompair": AtomPairFeaturizer,
    "torsion": TorsionFeaturizer,
    "concat": ConcatFeaturizer,
}

PRESET_SPECS = {
    "default": "ecfp:r=1,bits=1024+ecfp:r=2,bits=2048+ecfp:r=3,bits=2048+conjugation",
    "qspr": "rdkit2d:set=qspr",
}

# spec option → (constructor parameter, parser); flags without '=' take the given value
_OPTIONS = {
    "r": ("radius", int), "radius": ("radius", int),
    "bits": ("n_bits", int), "n_bits": ("n_bits", int),
    "counts": ("counts", True), "bits-only": ("counts", False),
    "chirality": ("chirality", True),
    "set": ("names", str),
}
_ALLOWED = {
    "ecfp": {"radius", "n_bits", "counts", "chirality"},
    "atompair": {"n_bits", "counts"},
    "torsion": {"n_bits", "counts"},
    "rdkit2d": {"names"},
    "maccs": set(),
    "conjugation": set(),
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
    """Featurizer from a short spec; several are joined with ``+`` (concatenated columns).

    Parts: ``ecfp:r=2,bits=2048[,counts|bits-only][,chirality]``, ``atompair:bits=2048``,
    ``torsion:bits=2048``, ``maccs``, ``rdkit2d[:set=all|qspr]``, ``conjugation``. Presets:
    ``default`` (multi-radius ECFP counts r = 1, 2, 3 + π-system descriptors), ``qspr``
    (29 interpretable RDKit descriptors).
    """
    spec = PRESET_SPECS.get(spec.strip(), spec)
    parts = [p.strip() for p in spec.split("+") if p.strip()]
    if not parts:
        raise ConfigError("empty featurizer spec; use e.g. 'ecfp:r=2,bits=2048' or 'default'")
    built = [_one(PRESET_SPECS.get(p, p), n_jobs) for p in parts]
    flat = [f for b in built for f in (b.featurizers if isinstance(b, ConcatFeaturizer) else [b])]
    return flat[0] if len(flat) == 1 else ConcatFeaturizer(flat, n_jobs=n_jobs)


def _one(spec: str, n_jobs: int) -> MolFeaturizer:
    if "+" in spec:  # a preset expanding to several
        return make_featurizer(spec, n_jobs)
    name, _, args = spec.partition(":")
    name = name.strip().lower()
    if name not in _ALLOWED:
        known = ", ".join(list(_ALLOWED) + list(PRESET_SPECS))
        raise ConfigError(f"unknown featurizer {name!r}; known: {known}")
    params: dict = {"n_jobs": n_jobs}
    for item in filter(None, (a.strip() for a in args.split(","))):
        key, sep, value = item.partition("=")
        target, parse = _OPTIONS.get(key.strip(), (None, None))
        if target not in _ALLOWED[name]:
            options = sorted(k for k, (t, _) in _OPTIONS.items() if t in _ALLOWED[name])
            raise ConfigError(f"unknown {name} option {key!r} in {spec!r}; options: "
                              f"{', '.join(options) or 'none'}")
        if isinstance(parse, bool):
            params[target] = parse
        elif not sep:
            raise ConfigError(f"{name} option {key!r} in {spec!r} needs a value, e.g. {key}=2")
        else:
            try:
                params[target] = parse(value.strip())
            except ValueError as exc:
                raise ConfigError(f"{name} option {item!r}: {exc}") from exc
    return FEATURIZERS[name](**params)
