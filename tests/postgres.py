"""A private PostgreSQL server for tests: Debian's ``postgresql`` (installed with apt when it
is missing and this runs as root), a cluster in a temporary folder, trust auth on 127.0.0.1.

:func:`start` returns ``(url, stop)`` or the reason no server could be had."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def start() -> tuple[str, Callable[[], None]] | str:
    bindir = _bindir()
    root = os.geteuid() == 0
    if bindir is None:
        if not (root and shutil.which("apt-get")):
            return "PostgreSQL is missing and apt-get (as root) is not available to install it"
        got = subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"],
                             capture_output=True, text=True, timeout=900)
        bindir = _bindir()
        if got.returncode != 0 or bindir is None:
            return f"apt-get install postgresql failed: {got.stderr.strip()[-300:]}"
    # the server refuses to run as root: as root, run it as Debian's postgres user
    as_user = ["runuser", "-u", "postgres", "--"] if root else []
    data = Path(tempfile.mkdtemp(prefix="redoxscreen-pg-"))
    if root:
        shutil.chown(data, "postgres", "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def run(*cmd: object) -> subprocess.CompletedProcess:
        return subprocess.run([*as_user, *map(str, cmd)], capture_output=True, text=True,
                              timeout=120)

    steps = [(bindir / "initdb", "-D", data / "db", "-A", "trust", "-U", "postgres", "-N"),
             (bindir / "pg_ctl", "-D", data / "db", "-l", data / "log", "-w", "-o",
              f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off", "start"),
             (bindir / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "optuna")]
    for step in steps:
        got = run(*step)
        if got.returncode != 0:
            run(bindir / "pg_ctl", "-D", data / "db", "-m", "immediate", "stop")
            shutil.rmtree(data, ignore_errors=True)
            return f"{Path(str(step[0])).name} failed: {(got.stderr or got.stdout)[-300:]}"

    def stop() -> None:
        run(bindir / "pg_ctl", "-D", data / "db", "-m", "fast", "-w", "stop")
        shutil.rmtree(data, ignore_errors=True)

    return f"postgresql://postgres@127.0.0.1:{port}/optuna", stop
