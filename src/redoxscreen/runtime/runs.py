"""Run folders: each command writes its config, library versions and data hash beside its output."""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.jsonio import write_json

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


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes (recorded beside every run's output)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def config_digest(config: object) -> str:
    """A short stable hash of a JSON-able config: names caches and studies so that a restarted
    run reuses only results of identical work."""
    key = json.dumps(config, sort_keys=True, default=str)
    return hashlib.sha256(key.encode()).hexdigest()[:12]


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

    def write_json(self, name: str, obj: object, *, tidy_floats: bool = True) -> Path:
        """Outputs people read (metrics, summaries): floats without binary noise."""
        return write_json(self.path / name, obj, tidy_floats=tidy_floats)


@contextmanager
def run_lock(directory: str | Path, command: str) -> Iterator[None]:
    """Hold ``DIR/.lock`` (an OS advisory lock) while a command writes to ``DIR``: a second
    command on the same folder refuses at once instead of interleaving its writes. The OS drops
    the lock when the holder dies, so a killed run never leaves the folder locked."""
    import fcntl
    import os

    path = Path(directory) / ".lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = open(path, "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        fh.close()
        raise ConfigError(f"{directory} is in use by {holder}; wait for it to finish or "
                          "choose another --out") from None
    fh.seek(0)
    fh.truncate()
    fh.write(f"{command} (pid {os.getpid()})")
    fh.flush()
    try:
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def find_marked(root: str | Path, marker: str, depth: int = 4,
                parent: str | None = None) -> dict[str, Path]:
    """``{id: folder}`` of every folder up to ``depth`` levels under ``root`` holding the file
    ``marker`` (and, with ``parent``, named so: models are ``RUN/model/model.json``). The id
    is the path relative to ``root`` with ``/`` → ``~`` (of the folder's parent when
    ``parent`` is given: the run's name, not ``…~model``)."""
    root = Path(root)
    out = {}
    for d in range(1, depth + 1):
        for f in sorted(root.glob("/".join(["*"] * d) + "/" + marker)):
            folder = f.parent
            if parent is not None and folder.name != parent:
                continue
            key = folder.parent if parent is not None else folder
            out[str(key.relative_to(root)).replace("/", "~")] = folder
    return out

