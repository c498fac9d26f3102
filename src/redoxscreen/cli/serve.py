"""``redoxscreen serve``."""

from __future__ import annotations

from pathlib import Path

import typer

from redoxscreen.cli.common import cli_command, out
from redoxscreen.runtime.errors import ConfigError


@cli_command
def serve(
    host: str = typer.Option("127.0.0.1", help="address to bind (localhost by default)"),
    port: int = typer.Option(8000),
    runs: Path = typer.Option(Path("runs"), help="folder searched for */model/model.json"),
    token: str | None = typer.Option(None, help="required for writes; needed when --host "
                                     "is not localhost"),
    jobs: int = typer.Option(1, help="screens run at the same time"),
    predict_workers: int = typer.Option(1, help="processes that answer predict requests "
                                        "(batched); 0: threads of the server"),
) -> None:
    """Serve the web workbench (predict, screen, browse results) and its JSON API (/docs)."""
    try:
        import uvicorn

        from redoxscreen.web import create_app
    except ImportError as exc:
        raise ConfigError("the web workbench needs its extra: pip install "
                          "'redoxscreen[web]'") from exc
    try:
        app = create_app(runs, token=token, host=host, jobs=jobs,
                         predict_workers=predict_workers)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    out.print(f"serving {runs.resolve()} on http://{host}:{port} (API docs: /docs)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
