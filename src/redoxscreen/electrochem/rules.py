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

    def target_range(self) -> tuple[float, float]:
        """The band ∩ window in V (the whole window when there is no band)."""
        low, high = self.window.low_v, self.window.high_v
        if self.band is not None:
            b_lo, b_hi = self.band
            low = max(low, b_lo) if b_lo is not None else low
            high = min(high, b_hi) if b_hi is not None else high
        return low, high

    def p_target(self, e_v: np.ndarray, lo_v: np.ndarray, hi_v: np.ndarray) -> np.ndarray:
        """Probability that the potential lies in the band ∩ window (:func:`p_inside`)."""
        return p_inside(e_v, lo_v, hi_v, *self.target_range())

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


def p_inside(e_v: np.ndarray, lo_v: np.ndarray, hi_v: np.ndarray, low_v: float,
             high_v: float) -> np.ndarray:
    r"""Probability that a potential lies in ``[low_v, high_v]``.

    The interval ``[lo, hi]`` is read as a normal 95 % band around :math:`E`,
    :math:`\sigma = (hi - lo) / 3.92`, so
    :math:`P = \Phi((high - E)/\sigma) - \Phi((low - E)/\sigma)`, evaluated on the tail
    side that keeps its precision (far above the range both CDFs are ≈ 1). NaN where ``E`` is.
    An empty range (``low > high``) has probability 0.
    """
    e, lo, hi = (np.asarray(a, float) for a in (e_v, lo_v, hi_v))
    sigma = np.maximum((hi - lo) / (2 * Z95), 1e-9)
    a, b = (low_v - e) / sigma, (high_v - e) / sigma
    with np.errstate(invalid="ignore"):
        p = np.where(a > 0, ndtr(-a) - ndtr(-b), ndtr(b) - ndtr(a))
    p = np.clip(p, 0.0, 1.0) if high_v >= low_v else np.zeros_like(p)
    return np.where(np.isfinite(e), p, np.nan)
