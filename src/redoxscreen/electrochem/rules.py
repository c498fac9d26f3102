r"""Screening rules: which molecules are usable cathode (catholyte) or anode (anolyte) materials.

A molecule passes for a role when its whole uncertainty interval
:math:`[E_\mathrm{lo}, E_\mathrm{hi}]` lies inside the usable window (solvent ∩ collector)
and, if a target band is given, its predicted potential lies inside the band. The probability
of lying in the window treats the interval as a normal 95 % band around :math:`E`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr, ndtri  # normal CDF and its inverse (lighter than scipy.stats)

from redoxscreen.electrochem.windows import Window
from redoxscreen.runtime.errors import ConfigError


@dataclass(frozen=True)
class Role:
    """A screening role: the redox process it uses, the prefix of its potential columns, and
    which end of the window is better (a catholyte wants a high potential, an anolyte a low)."""

    name: str
    process: str
    prefix: str
    higher_is_better: bool


ROLES = {"cathode": Role("cathode", "oxidation", "e_ox", True),
         "anode": Role("anode", "reduction", "e_red", False)}
Z95 = float(ndtri(0.975))


def parse_band(text: str | None) -> tuple[float | None, float | None] | None:
    """``'3.0:3.29'``, ``'1.8:'`` or ``':2.5'`` → (low, high) in V; ``None`` → no band."""
    if not text:
        return None
    lo, sep, hi = text.partition(":")
    if not sep:
        raise ConfigError(f"band {text!r} must be LOW:HIGH in V (either side may be empty)")
    try:
        return (float(lo) if lo.strip() else None, float(hi) if hi.strip() else None)
    except ValueError as exc:
        raise ConfigError(f"band {text!r} must be LOW:HIGH in V, e.g. 3.0:3.29") from exc


@dataclass(frozen=True)
class ScreenRule:
    """Pass/fail for one role, on the window's scale (ranking is done by the results store)."""

    role: str
    window: Window
    band: tuple[float | None, float | None] | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ConfigError(f"unknown role {self.role!r}; use cathode or anode")

    @property
    def process(self) -> str:
        return ROLES[self.role].process

    def evaluate(self, e_v: np.ndarray, lo_v: np.ndarray, hi_v: np.ndarray
                 ) -> dict[str, np.ndarray]:
        """Window test of the interval ``[lo, hi]``, band test of ``e``, probability in window
        (normal with σ = interval width / 3.92) and the pass flag."""
        e, lo, hi = (np.asarray(a, float) for a in (e_v, lo_v, hi_v))
        in_window = self.window.contains(lo, hi)
        sigma = np.maximum((hi - lo) / (2 * Z95), 1e-9)
        p = ndtr((self.window.high_v - e) / sigma) - ndtr((self.window.low_v - e) / sigma)
        in_band = np.ones_like(in_window)
        if self.band is not None:
            b_lo, b_hi = self.band
            if b_lo is not None:
                in_band &= e >= b_lo
            if b_hi is not None:
                in_band &= e <= b_hi
        finite = np.isfinite(e)
        return {"in_window": in_window & finite,
                "in_band": in_band & finite, "p_window": np.where(finite, p, np.nan),
                "pass": in_window & in_band & finite}
