"""``redoxscreen models``, ``featurizers`` and ``acquisitions``: the registered parts, their
settings."""

from __future__ import annotations

import typer
from rich.table import Table

from redoxscreen.cli.common import cli_command, out, print_json


def _settings_text(settings: dict, limit: int = 8) -> str:
    items = [f"{k}={v}" for k, v in settings.items()]
    return ", ".join(items[:limit]) + (f", … (+{len(items) - limit})" if len(items) > limit else "")


def _show(parts: list, title: str, as_json: bool, full: bool) -> None:
    if as_json:
        print_json([p.describe() for p in parts])
        return
    table = Table(title=title, show_lines=False)
    for c in ("name", "reads", "description", "settings (defaults)"):
        table.add_column(c, overflow="fold")
    for p in parts:
        d = p.describe()
        text = _settings_text(d["settings"], 10**6 if full else 8)
        spec = d.get("options", {})
        short = [f"{a}={t}" for a, t in spec.get("aliases", {}).items()] + list(
            spec.get("flags", {}))
        table.add_row(d["name"], d["reads"] or "", d["description"],
                      text + (f" (spec: {', '.join(short)})" if short else ""))
    out.print(table)


@cli_command
def models(
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
    full: bool = typer.Option(False, "--all", help="every setting, not the first eight"),
) -> None:
    """List the models (train --model, compare --models) and the settings --set may change."""
    from redoxscreen.models import MODELS

    _show(MODELS.parts(), "models (train --model NAME --set SETTING=VALUE)", as_json, full)


@cli_command
def featurizers(
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
) -> None:
    """List the featurizers of --featurizer specs and their options."""
    from redoxscreen.features import FEATURIZERS

    _show(FEATURIZERS.parts(), "featurizers (--featurizer 'NAME:OPTION=VALUE+NAME')", as_json,
          True)


@cli_command
def acquisitions(
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
) -> None:
    """List the acquisition functions of campaign propose/run --acquisition NAME[:key=value]."""
    from redoxscreen.campaign.acquisition import ACQUISITIONS

    _show(ACQUISITIONS.parts(), "acquisitions (--acquisition NAME:KEY=VALUE)", as_json, True)
