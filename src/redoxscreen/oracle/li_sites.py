r"""Where a Li⁺ binds to a reduced organic molecule: the start geometries of the Li-bound form.

A Li-ion electrode (and a Li⁺ electrolyte) reduces a carbonyl compound to a lithium salt,
:math:`\mathrm{Q} + \mathrm{Li}^+ + e^- \to \mathrm{LiQ}`, not to a free anion; the Li⁺ sits on
the atom that carries the added charge. The candidates here are, in this order, carbonyl and
phenolate oxygens (``C=O``, ``C–O⁻``) and acceptor nitrogens (no H, aromatic or doubly bonded,
as in pyridines, imines and nitriles). Symmetry-equivalent atoms count once (RDKit's canonical
ranks without tie breaking). The Li atom starts :data:`LI_START_A` beyond the atom, along the
bisector pointing away from its neighbours.
"""

from __future__ import annotations

import numpy as np
from rdkit import Chem

LI_START_A = 1.8  # Å; Li–O in Li phenolates and ketone complexes is 1.8–2.0 Å, Li–N ~2.0 Å
_SITES = [Chem.MolFromSmarts(s) for s in ("[OX1]=[#6]", "[OX1-]-[#6]",
                                          "[#7X2,#7X1;H0;+0]")]


def li_sites(mol: Chem.Mol, max_sites: int = 2) -> list[int]:
    """Indices of up to ``max_sites`` symmetry-distinct atoms of ``mol`` where a Li⁺ may bind,
    carbonyl/phenolate O first, then acceptor N; empty when there is none."""
    ranks = list(Chem.CanonicalRankAtoms(mol, breakTies=False))
    seen, out = set(), []
    for pattern in _SITES:
        for (idx, *_rest) in mol.GetSubstructMatches(pattern):
            if ranks[idx] not in seen:
                seen.add(ranks[idx])
                out.append(idx)
    return out[:max_sites]


def li_start(positions: np.ndarray, mol: Chem.Mol, site: int, distance: float) -> np.ndarray:
    """The Li atom's start position (units of ``positions``): ``distance`` beyond atom
    ``site``, opposite the mean direction of its neighbours."""
    atom = mol.GetAtomWithIdx(site)
    here = positions[site]
    away = sum((here - positions[n.GetIdx()] for n in atom.GetNeighbors()), np.zeros(3))
    norm = float(np.linalg.norm(away))
    if norm < 1e-6:  # a lone atom or symmetric neighbours: any direction will relax
        away, norm = np.array([0.0, 0.0, 1.0]), 1.0
    return here + distance * away / norm
