"""The ``redoxscreen`` command: one sub-command per module, each a thin call into the library
(help texts list the registered parts: :mod:`redoxscreen.cli.help`)."""

from __future__ import annotations

import typer

from redoxscreen.cli.campaign import campaign_app
from redoxscreen.cli.compare import compare
from redoxscreen.cli.datasets import datasets_app
from redoxscreen.cli.demo import demo
from redoxscreen.cli.design import design
from redoxscreen.cli.distill import distill
from redoxscreen.cli.finetune import finetune
from redoxscreen.cli.help import RegistryHelpCommand
from redoxscreen.cli.index import index
from redoxscreen.cli.library import enumerate_cmd, label
from redoxscreen.cli.parts import acquisitions, featurizers, models
from redoxscreen.cli.predict import evaluate, predict
from redoxscreen.cli.screen import calibrate, screen, solvents
from redoxscreen.cli.search import search
from redoxscreen.cli.serve import serve
from redoxscreen.cli.train import train

app = typer.Typer(
    name="redoxscreen",
    help="Find organic redox-active molecules for batteries with machine learning.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
for command in (train, finetune, distill, search, predict, evaluate, compare, index, screen,
                solvents, calibrate, models, featurizers, acquisitions, label, demo, design,
                serve):
    app.command(cls=RegistryHelpCommand)(command)
app.command("enumerate", cls=RegistryHelpCommand)(enumerate_cmd)
app.add_typer(campaign_app, name="campaign")
app.add_typer(datasets_app, name="datasets")

if __name__ == "__main__":  # pragma: no cover
    app()
