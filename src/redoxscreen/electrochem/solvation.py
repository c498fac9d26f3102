r"""Born solvation of an ion: the estimate used when no measured potentials are at hand to fit
a line from gas-phase IE/EA to solution potentials.

.. math:: \Delta G_\mathrm{solv} = -\frac{q^2 e^2}{8\pi\varepsilon_0 r}
          \left(1 - \frac{1}{\varepsilon_r}\right)

Oxidation makes a cation, whose solvation lowers the ionisation energy by
:math:`|\Delta G_\mathrm{solv}|`; reduction makes an anion, whose solvation raises the electron
affinity by as much. The neutral molecule's own solvation is neglected. A singly charged ion of
radius 4 Å in acetonitrile (:math:`\varepsilon_r \approx 36`) gives 1.75 eV — a rough, explicit
number: fit a line on measured potentials (``redoxscreen calibrate``) for real decisions.
"""

from __future__ import annotations

from redoxscreen.runtime.errors import ConfigError

COULOMB_EV_ANGSTROM = 14.3996454784  # e²/(4πε₀) in eV·Å (CODATA 2018)


def born_solvation_ev(radius_angstrom: float, dielectric: float, charge: int = 1) -> float:
    """:math:`\\Delta G_\\mathrm{solv}` (eV, negative) of an ion of ``charge`` and radius
    ``radius_angstrom`` in a continuum of relative permittivity ``dielectric``."""
    if radius_angstrom <= 0 or dielectric < 1:
        raise ConfigError(f"Born solvation needs a radius > 0 Å and a dielectric constant ≥ 1 "
                          f"(got {radius_angstrom} Å, ε = {dielectric})")
    return -(charge**2) * COULOMB_EV_ANGSTROM / (2 * radius_angstrom) * (1 - 1 / dielectric)
