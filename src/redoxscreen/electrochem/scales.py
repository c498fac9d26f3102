r"""Electrode-potential reference scales and IE/EA → potential conversions.

Scales (every potential's name says which one it is on):

* ``absolute`` — relative to an electron at rest in vacuum (V = eV per elementary charge);
* ``vs_she`` — versus the standard hydrogen electrode;
* ``vs_li`` — versus Li/Li⁺.

:math:`E_\mathrm{abs} = E_\mathrm{SHE} + E^\mathrm{abs}_\mathrm{SHE}` and
:math:`E_\mathrm{Li} = E_\mathrm{SHE} - E_\mathrm{Li/Li^+}^\mathrm{SHE}` with
:math:`E_\mathrm{Li/Li^+}^\mathrm{SHE} = -3.04` V. The absolute SHE potential is a convention:
4.44 V (Trasatti, IUPAC 1986) by default; 4.28 V (Isse & Gennaro 2010) is what the reference
study used for its absolute window (ACN −2.6/3.5 V vs SHE = 1.68/7.78 V absolute).

The study's oxidation/reduction rule :math:`E_\mathrm{Li} = \mathrm{IE}/e - 1.40` (and
:math:`\mathrm{EA}/e - 1.40`) is the absolute → Li/Li⁺ step with 4.44 − 3.04 = 1.40 V, applied to
the IE/EA as if they were solvated free energies.
"""

from __future__ import annotations

import numpy as np

from redoxscreen.runtime.errors import ConfigError

SCALES = ("absolute", "vs_she", "vs_li")
SHE_ABSOLUTE_V = 4.44  # Trasatti, Pure Appl. Chem. 58, 955 (1986), IUPAC recommendation
SHE_ABSOLUTE_V_ISSE_GENNARO = 4.28  # Isse & Gennaro, J. Phys. Chem. B 114, 7894 (2010)
LI_VS_SHE_V = -3.04  # Li⁺/Li in water, e.g. Bard, Parsons & Jordan (1985)
STUDY_LI_SHIFT_V = 1.40  # the study's IE − 1.40 V rule = SHE_ABSOLUTE_V + LI_VS_SHE_V


def _offset_vs_she(scale: str, she_absolute_v: float) -> float:
    """``E_scale = E_she + offset``."""
    if scale == "vs_she":
        return 0.0
    if scale == "absolute":
        return she_absolute_v
    if scale == "vs_li":
        return -LI_VS_SHE_V
    raise ConfigError(f"unknown potential scale {scale!r}; use one of {', '.join(SCALES)}")


def convert_potential(e_v: np.ndarray | float, from_scale: str, to_scale: str,
                      she_absolute_v: float = SHE_ABSOLUTE_V) -> np.ndarray | float:
    """Move potentials (V) from one reference scale to another."""
    shift = _offset_vs_she(to_scale, she_absolute_v) - _offset_vs_she(from_scale, she_absolute_v)
    return np.asarray(e_v, dtype=float) + shift if not np.isscalar(e_v) else float(e_v) + shift


def study_oxidation_v_li(ie_ev: np.ndarray | float) -> np.ndarray | float:
    """The study's rule: oxidation potential vs Li/Li⁺ = IE/e − 1.40 V."""
    return np.asarray(ie_ev, dtype=float) - STUDY_LI_SHIFT_V


def study_reduction_v_li(ea_ev: np.ndarray | float) -> np.ndarray | float:
    """The study's rule: reduction potential vs Li/Li⁺ = EA/e − 1.40 V."""
    return np.asarray(ea_ev, dtype=float) - STUDY_LI_SHIFT_V
