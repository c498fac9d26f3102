"""The ``redoxscreen`` command: one sub-command per module, each a thin call into the library.

Help texts name the registered parts through placeholders (``{models}``, ``{featurizers}``,
``{uncertainty}``, ``{oracles}``), filled from the registries when a command's help is shown,
so ``redoxscreen solvents`` and ``redoxscreen --help`` do not pay for importing every model.
"""

from __future__ import annotations

import importlib

import typer
from typer.core import TyperCommand

from redoxscreen.cli.compare import compare
from redoxscreen.cli.demo import demo
from redoxscreen.cli.library import enumerate_cmd, label
from redoxscreen.cli.parts import featurizers, models
from redoxscreen.cli.predict import evaluate, predict
from redoxscreen.cli.screen import calibrate, screen, solvents
from redoxscreen.cli.search import search
from redoxscreen.cli.train import train

_REGISTRIES = {"models": ("redoxscreen.models", "MODELS"),
               "featurizers": ("redoxscreen.features", "FEATURIZERS"),
               "uncertainty": ("redoxscreen.evaluation.calibration", "INTERVALS"),
               "oracles": ("redoxscreen.oracle", "ORACLES")}


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


app = typer.Typer(
    name="redoxscreen",
    help="Find organic redox-active molecules for batteries with machine learning.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
for command in (train, search, predict, evaluate, compare, screen, solvents, calibrate, models,
                featurizers, label, demo):
    app.command(cls=RegistryHelpCommand)(command)
app.command("enumerate", cls=RegistryHelpCommand)(enumerate_cmd)

if __name__ == "__main__":  # pragma: no cover
    app()
