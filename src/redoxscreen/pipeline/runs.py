"""Run folders: each command writes its config, library versions and data hash beside its output."""

from __future__ import annotations

import json
import platform
import sys
import time
from importlib import metadata
from pathlib import Path

from redoxscreen.jsonutil import json_default

_PACKAGES = ("redoxscreen", "numpy", "scipy", "pandas", "rdkit", "scikit-learn", "torch",
             "lightgbm", "safetensors")


def library_versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0], "platform": platform.platform()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def write_json(path: Path, obj: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, default=json_default))
    tmp.replace(path)
    return path


class RunFolder:
    """``DIR/`` of one command: ``config.json``, ``versions.json``, then whatever the run adds."""

    def __init__(self, directory: str | Path, command: str, config: dict):
        self.path = Path(directory)
        self.path.mkdir(parents=True, exist_ok=True)
        self.started = time.time()
        write_json(self.path / "config.json",
                   {"command": command, "argv": sys.argv, "started": time.strftime(
                       "%Y-%m-%dT%H:%M:%S%z"), **config})
        write_json(self.path / "versions.json", library_versions())

    def file(self, name: str) -> Path:
        p = self.path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def write_json(self, name: str, obj: object) -> Path:
        return write_json(self.path / name, obj)
