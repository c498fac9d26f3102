"""The ``redoxscreen`` command: one sub-command per module, each a thin call into the library."""

from __future__ import annotations

import typer

from redoxscreen.cli.compare import compare
from redoxscreen.cli.demo import demo
from redoxscreen.cli.library import enumerate_cmd, label
from redoxscreen.cli.predict import evaluate, predict
from redoxscreen.cli.screen import calibrate, screen, solvents
from redoxscreen.cli.search import search
from redoxscreen.cli.train import train

app = typer.Typer(
    name="redoxscreen",
    help="Find organic redox-active molecules for batteries with machine learning.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(train)
app.command()(search)
app.command()(predict)
app.command()(evaluate)
app.command()(compare)
app.command()(screen)
app.command()(solvents)
app.command()(calibrate)
app.command("enumerate")(enumerate_cmd)
app.command()(label)
app.command()(demo)

if __name__ == "__main__":  # pragma: no cover
    app()
