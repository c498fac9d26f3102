r"""Global descriptors of the π system: conjugation size and Hückel frontier-orbital energies.

ECFP sees local environments only; ionisation energy and electron affinity of conjugated
molecules depend on how far the π system extends. These descriptors give that global view.

Hückel model
------------
Each π centre ``i`` gets a Coulomb integral :math:`\alpha_i = \alpha + h_i\beta` and each π bond
a resonance integral :math:`\beta_{ij} = k_{ij}\beta` (Streitwieser-type heteroatom parameters;
halogens bonded to a π centre join it with their lone pair). With :math:`\alpha = 0` and
:math:`\beta = -1` the orbital energies :math:`\varepsilon` are the eigenvalues of
:math:`-(\mathrm{diag}(h) + K)`, in units of :math:`|\beta|`. Electrons fill each conjugated system
separately (aufbau, two per orbital); the molecule's HOMO is the highest occupied orbital of any
system and its LUMO the lowest empty one (a singly occupied orbital counts as both).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from rdkit import Chem

from redoxscreen.chem.smiles import SANITIZE_NO_STEREO
from redoxscreen.features.base import MolFeaturizer, register_featurizer

# element -> (h, k, electrons) for the lone-pair (2-electron) donor form
_DONOR = {7: (1.5, 0.8), 8: (2.0, 0.8), 16: (0.5, 0.6), 34: (0.4, 0.5), 15: (0.8, 0.7),
          9: (3.0, 0.7), 17: (2.0, 0.4), 35: (1.5, 0.3), 53: (1.0, 0.2)}
# element -> (h, k) for the 1-electron (double-bonded / pyridine-type) form
_ACCEPTOR = {6: (0.0, 1.0), 7: (0.5, 1.0), 8: (1.0, 1.0), 16: (0.5, 0.6), 34: (0.4, 0.5),
             15: (0.4, 0.7), 5: (-1.0, 0.7), 14: (-0.5, 0.6)}
_HALOGENS = {9, 17, 35, 53}
_BOND_FACTOR = {Chem.BondType.SINGLE: 0.9, Chem.BondType.DOUBLE: 1.1,
                Chem.BondType.TRIPLE: 1.1, Chem.BondType.AROMATIC: 1.0}
_PI_BONDS = (Chem.BondType.DOUBLE, Chem.BondType.TRIPLE, Chem.BondType.AROMATIC)
_NO_PI_HOMO, _NO_PI_LUMO = -3.0, 3.0  # sentinel energies (|β| units) for σ-only molecules
_ELEMENTS = (("N", 7), ("O", 8), ("S", 16), ("F", 9), ("Cl", 17), ("Br", 35), ("I", 53),
             ("B", 5), ("Si", 14), ("P", 15), ("Se", 34))

FEATURE_NAMES = [
    "hmo_homo", "hmo_lumo", "hmo_gap", "hmo_homo_largest", "hmo_lumo_largest",
    "pi_atoms_largest", "pi_electrons_largest", "pi_atoms_total", "pi_fraction",
    "n_pi_systems", "hetero_pi_largest", "n_heavy", "n_rings", "n_aromatic_rings",
    "rings_in_largest", "formal_charge", "radical_electrons",
] + [f"n_{sym}" for sym, _ in _ELEMENTS]


def _centre(atom: Chem.Atom, has_double: bool) -> tuple[float, float, int]:
    """(h, k, π electrons) of a π centre; ``has_double``: it carries a double or triple bond."""
    z, q = atom.GetAtomicNum(), atom.GetFormalCharge()
    if z == 6 or z not in _DONOR:
        h, k = _ACCEPTOR.get(z, (0.0, 0.8))
        return h + 1.0 * q, k, max(0, 1 - q)
    if z in _HALOGENS:
        h, k = _DONOR[z]
        return h, k, 2
    pyridine_like = has_double or (atom.GetIsAromatic() and atom.GetTotalDegree() == 2)
    if q > 0:  # pyridinium / nitro N: strongly electron-poor 1-electron centre
        return 2.0, 1.0, 1
    if q < 0:  # phenolate O, amide anion: donor
        return 1.0, 0.8, 2
    if pyridine_like:
        h, k = _ACCEPTOR[z]
        return h, k, 1
    h, k = _DONOR[z]
    return h, k, 2


def _frontier(h: np.ndarray, kmat: np.ndarray, n_electrons: int) -> tuple[float, float]:
    """HOMO and LUMO energies (|β| units) of one conjugated system."""
    homo, lumo, _, _ = _frontier_orbitals(h, kmat, n_electrons, densities=False)
    return homo, lumo


def _frontier_orbitals(h: np.ndarray, kmat: np.ndarray, n_electrons: int,
                       densities: bool = True) -> tuple[float, float, np.ndarray, np.ndarray]:
    """HOMO and LUMO energies (|β| units) of one conjugated system and, per centre, the
    frontier-orbital densities :math:`c_i^2` (summed over a degenerate level and divided by its
    degeneracy, so each sums to 1 over the system; zeros for a missing orbital)."""
    n_orb = len(h)
    if densities:
        eps, vecs = np.linalg.eigh(-(np.diag(h) + kmat))
    else:
        eps, vecs = np.sort(-np.linalg.eigvalsh(np.diag(h) + kmat)), None
    n_electrons = min(max(n_electrons, 0), 2 * n_orb)
    n_full, odd = divmod(n_electrons, 2)
    if odd:
        i_homo = i_lumo = n_full
    else:
        i_homo, i_lumo = n_full - 1, n_full
    homo = float(eps[i_homo]) if i_homo >= 0 else _NO_PI_HOMO
    lumo = float(eps[i_lumo]) if i_lumo < n_orb else _NO_PI_LUMO

    def density(i: int) -> np.ndarray:
        if vecs is None or not 0 <= i < n_orb:
            return np.zeros(n_orb)
        level = np.abs(eps - eps[i]) < 1e-6  # the whole degenerate level
        return (vecs[:, level] ** 2).sum(axis=1) / level.sum()

    return homo, lumo, density(i_homo), density(i_lumo)


def _pi_systems(mol: Chem.Mol) -> list[tuple[list[int], np.ndarray, np.ndarray, int]]:
    """Each conjugated system as (atom indices, Coulomb terms h, resonance matrix, π electrons).

    Atoms and bonds are read from RDKit once (each access through its Python sequences costs
    microseconds, which dominated this function when it looped over them repeatedly)."""
    atoms = list(mol.GetAtoms())
    bonds = [(b.GetBeginAtomIdx(), b.GetEndAtomIdx(), b.GetBondType(), b.GetIsConjugated())
             for b in mol.GetBonds()]
    pi, multiple = set(), set()
    for i, j, kind, conjugated in bonds:
        if conjugated or kind in _PI_BONDS:
            pi.update((i, j))
        if kind in (Chem.BondType.DOUBLE, Chem.BondType.TRIPLE):
            multiple.update((i, j))
    conjugated_atoms = set(pi)  # halogens conjugate through a lone pair; RDKit leaves them out
    for i, j, _, _ in bonds:
        for a, b in ((i, j), (j, i)):
            if b in conjugated_atoms and atoms[a].GetAtomicNum() in _HALOGENS:
                pi.add(a)
    # connected components of the π graph
    parent = {i: i for i in pi}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pi_bonds = [(i, j, kind) for i, j, kind, _ in bonds if i in pi and j in pi]
    for i, j, _ in pi_bonds:
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[ri] = rj
    groups: dict[int, list[int]] = {}
    for i in sorted(pi):
        groups.setdefault(find(i), []).append(i)
    group_bonds: dict[int, list[tuple[int, int, object]]] = {}
    for bond in pi_bonds:
        group_bonds.setdefault(find(bond[0]), []).append(bond)

    centre = {i: _centre(atoms[i], i in multiple) for i in pi}
    systems = []
    for root, members in groups.items():
        pos = {a: j for j, a in enumerate(members)}
        h = np.array([centre[a][0] for a in members])
        kmat = np.zeros((len(members), len(members)))
        for i, j, kind in group_bonds.get(root, []):
            kij = centre[i][1] * centre[j][1] * _BOND_FACTOR.get(kind, 1.0)
            kmat[pos[i], pos[j]] = kmat[pos[j], pos[i]] = kij
        systems.append((members, h, kmat, sum(centre[a][2] for a in members)))
    return systems


ATOM_FEATURE_NAMES = ["pi_centre", "hmo_h", "homo_density", "lumo_density",
                      "system_homo", "system_lumo"]


def atom_frontier_features(mol: Chem.Mol) -> np.ndarray:
    """Per atom (rows in RDKit atom order), the :data:`ATOM_FEATURE_NAMES` columns: whether it
    is a π centre, its Coulomb term, its density in the molecule's Hückel HOMO and LUMO (zero
    outside the systems holding them), and the HOMO/LUMO energies of its own π system (the
    σ-only sentinels for atoms in none). By first-order perturbation theory a substituent
    shifts a frontier level in proportion to the density at the atom it sits on, which a
    message-passing net of depth 3 cannot see on a large π system."""
    out = np.zeros((mol.GetNumAtoms(), len(ATOM_FEATURE_NAMES)))
    out[:, 4], out[:, 5] = _NO_PI_HOMO, _NO_PI_LUMO
    homo, lumo, homo_rows, lumo_rows = _NO_PI_HOMO, _NO_PI_LUMO, None, None
    for atoms, h, kmat, n_el in _pi_systems(mol):
        s_homo, s_lumo, d_homo, d_lumo = _frontier_orbitals(h, kmat, n_el)
        out[atoms, 0], out[atoms, 1] = 1.0, h
        out[atoms, 4], out[atoms, 5] = s_homo, s_lumo
        if s_homo > homo:
            homo, homo_rows = s_homo, (atoms, d_homo)
        if s_lumo < lumo:
            lumo, lumo_rows = s_lumo, (atoms, d_lumo)
    for col, rows in ((2, homo_rows), (3, lumo_rows)):
        if rows is not None:
            out[rows[0], col] = rows[1]
    return out


def conjugation_descriptors(mol: Chem.Mol) -> np.ndarray:
    """The :data:`FEATURE_NAMES` vector of one molecule."""
    systems = _pi_systems(mol)
    pi = [a for atoms, *_ in systems for a in atoms]
    homo, lumo = _NO_PI_HOMO, _NO_PI_LUMO
    largest: list[int] = []
    homo_l, lumo_l, elec_l = _NO_PI_HOMO, _NO_PI_LUMO, 0
    for atoms, h, kmat, n_el in systems:
        s_homo, s_lumo = _frontier(h, kmat, n_el)
        homo, lumo = max(homo, s_homo), min(lumo, s_lumo)
        if len(atoms) > len(largest):
            largest, homo_l, lumo_l, elec_l = atoms, s_homo, s_lumo, n_el

    ring_info = mol.GetRingInfo()
    rings = ring_info.AtomRings()
    largest_set = set(largest)
    rings_in_largest = sum(all(a in largest_set for a in r) for r in rings)
    n_heavy = mol.GetNumHeavyAtoms()
    counts = {z: 0 for _, z in _ELEMENTS}
    charge = radicals = 0
    numbers, aromatic = [], []
    for a in mol.GetAtoms():
        z = a.GetAtomicNum()
        numbers.append(z)
        aromatic.append(a.GetIsAromatic())
        if z in counts:
            counts[z] += 1
        charge += a.GetFormalCharge()
        radicals += a.GetNumRadicalElectrons()
    hetero_l = sum(numbers[a] != 6 for a in largest)
    n_arom = sum(all(aromatic[a] for a in r) for r in rings)
    return np.array([
        homo, lumo, lumo - homo, homo_l, lumo_l,
        len(largest), elec_l, len(pi), len(pi) / max(n_heavy, 1),
        len(systems), hetero_l, n_heavy, ring_info.NumRings(), n_arom,
        rings_in_largest, charge, radicals,
        *[counts[z] for _, z in _ELEMENTS],
    ], dtype=np.float64)


@register_featurizer("conjugation")
class ConjugationFeaturizer(MolFeaturizer):
    """Hückel frontier-orbital energies and π-system size descriptors (dense, 28 columns)."""

    def __init__(self, n_jobs: int = 1):
        self.n_jobs = n_jobs

    @property
    def n_features_out(self) -> int:
        return len(FEATURE_NAMES)

    @property
    def sanitize_ops(self) -> Chem.SanitizeFlags | None:
        return SANITIZE_NO_STEREO  # uses conjugation flags, never stereo

    def feature_names(self) -> list[str]:
        return list(FEATURE_NAMES)

    def _featurize(self, mols: list[Chem.Mol]) -> sp.csr_matrix:
        if not mols:
            return sp.csr_matrix((0, self.n_features_out))
        return sp.csr_matrix(np.vstack([conjugation_descriptors(m) for m in mols]))
