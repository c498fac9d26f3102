"""Energy unit conversion to eV (CODATA 2018 values); non-energy targets pass unchanged."""

from __future__ import annotations

import numpy as np

from redoxscreen.runtime.errors import ConfigError

HARTREE_TO_EV = 27.211386245988
KCAL_PER_MOL_TO_EV = 0.0433641043
KJ_PER_MOL_TO_EV = 0.01036426965

_FACTORS = {
    "ev": 1.0,
    "hartree": HARTREE_TO_EV,
    "ha": HARTREE_TO_EV,
    "kcal/mol": KCAL_PER_MOL_TO_EV,
    "kcal_mol": KCAL_PER_MOL_TO_EV,
    "kj/mol": KJ_PER_MOL_TO_EV,
    "kj_mol": KJ_PER_MOL_TO_EV,
    # taken as they are: potentials in V (1 V ≙ 1 eV per electron), temperatures, anything else
    "v": 1.0,
    "k": 1.0,
    "c": 1.0,
    "none": 1.0,
}


def to_ev(values: np.ndarray | float, unit: str) -> np.ndarray | float:
    """Convert energies from ``unit`` (eV, hartree, kcal/mol, kJ/mol) to eV."""
    key = unit.strip().lower()
    if key not in _FACTORS:
        raise ConfigError(
            f"unknown unit {unit!r}; use one of: ev, hartree, kcal/mol, kj/mol (converted to "
            "eV), or v, k, c, none (taken as they are)"
        )
    return np.asarray(values, dtype=float) * _FACTORS[key] if not np.isscalar(values) else (
        float(values) * _FACTORS[key]
    )


def is_energy_unit(unit: str) -> bool:
    """True for units converted to eV (not for v, k, c, none)."""
    return unit.strip().lower() in _FACTORS and unit.strip().lower() not in ("v", "k", "c", "none")
