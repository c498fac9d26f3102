r"""Vertical IE and EA from tblite's tight binding (IPEA1-xTB by default; GFN2-xTB optional).

Recipe per molecule: RDKit 3-D embedding (ETKDG v3, seeded) → MMFF94 relaxation (UFF fallback) →
optionally an xTB geometry optimisation (L-BFGS on tblite gradients) → single points of the
neutral (charge q), cation (q + 1) and anion (q − 1), each with ``uhf`` = number of unpaired
electrons (0 or 1 from the electron count: radicals such as TEMPO and all odd-electron ions are
doublets). Then

.. math:: \mathrm{IE} = E_{q+1} - E_q - \Delta, \qquad \mathrm{EA} = E_q - E_{q-1} - \Delta

with :math:`\Delta = 4.8455` eV, the empirical shift of the IPEA-xTB paper (Ásgeirsson, Bauer &
Grimme, Chem. Sci. 8, 4879 (2017); also what ``xtb --vipea`` subtracts). Raw xTB energy
differences sit about 5 eV above DFT before this shift.

In solution (``solvent=``) every state is computed with tblite's implicit solvent (ALPB, or
GBSA), so IE and EA are the solvated ones, and the oxidation and reduction potentials follow on
the absolute scale, :math:`E_\mathrm{ox} = \mathrm{IE}_\mathrm{solv}/e`,
:math:`E_\mathrm{red} = \mathrm{EA}_\mathrm{solv}/e`, reported vs Li/Li⁺ through SHE = 4.44 V
absolute and Li/Li⁺ = −3.04 V vs SHE (:mod:`redoxscreen.electrochem.scales`). The empirical
shift :math:`\Delta` is kept; it is not a solution-phase reference, so a line fitted on measured
potentials (``redoxscreen calibrate``) remains the way to absolute accuracy. ``adiabatic=True``
relaxes the neutral, the cation and the anion each at its own charge (xTB gradients).

``li_bound=True`` adds the Li-bound reduced form, the product at a Li electrode or in a Li⁺
electrolyte (:mod:`.li_sites`): with the neutral relaxed, LiQ (one Li atom added, a doublet) is
relaxed from each candidate site and the lowest is kept,

.. math:: E_\mathrm{bind} = E(\mathrm{Q}) + E(\mathrm{Li}_\mathrm{gas}) - E(\mathrm{LiQ}),
   \qquad E_\mathrm{red,Li} = E_\mathrm{bind} - E_\mathrm{coh}(\mathrm{Li})

(``li_bind_ev``; ``e_red_li_v_li`` vs Li/Li⁺ by the cycle Q + Li(s) → LiQ with Li's cohesive
energy 1.63 eV). This raw xTB potential sits about 2 V high on DFT Li-reduction potentials of
quinones, so use it through a fitted line; it tracks them better than the vertical EA does
(``bench/bench_oracle_li.py``). Use GFN2-xTB for it: IPEA1-xTB's Li-bound form correlated
r = 0.75 with those potentials, GFN2's 0.88 (292 quinones).
"""

from __future__ import annotations

import time

import numpy as np
from rdkit import Chem
from rdkit.Chem import AllChem

from redoxscreen.chem import to_mol
from redoxscreen.electrochem.scales import convert_potential
from redoxscreen.electrochem.windows import solvent_name
from redoxscreen.oracle.base import ORACLES, OracleResult
from redoxscreen.oracle.li_sites import LI_START_A, li_sites, li_start
from redoxscreen.runtime.errors import ConfigError

HARTREE_EV = 27.211386245988
ANGSTROM_BOHR = 1.0 / 0.529177210903
IPEA_SHIFT_EV = 4.8455
LI_COHESIVE_EV = 1.63  # Li metal's cohesive energy (Kittel, Introduction to Solid State Physics)
MAX_Z = 86  # the GFN/IPEA parameterisations cover H–Rn
METHODS = ("IPEA1-xTB", "GFN2-xTB", "GFN1-xTB")
SOLVATION = ("alpb", "gbsa")
# our solvent names (electrochem/windows.csv) → tblite's parameterised solvents; the carbonates
# have no ALPB/GBSA parameters
TBLITE_SOLVENTS = {
    "alpb": {"acetonitrile": "acetonitrile", "dimethyl sulfoxide": "dmso",
             "N,N-dimethylformamide": "dmf", "tetrahydrofuran": "thf", "water": "water"},
    "gbsa": {"acetonitrile": "acetonitrile", "dimethyl sulfoxide": "dmso",
             "N,N-dimethylformamide": "dmf", "tetrahydrofuran": "thf", "water": "h2o"},
}


