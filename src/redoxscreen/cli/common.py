"""Shared CLI plumbing: user errors as one red line (exit 2), warnings as yellow lines."""

from __future__ import annotations

import functools
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from redoxscreen.errors import ConfigError, RedoxscreenError

console = Console(stderr=True)


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
    console.print(f"[yellow]warning:[/yellow] {message}")


def cli_command(func: Callable) -> Callable:
    """Run a command; a :class:`RedoxscreenError` prints ``error: ...`` and exits with 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        warnings.showwarning = _show_warning
        try:
            return func(*args, **kwargs)
        except RedoxscreenError as exc:
            console.print(f"[bold red]error:[/bold red] {exc}", highlight=False)
            raise typer.Exit(code=2) from None
        except KeyboardInterrupt:
            console.print("[red]interrupted[/red]: finished steps are kept in the run folder")
            raise typer.Exit(code=130) from None

    return wrapper
