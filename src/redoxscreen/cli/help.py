"""Help texts that name the registered parts: ``{models}``, ``{featurizers}``, ``{uncertainty}``,
``{oracles}``, ``{acquisitions}``, ``{strategies}``, ``{generators}``, filled from the registries
only when a command's help is shown, so ``redoxscreen solvents`` and ``redoxscreen --help`` do
not import every model."""

from __future__ import annotations

import importlib

from typer.core import TyperCommand

_REGISTRIES = {"models": ("redoxscreen.models", "MODELS"),
               "featurizers": ("redoxscreen.features", "FEATURIZERS"),
               "uncertainty": ("redoxscreen.evaluation.calibration", "INTERVALS"),
               "oracles": ("redoxscreen.oracle", "ORACLES"),
               "acquisitions": ("redoxscreen.campaign.acquisition", "ACQUISITIONS"),
               "strategies": ("redoxscreen.models.transfer_heads", "HEADS"),
               "generators": ("redoxscreen.design.generators", "GENERATORS")}


class _Lists(dict):
    """``{models}`` → ``dmpnn, et, fcnn, ...``, loading only the registry a text names."""

    def __missing__(self, key: str) -> str:
        if key not in _REGISTRIES:
            return "{" + key + "}"
        module, name = _REGISTRIES[key]
        self[key] = ", ".join(getattr(importlib.import_module(module), name).names())
        return self[key]


class RegistryHelpCommand(TyperCommand):
    _lists = _Lists()

    def format_help(self, ctx: object, formatter: object) -> None:
        for param in self.params:
            if param.help and "{" in param.help:
                param.help = param.help.format_map(self._lists)
        super().format_help(ctx, formatter)
