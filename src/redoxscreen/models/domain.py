r"""Applicability domain: what a model was trained on, and how far a new molecule is from it.

A saved model keeps its training molecules' element set, net-charge, unpaired-electron and
heavy-atom ranges, and their Morgan fingerprints (radius 2, 2048 bits; the on-bits as a sparse
matrix in ``domain.safetensors``, the rest in ``domain.json``; nothing pickled). A new
molecule's distance is the largest Tanimoto similarity to a training molecule,

.. math:: s_\max(m) = \max_i \frac{|F_m \cap F_i|}{|F_m| + |F_i| - |F_m \cap F_i|},

computed for a whole batch as one sparse product :math:`Q T^\top` (intersections).

Thresholds come from the model's own cross-validation (:func:`fit_domain`): each training
molecule's similarity to the training folds of the model that predicted it out of fold, against
its error. An isotonic (non-increasing in similarity) fit of the normalised absolute error
gives the similarity where the error reaches twice (``edge``) and three times (``out``) its
value among the best-covered half of the molecules. Where the error never doubles inside the
cross-validation, ``edge`` is the lowest similarity the CV tested and ``out`` 0.1 below it:
beyond that the model is extrapolating, whatever the CV says.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from rdkit import Chem
from rdkit.Chem import rdFingerprintGenerator, rdMolDescriptors, rdqueries
from safetensors.numpy import load_file, save_file

FP_RADIUS, FP_BITS = 2, 2048
DOMAIN_JSON, DOMAIN_TENSORS = "domain.json", "domain.safetensors"
BLOCK = 1000  # query rows per product (bounds the q × TILE intermediate)
TILE = 512  # training molecules per dense tile (2 MB of float16): ~10 % faster than 2048
DENSE_COLUMNS = 32768  # training molecules whose tiles are cached (128 MB of float16 at most)


def fingerprints(mols: Sequence[Chem.Mol]) -> list:
    """Morgan bit vectors (radius 2, 2048 bits) of ``mols`` (for RDKit's Tanimoto helpers)."""
    gen = rdFingerprintGenerator.GetMorganGenerator(radius=FP_RADIUS, fpSize=FP_BITS)
    return [gen.GetFingerprint(m) for m in mols]


def fingerprint_matrix(mols: Sequence[Chem.Mol]) -> sp.csr_matrix:
    """The same fingerprints as a binary ``(n, 2048)`` CSR matrix."""
    gen = rdFingerprintGenerator.GetMorganGenerator(radius=FP_RADIUS, fpSize=FP_BITS)
    bits = [np.fromiter(gen.GetFingerprint(m).GetOnBits(), np.int32) for m in mols]
    indptr = np.zeros(len(bits) + 1, np.int64)
    indptr[1:] = np.cumsum([len(b) for b in bits])
    indices = np.concatenate(bits) if bits else np.zeros(0, np.int32)
    return sp.csr_matrix((np.ones(len(indices), np.float32), indices, indptr),
                         shape=(len(bits), FP_BITS))


def morgan_block(featurizer: object) -> int | None:
    """First column of a block of ``featurizer``'s output whose non-zero pattern *is* the
    domain fingerprint (Morgan radius 2, 2048 bits, no chirality; counts or bits), or None.

    The same hashing folds the same atom environments into the same columns whether RDKit
    counts them or sets bits, so the domain need not compute the fingerprint a second time."""
    parts = getattr(featurizer, "featurizers", None) or [featurizer]
    offset = 0
    for f in parts:
        if (getattr(f, "name", "") == "ecfp" and f.radius == FP_RADIUS
                and f.n_bits == FP_BITS and not f.chirality):
            return offset
        offset += f.n_features_out
    return None


def domain_bits(mols: Sequence[Chem.Mol], X: sp.csr_matrix | None = None,
                offset: int | None = None) -> sp.csr_matrix:
    """The domain fingerprints of ``mols``: read from their features ``X`` when a block of
    it holds them (``offset`` from :func:`morgan_block`), else computed."""
    if X is None or offset is None:
        return fingerprint_matrix(mols)
    block = X[:, offset:offset + FP_BITS].tocsr()
    block.eliminate_zeros()
    block.data = np.ones(len(block.data), np.float32)
    return block


FACTS = ("elements", "fragments", "charge", "radicals", "heavy_atoms")


def molecule_facts(mols: Sequence[Chem.Mol],
                   smiles: Sequence[str] | None = None) -> pd.DataFrame:
    """What the domain checks besides similarity, one row per molecule: ``elements``
    (sorted, comma-joined symbols other than H, which every model has seen), ``fragments``,
    net ``charge``, ``radicals`` (unpaired electrons) and ``heavy_atoms``.

    With the SMILES each molecule was parsed from, most facts are read from the text (a
    SMILES without a dot is one fragment; one without brackets is also neutral, closed-shell
    and spelled in the organic subset: :func:`plain_smiles_elements`), ~8× cheaper."""
    texts = smiles if smiles is not None else [None] * len(mols)
    one = [s is not None and "." not in s for s in texts]
    plain = [o and "[" not in s for o, s in zip(one, texts, strict=True)]
    rows = list(zip(mols, texts, plain, strict=True))
    return pd.DataFrame({
        "elements": [plain_smiles_elements(s) if p else ",".join(sorted(mol_elements(m) - {"H"}))
                     for m, s, p in rows],
        "fragments": np.array([1 if o else len(Chem.GetMolFrags(m))
                               for m, o in zip(mols, one, strict=True)], np.int16),
        "charge": np.array([0 if p else mol_charge(m) for m, _, p in rows], np.int16),
        "radicals": np.array([0 if p else mol_radicals(m) for m, _, p in rows], np.int16),
        "heavy_atoms": np.array([m.GetNumHeavyAtoms() for m in mols], np.int32),
    }, columns=list(FACTS))


_PLAIN_CHARS = frozenset("BCNOPSFIbcnops*lr")  # "l" and "r" occur only in Cl and Br


def plain_smiles_elements(smiles: str) -> str:
    """The heavy elements of a SMILES without brackets, as :func:`molecule_facts` writes them.

    Outside brackets SMILES has only the organic subset (B C N O P S F Cl Br I, aromatic
    b c n o p s, and ``*``), always neutral, with implicit hydrogens filling the valence, so
    such a molecule has no net charge and no unpaired electrons, and without a dot it is one
    fragment. The elements follow from which of those characters occur, and whether ``C``
    and ``B`` occur beyond the ``Cl`` and ``Br`` they start (one C pass over the text)."""
    chars = _PLAIN_CHARS.intersection(smiles)
    c_alone = "l" not in chars or smiles.count("C") > smiles.count("Cl")
    b_alone = "r" not in chars or smiles.count("B") > smiles.count("Br")
    return _plain_elements(frozenset(chars), c_alone, b_alone)


@functools.cache
def _plain_elements(chars: frozenset[str], c_alone: bool, b_alone: bool) -> str:
    found = {"*": "*" in chars, "B": "b" in chars or ("B" in chars and b_alone),
             "Br": "r" in chars, "C": "c" in chars or ("C" in chars and c_alone),
             "Cl": "l" in chars, "F": "F" in chars, "I": "I" in chars}
    found |= {e: e in chars or e.lower() in chars for e in "NOPS"}
    return ",".join(sorted(e for e, hit in found.items() if hit))


_RADICAL = rdqueries.NumRadicalElectronsGreaterQueryAtom(0)
_ELEMENT = re.compile(r"[A-Z][a-z]?|\*")


def mol_charge(mol: Chem.Mol) -> int:
    return int(Chem.GetFormalCharge(mol))


def mol_radicals(mol: Chem.Mol) -> int:
    """Unpaired electrons (RDKit's C++ atom query: no Python loop over every atom)."""
    atoms = mol.GetAtomsMatchingQuery(_RADICAL)
    return int(sum(a.GetNumRadicalElectrons() for a in atoms)) if len(atoms) else 0


def mol_elements(mol: Chem.Mol) -> set[str]:
    """Element symbols (from the molecular formula, written in C++), ``*`` for dummy atoms."""
    formula = re.sub(r"\[\d+", "[", rdMolDescriptors.CalcMolFormula(mol))  # isotopes
    return set(_ELEMENT.findall(formula))


def dense_tiles(T: sp.csr_matrix) -> list[np.ndarray]:
    """``T``'s rows as dense ``(2048, TILE)`` float16 column blocks, each contiguous."""
    return [np.ascontiguousarray(T[c:c + TILE].T.toarray(), np.float16)
            for c in range(0, T.shape[0], TILE)]


def max_tanimoto(Q: sp.csr_matrix, T: sp.csr_matrix,
                 tiles: Sequence[np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Largest Tanimoto similarity of each row of ``Q`` to the rows of ``T``, and its index
    (-1 and similarity 0 where no bit is shared).

    Intersections :math:`c = |F_q \\cap F_t|` are sums of the rows of ``T``, held as dense
    float16 column tiles (``tiles``, from :func:`dense_tiles`, cached by :class:`TrainingIndex`),
    over each query's on-bits: an embedding-bag sum in PyTorch, bound by memory traffic. For one
    query, Tanimoto :math:`c/(a+b-c)` rises with :math:`c/(a+b)` (:math:`x \\mapsto x/(1-x)`),
    so the nearest molecule is the argmax of that simpler ratio (one pass fewer over each
    block). Counts of at most 2048 bits are exact in float16. The argmax is taken on float16
    ratios (to ~1e-3: a near-tie may name another neighbour of almost the same similarity, the
    first one on an exact tie); the similarity returned is that neighbour's, computed exactly.
    """
    import torch
    from torch.nn.functional import embedding_bag

    Q = Q.tocsr()
    q_count = np.diff(Q.indptr)
    t_count = np.diff(T.indptr)
    # a query without bits shares none: 0 / (b + 1) keeps its ratios finite (and 0)
    q_half = torch.from_numpy(np.maximum(q_count, 1).astype(np.float16))
    t_half = torch.from_numpy(t_count.astype(np.float16))
    ptr = Q.indptr.astype(np.int64)
    bags = [(a, torch.from_numpy(Q.indices[ptr[a]:ptr[b]].astype(np.int64)),
             torch.from_numpy(ptr[a:b] - ptr[a]))  # each block's bits and its row offsets
            for a, b in ((a, min(a + BLOCK, Q.shape[0])) for a in range(0, Q.shape[0], BLOCK))]
    top = torch.full((Q.shape[0],), -1, dtype=torch.int16)  # best ratio so far, as int16 bits
    top_j = torch.zeros(Q.shape[0], dtype=torch.int64)
    with torch.inference_mode():
        for k in range(-(-T.shape[0] // TILE)):
            c = k * TILE
            tile = torch.from_numpy(tiles[k] if tiles is not None
                                    else dense_tiles(T[c:c + TILE])[0])
            tc = t_half[c:c + TILE]
            for a, idx, off in bags:
                inter = embedding_bag(idx, tile, off, mode="sum")
                inter /= tc[None, :] + q_half[a:a + len(off), None]  # c / (a + b), ≥ 1 below
                # ratios are finite and ≥ +0, whose float16 bit patterns order as int16 do:
                # the integer argmax (vectorised) picks the same column as the float one
                bits = inter.view(torch.int16)
                j = bits.argmax(dim=1)
                v = bits.gather(1, j[:, None])[:, 0]
                seg = slice(a, a + len(off))
                better = v > top[seg]  # strictly: an earlier tile keeps an exact tie
                top[seg] = torch.where(better, v, top[seg])
                top_j[seg] = torch.where(better, j + c, top_j[seg])
    arg = top_j.numpy()
    both = np.asarray(Q.multiply(T[arg]).sum(axis=1)).ravel() if T.shape[0] else np.zeros(0)
    best = both / np.maximum(q_count + t_count[arg] - both, 1) if T.shape[0] else both
    return best, np.where(best > 0, arg, -1)


@dataclass
class TrainingIndex:
    """The training molecules' fingerprints and ranges."""

    smiles: list[str]
    bits: sp.csr_matrix
    elements: frozenset[str]
    charge_range: tuple[int, int]
    radical_range: tuple[int, int]
    heavy_range: tuple[int, int]

    @classmethod
    def from_smiles(cls, smiles: Sequence[str]) -> TrainingIndex:
        pairs = [(s, m) for s in dict.fromkeys(map(str, smiles))
                 if (m := Chem.MolFromSmiles(s)) is not None]
        if not pairs:
            raise ValueError("no valid training SMILES to index")
        keep, mols = [p[0] for p in pairs], [p[1] for p in pairs]
        charges = [mol_charge(m) for m in mols]
        radicals = [mol_radicals(m) for m in mols]
        heavy = [m.GetNumHeavyAtoms() for m in mols]
        elements = frozenset().union(*(mol_elements(m) for m in mols)) | {"H"}
        return cls(keep, fingerprint_matrix(mols), elements, (min(charges), max(charges)),
                   (min(radicals), max(radicals)), (min(heavy), max(heavy)))

    def __len__(self) -> int:
        return len(self.smiles)

    def nearest(self, mols: Sequence[Chem.Mol]) -> tuple[np.ndarray, list[str]]:
        """Largest Tanimoto similarity to a training molecule and that molecule, per query."""
        sims, arg = self.max_similarity(fingerprint_matrix(mols))
        return sims, [self.smiles[j] if j >= 0 else "" for j in arg]

    def max_similarity(self, Q: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        if len(self) <= DENSE_COLUMNS and getattr(self, "_tiles", None) is None:
            self._tiles = dense_tiles(self.bits)  # once
        return max_tanimoto(Q, self.bits, getattr(self, "_tiles", None))

    def describe(self) -> dict:
        return {"molecules": len(self), "elements": sorted(self.elements),
                "charge_range": list(self.charge_range),
                "radical_range": list(self.radical_range),
                "heavy_range": list(self.heavy_range),
                "fingerprint": f"Morgan r={FP_RADIUS} {FP_BITS} bits, Tanimoto"}


@dataclass
class Domain:
    """A model's applicability domain: its training index and the similarity thresholds."""

    index: TrainingIndex
    edge_similarity: float
    out_similarity: float
    profile: list[dict] = field(default_factory=list)
    rule: str = ""

    def assess(self, mols: Sequence[Chem.Mol]) -> pd.DataFrame:
        """``domain`` (in/edge/out), ``domain_reason`` and ``nn_similarity`` per molecule."""
        return self.classify(molecule_facts(mols), fingerprint_matrix(mols))

    def classify(self, facts: pd.DataFrame, bits: sp.csr_matrix) -> pd.DataFrame:
        """:meth:`assess` from what it needs of each molecule — its :func:`molecule_facts`
        and Morgan bits — so that a library index can store those once for every model."""
        n = len(facts)
        sims = self.index.max_similarity(bits)[0] if n else np.zeros(0)
        idx = self.index
        elements = facts["elements"].to_numpy(object)
        unseen = {e: sorted(set(e.split(",")) - idx.elements - {""}) for e in set(elements)}
        frags, q, r, heavy = (facts[c].to_numpy(np.int64) for c in
                              ("fragments", "charge", "radicals", "heavy_atoms"))
        (qlo, qhi), (rlo, rhi), (hlo, hhi) = idx.charge_range, idx.radical_range, idx.heavy_range
        bad_q, bad_r = (q < qlo) | (q > qhi), (r < rlo) | (r > rhi)
        huge, odd_size = heavy > 2 * hhi, (heavy < hlo) | (heavy > hhi)
        far, near = sims < self.out_similarity, sims < self.edge_similarity
        new_el = np.array([bool(unseen[e]) for e in elements], dtype=bool)
        is_out = new_el | (frags > 1) | bad_q | bad_r | huge | far
        is_edge = ~is_out & (odd_size | near)
        labels = np.where(is_out, "out", np.where(is_edge, "edge", "in")).astype(object)
        reasons = np.full(n, "", dtype=object)
        for i in np.flatnonzero(is_out | is_edge):  # only the flagged rows get words
            out, edge = [], []
            if new_el[i]:
                out.append(f"unseen element {', '.join(unseen[elements[i]])}")
            if frags[i] > 1:
                out.append(f"multi-fragment input ({frags[i]} fragments)")
            if bad_q[i]:
                out.append(f"charge {q[i]:+d} outside training range {qlo:+d}…{qhi:+d}")
            if bad_r[i]:
                out.append(f"{r[i]} unpaired electrons (training {rlo}…{rhi})")
            if huge[i]:
                out.append(f"{heavy[i]} heavy atoms (training {hlo}…{hhi})")
            elif odd_size[i]:
                edge.append(f"{heavy[i]} heavy atoms (training {hlo}…{hhi})")
            if far[i]:
                out.append(f"nearest training similarity {sims[i]:.2f} "
                           f"(< {self.out_similarity:.2f})")
            elif near[i]:
                edge.append(f"nearest training similarity {sims[i]:.2f} "
                            f"(< {self.edge_similarity:.2f})")
            reasons[i] = "; ".join(out + edge)
        return pd.DataFrame({"domain": labels, "domain_reason": reasons,
                             "nn_similarity": sims})

    def to_card(self) -> dict:
        return {**self.index.describe(), "edge_similarity": self.edge_similarity,
                "out_similarity": self.out_similarity, "rule": self.rule,
                "error_by_similarity": self.profile}

    def save(self, directory: str | Path) -> None:
        directory = Path(directory)
        b = self.index.bits
        save_file({"indptr": b.indptr.astype(np.int64), "indices": b.indices.astype(np.int32)},
                  str(directory / DOMAIN_TENSORS))
        (directory / DOMAIN_JSON).write_text(json.dumps(
            {**self.to_card(), "smiles": self.index.smiles}, indent=1))

    @classmethod
    def load(cls, directory: str | Path) -> Domain:
        directory = Path(directory)
        meta = json.loads((directory / DOMAIN_JSON).read_text())
        arrays = load_file(str(directory / DOMAIN_TENSORS))
        n = len(meta["smiles"])
        indptr, indices = arrays["indptr"], arrays["indices"]
        if len(indptr) != n + 1 or (len(indices) and indices.max() >= FP_BITS):
            raise ValueError(f"{directory / DOMAIN_TENSORS}: fingerprints do not match the "
                             f"{n} molecules of {DOMAIN_JSON}")
        bits = sp.csr_matrix((np.ones(len(indices), np.float32), indices, indptr),
                             shape=(n, FP_BITS))
        index = TrainingIndex(meta["smiles"], bits, frozenset(meta["elements"]),
                              tuple(meta["charge_range"]), tuple(meta["radical_range"]),
                              tuple(meta["heavy_range"]))
        return cls(index, float(meta["edge_similarity"]), float(meta["out_similarity"]),
                   meta.get("error_by_similarity", []), meta.get("rule", ""))


def fit_domain(oof: pd.DataFrame, targets: Sequence[str], n_bins: int = 8) -> Domain:
    """The domain of a model from its out-of-fold table (``smiles``, ``fold``,
    ``<t>_true``, ``<t>_pred``): see the module docstring."""
    oof = oof.drop_duplicates("smiles").reset_index(drop=True)
    index = TrainingIndex.from_smiles(oof["smiles"].astype(str).tolist())
    oof = oof.set_index(oof["smiles"].astype(str)).loc[index.smiles].reset_index(drop=True)
    folds = oof["fold"].to_numpy()
    sims = np.zeros(len(oof))
    for f in np.unique(folds):
        inside, other = folds == f, folds != f
        if other.any():
            sims[inside] = max_tanimoto(index.bits[inside], index.bits[other])[0]
    errs = []
    for t in targets:
        e = np.abs(oof[f"{t}_true"].to_numpy(float) - oof[f"{t}_pred"].to_numpy(float))
        errs.append(e / np.nanmean(e) if np.nanmean(e) > 0 else e)
    err = np.nanmean(np.vstack(errs), axis=0)
    ok = np.isfinite(err)
    if ok.sum() < 2:
        return Domain(index, 0.0, 0.0, [], "no out-of-fold errors: similarity not judged")
    edge, out, rule = similarity_thresholds(sims[ok], err[ok])
    profile = []
    edges = np.unique(np.quantile(sims[ok], np.linspace(0, 1, n_bins + 1)))
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        m = (sims >= a) & ((sims < b) | (b == edges[-1]))
        row = {"similarity_from": round(float(a), 3), "similarity_to": round(float(b), 3),
               "n": int(m.sum())}
        for t in targets:
            e = np.abs(oof.loc[m, f"{t}_true"] - oof.loc[m, f"{t}_pred"])
            row[f"{t}_mae"] = float(e.mean()) if m.any() else None
        profile.append(row)
    return Domain(index, round(edge, 3), round(out, 3), profile, rule)


def similarity_thresholds(sims: np.ndarray, err: np.ndarray) -> tuple[float, float, str]:
    """``(edge, out, rule)``: the largest similarities where the isotonic (non-increasing)
    fit of ``err`` on ``sims`` reaches 2× and 3× the mean error of the better-covered half
    (similarity ≥ median); the fallbacks of the module docstring where it does not."""
    from sklearn.isotonic import IsotonicRegression

    sims, err = np.asarray(sims, float), np.asarray(err, float)
    fitted = IsotonicRegression(increasing=False).fit(sims, err).predict(sims)
    ref = float(np.mean(err[sims >= np.median(sims)]))

    def where(factor: float) -> float | None:
        hit = sims[fitted >= factor * ref]
        return float(hit.max()) if len(hit) else None

    edge, out = where(2.0), where(3.0)
    low = float(sims.min())
    if edge is None:
        return low, max(low - 0.1, 0.0), "lowest CV similarity / 0.1 below (error never doubles)"
    if out is None:
        return edge, max(min(low, edge) - 0.1, 0.0), "error ×2 / lowest CV similarity − 0.1"
    return edge, out, "error ×2 / ×3 (isotonic in similarity)"


def domain_rows(assessed: pd.DataFrame | None, ok: np.ndarray) -> dict[str, np.ndarray]:
    """The three domain columns for every row, from :meth:`Domain.assess` of the valid rows
    (``ok``, in order): invalid rows empty; ``None`` (no record saved) marks valid rows
    ``in`` and says so."""
    ok = np.asarray(ok, bool)
    dom = np.full(len(ok), "", dtype=object)
    why = np.full(len(ok), "", dtype=object)
    sim = np.full(len(ok), np.nan)
    if assessed is None:
        dom[ok], why[ok] = "in", "no domain record saved with the model"
    else:
        dom[ok] = assessed["domain"].to_numpy()
        why[ok] = assessed["domain_reason"].to_numpy()
        sim[ok] = assessed["nn_similarity"].to_numpy(float)
    return {"domain": dom, "domain_reason": why, "nn_similarity": sim}
