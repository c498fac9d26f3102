"""``python -m redoxscreen`` and the ``redoxscreen`` command.

The command line is imported inside :func:`main`, not at module level: a spawned worker
process imports its parent's main module again (``multiprocessing``'s spawn), and the whole
CLI (Typer and every sub-command's library, ~2 s) would then load in each of them.
"""

from __future__ import annotations


def main() -> None:
    from redoxscreen.cli.main import app

    app()


if __name__ == "__main__":
    main()