def tblite_solvent(name: str, model: str = "alpb") -> str:
    """tblite's name of a solvent of ``windows.csv`` (aliases accepted) for ALPB or GBSA."""
    if model not in SOLVATION:
        raise ConfigError(f"unknown implicit solvent model {model!r}; use alpb or gbsa")
    ours = solvent_name(name)
    known = TBLITE_SOLVENTS[model]
    if ours not in known:
        raise ConfigError(f"{model.upper()} has no parameters for {ours}; solvents with "
                          f"parameters: {', '.join(known)}")
    return known[ours]


def embed(mol: Chem.Mol, seed: int = 0) -> tuple[Chem.Mol | None, str]:
    """Add hydrogens, embed one ETKDG conformer, relax it; ``(None, reason)`` on failure."""
    mol = Chem.AddHs(mol)
    params = AllChem.ETKDGv3()
    params.randomSeed = seed
    if AllChem.EmbedMolecule(mol, params) != 0:
        params.useRandomCoords = True
        if AllChem.EmbedMolecule(mol, params) != 0:
            return None, "3-D embedding failed"
    try:
        if AllChem.MMFFHasAllMoleculeParams(mol):
            AllChem.MMFFOptimizeMolecule(mol, maxIters=500)
        elif AllChem.UFFHasAllMoleculeParams(mol):
            AllChem.UFFOptimizeMolecule(mol, maxIters=500)
    except Exception:  # a failed relaxation keeps the embedded geometry
        pass
    return mol, ""


