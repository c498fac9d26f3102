"""Start-up weight: what a screen's coordinator and a spawned worker import."""

from __future__ import annotations

import subprocess
import sys

import pytest

from redoxscreen.runtime.lazy import lazy_names


def _loaded(code: str, modules: list[str]) -> list[str]:
    """The ``modules`` that are in ``sys.modules`` after ``code`` runs in a fresh process."""
    probe = f"{code}\nimport sys\nprint(' '.join(m for m in {modules!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return out.stdout.split()


def test_screen_coordinator_loads_no_learning_stack():
    """The coordinator of `redoxscreen screen` reads the model card and runs the store: it
    must not import scikit-learn, PyTorch or matplotlib before its workers start."""
    code = ("import redoxscreen.cli.screen, redoxscreen.pipeline.screen, redoxscreen.screen.run,"
            " redoxscreen.screen.store")
    assert _loaded(code, ["sklearn", "torch", "matplotlib", "typer"]) == ["typer"]


def test_entry_point_module_is_light():
    """A spawned worker re-imports the parent's main module: for the `redoxscreen` command
    that is `redoxscreen.__main__`, which must not import the CLI."""
    assert _loaded("import redoxscreen.__main__", ["typer", "pandas", "redoxscreen.cli"]) == []


def test_lazy_names_resolve_on_first_use_and_reject_others():
    getattr_, names = lazy_names("redoxscreen.screen", {"ScreenSettings": "settings"})
    from redoxscreen.screen.settings import ScreenSettings

    assert names == ["ScreenSettings"]
    assert getattr_("ScreenSettings") is ScreenSettings
    with pytest.raises(AttributeError, match="no attribute 'run'"):
        getattr_("run")
