"""The web workbench: a FastAPI app over the same pipeline functions the CLI calls."""

from redoxscreen.web.app import create_app

__all__ = ["create_app"]