@ORACLES.register("xtb", reads="smiles")
class XTBOracle:
    """Labeller using tblite (``pip install tblite``).

    Parameters
    ----------
    method : ``IPEA1-xTB`` (made for IP/EA), ``GFN2-xTB`` or ``GFN1-xTB``.
    shift_ev : subtracted from raw IE and EA (default: the IPEA-xTB shift).
    optimize : relax the neutral geometry with xTB before the single points.
    seed : embedding seed.
    solvent : implicit solvent (a name of ``redoxscreen solvents`` with parameters); ``None``:
        gas phase.
    solvation : ``alpb`` (default) or ``gbsa``.
    adiabatic : relax each charge state at its own charge (implies ``optimize``).
    li_bound : also the Li-bound reduced form, ``li_bind_ev`` and ``e_red_li_v_li`` (implies
        ``optimize``; in solution, the form that potentials at a Li electrode refer to).
    max_li_sites : how many symmetry-distinct binding sites to relax LiQ from (lowest kept).
    threads : OpenMP threads per molecule; parallelise over molecules instead (workers).
    """

    def __init__(self, method: str = "IPEA1-xTB", shift_ev: float = IPEA_SHIFT_EV,
                 optimize: bool = False, seed: int = 0, max_iterations: int = 250,
                 solvent: str | None = None, solvation: str = "alpb", adiabatic: bool = False,
                 li_bound: bool = False, max_li_sites: int = 2, threads: int = 1):
        if method not in METHODS:
            raise ConfigError(f"unknown xTB method {method!r}; use one of {', '.join(METHODS)}")
        self.method = method
        self.shift_ev = shift_ev
        self.optimize = optimize or adiabatic or li_bound
        self.seed = seed
        self.max_iterations = max_iterations
        self.solvent = solvent
        self.solvation = solvation
        self.adiabatic = adiabatic
        self.li_bound = li_bound
        self.max_li_sites = max_li_sites
        self.threads = threads
        self._tblite_solvent = tblite_solvent(solvent, solvation) if solvent else None
        self.targets = (("ie_ev", "ea_ev") + (("e_ox_v_li", "e_red_v_li") if solvent else ())
                        + (("li_bind_ev", "e_red_li_v_li") if li_bound else ()))
        where = f"+{solvation.upper()}({self._tblite_solvent})" if solvent else ""
        self.name = (f"tblite:{method}{where}{':adiabatic' if adiabatic else ''}"
                     f"{':li-bound' if li_bound else ''}")

    def _calculator(self, numbers: np.ndarray, positions: np.ndarray, charge: int,
                    solvated: bool = True) -> object:
        from tblite.interface import Calculator

        n_electrons = int(numbers.sum()) - charge
        calc = Calculator(self.method, numbers, positions, charge=float(charge),
                          uhf=n_electrons % 2)
        calc.set("verbosity", 0)
        calc.set("max-iter", self.max_iterations)
        if self._tblite_solvent and solvated:
            calc.add(f"{self.solvation}-solvation", self._tblite_solvent)
        return calc

    def _energy(self, numbers: np.ndarray, positions: np.ndarray, charge: int,
                solvated: bool = True) -> float:
        calc = self._calculator(numbers, positions, charge, solvated)
        return float(calc.singlepoint().get("energy"))

    def _relax(self, numbers: np.ndarray, positions: np.ndarray, charge: int,
               gtol: float = 1e-4, max_steps: int = 200) -> tuple[np.ndarray, float]:
        """The relaxed positions (bohr) and their energy (hartree)."""
        from scipy.optimize import minimize

        # one calculator per relaxation, moved step to step, each SCF started from the last
        # step's wavefunction (a new calculator per step repeats the set-up and a cold SCF)
        calc, last = self._calculator(numbers, positions, charge), [None]

        def f(x: np.ndarray) -> tuple[float, np.ndarray]:
            calc.update(x.reshape(-1, 3))
            last[0] = calc.singlepoint(last[0])
            return float(last[0].get("energy")), last[0].get("gradient").ravel()

        out = minimize(f, positions.ravel(), jac=True, method="L-BFGS-B",
                       options={"maxiter": max_steps, "gtol": gtol})
        return out.x.reshape(-1, 3), float(out.fun)

    def _li_binding_ev(self, mol3d: Chem.Mol, numbers: np.ndarray, positions: np.ndarray,
                       charge: int, e_neutral_ev: float) -> float | None:
        """:math:`E_\\mathrm{bind}` (eV) from the lowest LiQ over the sites; ``None`` without
        a site. The looser gradient tolerance moves it by < 0.01 eV and halves the steps."""
        sites = li_sites(mol3d, self.max_li_sites)
        if not sites:
            return None
        with_li = np.append(numbers, 3)
        e_liq = min(self._relax(with_li, np.vstack([positions, li_start(
            positions, mol3d, site, LI_START_A * ANGSTROM_BOHR)]), charge,
            gtol=1e-3, max_steps=150)[1] for site in sites)
        e_li = self._energy(np.array([3]), np.zeros((1, 3)), 0, solvated=False)
        return e_neutral_ev + (e_li - e_liq) * HARTREE_EV

    def label(self, smiles: str) -> OracleResult:
        import tblite.interface  # noqa: F401  (loads the OpenMP runtime the limit applies to)
        from threadpoolctl import threadpool_limits

        # one OpenMP and BLAS thread: on drug-sized molecules tblite's threads cost more than
        # they give (8 quinones, Li-bound, 2 workers: 158 s with 2 threads each, 8.4 s with one)
        with threadpool_limits(self.threads):
            return self._label(smiles)

    def _label(self, smiles: str) -> OracleResult:
        t0 = time.perf_counter()
        mol, reason = to_mol(smiles)
        if mol is None:
            return OracleResult.failed(smiles, reason, self.name)
        heavy = sorted({a.GetSymbol() for a in mol.GetAtoms() if a.GetAtomicNum() > MAX_Z
                        or a.GetAtomicNum() == 0})
        if heavy:
            return OracleResult.failed(smiles, f"element(s) {', '.join(heavy)} outside the "
                                       f"{self.method} parameters", self.name)
        charge = Chem.GetFormalCharge(mol)
        mol3d, reason = embed(mol, self.seed)
        if mol3d is None:
            return OracleResult.failed(smiles, reason, self.name, time.perf_counter() - t0)
        numbers = np.array([a.GetAtomicNum() for a in mol3d.GetAtoms()])
        positions = mol3d.GetConformer().GetPositions() * ANGSTROM_BOHR
        energies = {}
        state = "neutral geometry"
        try:
            if self.optimize:  # a relaxation ends with its energy: no second single point
                positions, e_neutral = self._relax(numbers, positions, charge)
                energies[0] = e_neutral * HARTREE_EV
            for dq, name in ((0, "neutral"), (1, "cation"), (-1, "anion")):
                if dq in energies:
                    continue
                state = name
                e = (self._relax(numbers, positions, charge + dq)[1] if self.adiabatic and dq
                     else self._energy(numbers, positions, charge + dq))
                energies[dq] = e * HARTREE_EV
            state = "Li-bound reduced form"
            bind = (self._li_binding_ev(mol3d, numbers, positions, charge, energies[0])
                    if self.li_bound else None)
        except Exception as exc:  # tblite raises on SCF non-convergence and invalid input
            msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return OracleResult.failed(smiles, f"xTB failed for the {state}: {msg}", self.name,
                                       time.perf_counter() - t0)
        ie = energies[1] - energies[0] - self.shift_ev
        ea = energies[0] - energies[-1] - self.shift_ev
        e_ox = e_red = None
        if self.solvent:  # solvated IE/EA (eV) are absolute potentials (V)
            e_ox = float(convert_potential(ie, "absolute", "vs_li"))
            e_red = float(convert_potential(ea, "absolute", "vs_li"))
        note = ("no Li site (C=O, C-O-, acceptor N): no Li-bound form"
                if self.li_bound and bind is None else "")
        return OracleResult(smiles, ie, ea, "ok", note, time.perf_counter() - t0, self.name,
                            e_ox, e_red, bind,
                            None if bind is None else bind - LI_COHESIVE_EV)
