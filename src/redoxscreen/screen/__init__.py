"""Streaming screening of molecule libraries: chunks → predictions → potentials → pass/fail."""

from redoxscreen.screen.reader import Chunk, iter_chunks
from redoxscreen.screen.run import RoleResult, ScreenSummary, fit_calibrators, run_screen
from redoxscreen.screen.settings import ScreenSettings

__all__ = ["Chunk", "RoleResult", "ScreenSettings", "ScreenSummary", "fit_calibrators",
           "iter_chunks", "run_screen"]
