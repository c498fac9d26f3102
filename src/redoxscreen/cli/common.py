"""Shared CLI plumbing: results and listings on stdout, progress, warnings and errors on stderr
(so ``redoxscreen solvents | grep DMC`` works); user errors are one red line and exit code 2."""

from __future__ import annotations

import functools
import json
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from redoxscreen.cli.progress import RichBars
from redoxscreen.runtime.errors import ConfigError, RedoxscreenError
from redoxscreen.runtime.jsonio import json_default

out = Console()  # results, tables, listings
err = Console(stderr=True)  # progress, warnings, errors


def bars() -> RichBars:
    return RichBars(err)


def print_json(obj: object) -> None:
    """Machine-readable output (``--json``): plain JSON on stdout, nothing else."""
    typer.echo(json.dumps(obj, indent=2, default=json_default))


def default_out(command: str) -> Path:
    return Path("runs") / f"{command}-{time.strftime('%Y%m%d-%H%M%S')}"


def parse_settings(items: list[str], form: str = "PARAM=VALUE",
                   example: str = "n_estimators=500") -> dict[str, Any]:
    """``["n_estimators=100", "kernel=rbf"]`` → ``{"n_estimators": 100, "kernel": "rbf"}`` (values
    read as YAML scalars: numbers, booleans, strings); errors show ``form`` and ``example``."""
    import yaml

    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not (sep and key.strip()):
            raise ConfigError(f"--set {item!r}: write {form}, e.g. {example}")
        out[key.strip()] = yaml.safe_load(value)
    return out


def _show_warning(message: Warning | str, category: type[Warning], *args: Any, **kw: Any) -> None:
    err.print(f"[yellow]warning:[/yellow] {escape(str(message))}", highlight=False)


def cli_command(func: Callable) -> Callable:
    """Run a command; a :class:`RedoxscreenError` prints ``error: ...`` and exits with 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        warnings.showwarning = _show_warning
        try:
            return func(*args, **kwargs)
        except RedoxscreenError as exc:
            err.print(f"[bold red]error:[/bold red] {escape(str(exc))}", highlight=False)
            raise typer.Exit(code=2) from None
        except KeyboardInterrupt:
            err.print("[red]interrupted[/red]: finished steps are kept in the run folder")
            raise typer.Exit(code=130) from None

    return wrapper
