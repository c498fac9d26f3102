r"""From predicted IE/EA (eV) to oxidation/reduction potentials (V) on a named scale.

Every conversion is linear in the predicted energy, :math:`E = a\,X + b`, with the result on a
stated reference scale, then moved to the scale asked for:

* ``study`` — the reference study's rule, :math:`E_\mathrm{Li} = X - 1.40` for both roles;
* ``solvation`` — :math:`E_\mathrm{abs} = X + \Delta_\mathrm{solv}` with explicit offsets for
  oxidation (cation solvation lowers the IE) and reduction (anion solvation raises the EA);
  ``born`` is that with the offsets of the Born model (:mod:`.solvation`);
* ``linear`` — :math:`a` and :math:`b` fitted by least squares on measured potentials
  (``redoxscreen calibrate``): the right choice for gas-phase IE/EA, where the fixed shift is off
  by volts.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from redoxscreen.electrochem.scales import SHE_ABSOLUTE_V, STUDY_LI_SHIFT_V, convert_potential
from redoxscreen.electrochem.solvation import born_solvation_ev
from redoxscreen.runtime.errors import ConfigError

PROCESSES = ("oxidation", "reduction")


@dataclass(frozen=True)
class LinearMap:
    """:math:`E = a X + b` (V on ``scale``) for one role; ``n``/``mae_v`` describe a fit."""

    slope: float = 1.0
    intercept_v: float = 0.0
    n: int = 0
    mae_v: float | None = None


@dataclass(frozen=True)
class PotentialConversion:
    """How IE (oxidation) and EA (reduction) become potentials; see the module docstring."""

    method: str
    oxidation: LinearMap
    reduction: LinearMap
    scale: str = "vs_li"
    she_absolute_v: float = SHE_ABSOLUTE_V

    @classmethod
    def study(cls) -> PotentialConversion:
        shift = LinearMap(1.0, -STUDY_LI_SHIFT_V)
        return cls("study", shift, shift, "vs_li")

    @classmethod
    def identity(cls, scale: str = "vs_li") -> PotentialConversion:
        """For values that are potentials on ``scale`` already (a model trained on them)."""
        return cls("labels", LinearMap(), LinearMap(), scale)

    @classmethod
    def solvation(cls, oxidation_offset_v: float, reduction_offset_v: float,
                  she_absolute_v: float = SHE_ABSOLUTE_V) -> PotentialConversion:
        return cls("solvation", LinearMap(1.0, oxidation_offset_v),
                   LinearMap(1.0, reduction_offset_v), "absolute", she_absolute_v)

    @classmethod
    def born(cls, radius_angstrom: float, dielectric: float,
             she_absolute_v: float = SHE_ABSOLUTE_V) -> PotentialConversion:
        """Gas-phase IE/EA shifted by the Born solvation of the ion each process makes."""
        g = born_solvation_ev(radius_angstrom, dielectric)
        return cls("born", LinearMap(1.0, g), LinearMap(1.0, -g), "absolute", she_absolute_v)

    def potential(self, energy_ev: np.ndarray, role: str, to_scale: str = "vs_li") -> np.ndarray:
        """Potential (V on ``to_scale``) of a predicted IE (``oxidation``) or EA (``reduction``)."""
        m = self._map(role)
        e = m.slope * np.asarray(energy_ev, dtype=float) + m.intercept_v
        return convert_potential(e, self.scale, to_scale, self.she_absolute_v)

    def slope(self, role: str) -> float:
        """dE/dX: scales an energy uncertainty into a potential uncertainty."""
        return abs(self._map(role).slope)

    def _map(self, role: str) -> LinearMap:
        if role not in PROCESSES:
            raise ConfigError(f"unknown role {role!r}; use oxidation or reduction")
        return self.oxidation if role == "oxidation" else self.reduction

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> PotentialConversion:
        return cls(d["method"], LinearMap(**d["oxidation"]), LinearMap(**d["reduction"]),
                   d.get("scale", "vs_li"), d.get("she_absolute_v", SHE_ABSOLUTE_V))

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_dict(), indent=2))
        return path

    @classmethod
    def load(cls, path: str | Path) -> PotentialConversion:
        path = Path(path)
        if not path.exists():
            raise ConfigError(f"{path}: calibration file not found; make one with "
                              "'redoxscreen calibrate'")
        try:
            return cls.from_dict(json.loads(path.read_text()))
        except (KeyError, TypeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{path}: not a calibration file ({exc})") from exc


def fit_linear_map(energy_ev: np.ndarray, measured_v: np.ndarray, source: str = "data"
                   ) -> LinearMap:
    """Least-squares line from predicted/computed energies to measured potentials."""
    x, y = np.asarray(energy_ev, float), np.asarray(measured_v, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 3:
        raise ConfigError(f"{source}: a calibration line needs at least 3 molecules with both "
                          f"a prediction and a measured potential (got {len(x)})")
    if np.ptp(x) == 0:
        raise ConfigError(f"{source}: all energies are equal; the line cannot be fitted")
    a, b = np.polyfit(x, y, 1)
    return LinearMap(float(a), float(b), int(len(x)), float(np.mean(np.abs(a * x + b - y))))
