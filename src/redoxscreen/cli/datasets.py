"""``redoxscreen datasets list | get``: the public sets of the field, as our tables."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from redoxscreen.cli.common import cli_command, out, print_json

datasets_app = typer.Typer(help="Public datasets: list them, download and convert one.",
                           no_args_is_help=True)


@datasets_app.command("list")
@cli_command
def list_cmd(as_json: bool = typer.Option(False, "--json", help="machine-readable")) -> None:
    """The sets ``get`` knows, with licence and citation."""
    from redoxscreen.data.sources import DATASETS

    sources = [DATASETS[n].factory() for n in DATASETS.names()]
    if as_json:
        print_json([s.describe() for s in sources])
        return
    table = Table(title="datasets (redoxscreen datasets get NAME)")
    for col in ("name", "what", "licence", "cite"):
        table.add_column(col)
    for s in sources:
        what = s.description + (f" [needs {s.needs_key}]" if s.needs_key else "")
        table.add_row(s.name, what, s.licence, s.citation)
    out.print(table)


@datasets_app.command("get")
@cli_command
def get_cmd(
    name: str = typer.Argument(..., help="a name of 'datasets list'"),
    out_dir: Path = typer.Option(Path("."), "--out", "-o", help="where NAME.csv and NAME.md go"),
    force: bool = typer.Option(False, help="download again even if cached"),
) -> None:
    """Download NAME to the cache (checked by SHA-256), convert it, write OUT/NAME.csv + card."""
    from redoxscreen.data.sources import get_dataset

    path = get_dataset(name, out_dir, force=force)
    out.print(f"wrote [bold]{path}[/bold] and {path.with_suffix('.md')}")
