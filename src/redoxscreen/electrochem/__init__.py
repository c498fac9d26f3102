"""Electrochemistry: IE/EA ↔ potentials on named scales, stability windows, screening rules.

No torch here: pure functions and small data classes.
"""

from redoxscreen.electrochem.conversion import LinearMap, PotentialConversion, fit_linear_map
from redoxscreen.electrochem.rules import ROLES, Role, ScreenRule, p_inside, parse_band
from redoxscreen.electrochem.scales import (
    LI_VS_SHE_V,
    SCALES,
    SHE_ABSOLUTE_V,
    SHE_ABSOLUTE_V_ISSE_GENNARO,
    STUDY_LI_SHIFT_V,
    convert_potential,
    study_oxidation_v_li,
    study_reduction_v_li,
)
from redoxscreen.electrochem.solvation import born_solvation_ev
from redoxscreen.electrochem.windows import Window, stability_window, window_table

__all__ = [
    "LI_VS_SHE_V",
    "ROLES",
    "SCALES",
    "SHE_ABSOLUTE_V",
    "SHE_ABSOLUTE_V_ISSE_GENNARO",
    "STUDY_LI_SHIFT_V",
    "LinearMap",
    "PotentialConversion",
    "Role",
    "ScreenRule",
    "Window",
    "born_solvation_ev",
    "convert_potential",
    "fit_linear_map",
    "p_inside",
    "parse_band",
    "stability_window",
    "study_oxidation_v_li",
    "study_reduction_v_li",
    "window_table",
]
