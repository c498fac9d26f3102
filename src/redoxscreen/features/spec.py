"""Featurizer specs (``ecfp:r=2,bits=2048+conjugation``) and their JSON round trip (saved models
store the config, not objects). The parts and their options come from the registry."""

from __future__ import annotations

from redoxscreen.features.base import FEATURIZERS, MolFeaturizer
from redoxscreen.features.union import ConcatFeaturizer
from redoxscreen.runtime.errors import ConfigError, ModelFileError

PRESET_SPECS = {
    "default": "ecfp:r=1,bits=1024+ecfp:r=2,bits=2048+ecfp:r=3,bits=2048+conjugation",
    "qspr": "rdkit2d:set=qspr",
}
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}


def featurizer_from_config(config: dict) -> MolFeaturizer:
    """Rebuild a featurizer from :meth:`MolFeaturizer.get_config` output."""
    try:
        cls = FEATURIZERS[config["name"]].factory
    except (KeyError, ConfigError) as exc:
        raise ModelFileError(f"unknown featurizer in config: {config.get('name')!r}") from exc
    params = dict(config.get("params", {}))
    if cls is ConcatFeaturizer:
        params["featurizers"] = [featurizer_from_config(c) for c in config["featurizers"]]
    return cls(**params)


def make_featurizer(spec: str, n_jobs: int = 1) -> MolFeaturizer:
    """Featurizer from a short spec; several are joined with ``+`` (concatenated columns).

    Parts: ``ecfp:r=2,bits=2048[,counts|bits-only][,chirality]``, ``atompair:bits=2048``,
    ``torsion:bits=2048``, ``maccs``, ``rdkit2d[:set=all|qspr]``, ``conjugation`` (see
    ``redoxscreen featurizers``). Presets: ``default`` (multi-radius ECFP counts r = 1, 2, 3 +
    π-system descriptors), ``qspr`` (29 interpretable RDKit descriptors).
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
    if name not in FEATURIZERS.names():
        known = ", ".join(FEATURIZERS.names() + list(PRESET_SPECS))
        raise ConfigError(f"unknown featurizer {name!r}; known: {known}")
    part = FEATURIZERS[name]
    aliases, flags = part.options["aliases"], part.options["flags"]
    params: dict = {"n_jobs": n_jobs}
    for item in filter(None, (a.strip() for a in args.split(","))):
        key, sep, value = (x.strip() for x in item.partition("="))
        if not sep and key in flags:
            params[flags[key][0]] = flags[key][1]
            continue
        target = aliases.get(key, key)
        if target not in part.settings:
            options = sorted({*aliases, *flags, *part.settings})
            raise ConfigError(f"unknown {name} option {key!r} in {spec!r}; options: "
                              f"{', '.join(options) or 'none'}")
        if not sep:
            raise ConfigError(f"{name} option {key!r} in {spec!r} needs a value, e.g. {key}=2")
        params[target] = _parse(value, part.settings[target], f"{name} option {item!r}")
    return part.factory(**params)


def _parse(value: str, default: object, what: str) -> object:
    """A spec value, read as the type of the setting's default."""
    if isinstance(default, bool):
        if value.lower() not in _TRUE | _FALSE:
            raise ConfigError(f"{what}: write true or false")
        return value.lower() in _TRUE
    try:
        return type(default)(value) if isinstance(default, int | float) else value
    except ValueError as exc:
        raise ConfigError(f"{what}: {exc}") from exc
