"""Standardisation: one recorded, optional step between parsing and canonical SMILES, applied the
same way to training tables and to the molecules a model predicts.

RDKit's ``rdMolStandardize``: normalise functional-group representations (nitro, N-oxides,
sulfoxides, azides … to one charge-separated form), reionise (the most acidic site carries the
negative charge), keep the largest organic fragment (salts and solvents dropped), and
optionally neutralise (``uncharge``) and strip isotope labels. Each change is named, so the
original SMILES and what happened to it stay in every output.

RDKit's standardiser costs ~0.3 ms a molecule; a molecule it cannot change (one fragment, no
charge, no isotope, none of the groups the normaliser rewrites) skips it — the skip is exact
(tested against the full path).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cached_property

from rdkit import Chem
from rdkit.Chem import rdqueries
from rdkit.Chem.MolStandardize import rdMolStandardize

from redoxscreen.chem.smiles import to_mol

_FLAGGED = (rdqueries.FormalChargeGreaterQueryAtom(0), rdqueries.FormalChargeLessQueryAtom(0),
            rdqueries.IsotopeGreaterQueryAtom(0))
# neutral inputs the default normalisations rewrite (nitro/N-oxide/azide/diazo/sulfoxide forms)
_NORMALISED = [Chem.MolFromSmarts(s) for s in (
    "[N,P,As,Sb;X3](=[O,S,Se,Te])=[O,S,Se,Te]", "[n]=[O,S]", "[N,n]=[N]#[N]", "*=[N]#[N]",
    "[S,Se,Te;X3;+0](=[O,S,Se,Te])", "[P;X4;+0](=[O,S])", "[#7]=[#7]=[#7]")]
# characters one of them needs in a SMILES (P, As, Sb, S, Se, Te, aromatic or not; "#")
_NORMALISABLE_TEXT = frozenset("PpAaSsTt#")


@dataclass(frozen=True)
class Standardizer:
    """What to do; ``to_dict`` is recorded with a model and applied again at prediction."""

    largest_fragment: bool = True
    uncharge: bool = False
    strip_isotopes: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict | None) -> Standardizer | None:
        return None if d is None else cls(**d)

    @cached_property
    def _tools(self) -> tuple:
        params = rdMolStandardize.CleanupParameters()
        params.largestFragmentChooserCountHeavyAtomsOnly = True  # acetic acid beats ethanol
        params.preferOrganic = True
        return (rdMolStandardize.Normalizer(), rdMolStandardize.Reionizer(),
                rdMolStandardize.LargestFragmentChooser(params), rdMolStandardize.Uncharger())

    def needs_work(self, mol: Chem.Mol, smiles: str | None = None) -> bool:
        """Whether any step could change ``mol`` (else it is returned as it is); RDKit's C++
        atom queries, no Python loop over atoms.

        With the SMILES ``mol`` was parsed from, the normaliser's patterns (17 µs of the
        ~28) are matched only if its text could hold one: each needs P, As, Sb, S, Se, Te or a
        triple bond, or a hypervalent neutral N, which RDKit's parser already turns into the
        charge-separated form that the charge query finds (``CN(=O)=O`` →
        ``C[N+](=O)[O-]``)."""
        if len(Chem.GetMolFrags(mol)) > 1:
            return True
        if any(mol.GetAtomsMatchingQuery(q) for q in _FLAGGED):
            return True
        if smiles is not None and _NORMALISABLE_TEXT.isdisjoint(smiles):
            return False
        return any(mol.HasSubstructMatch(p) for p in _NORMALISED)

    def apply(self, mol: Chem.Mol, smiles: str | None = None
              ) -> tuple[Chem.Mol | None, list[str], str]:
        """``(molecule, changes, reason)``; the molecule is ``None`` (with the reason) when
        nothing organic is left. ``smiles``: the text ``mol`` was parsed from (a faster check
        of whether there is anything to do)."""
        if not self.needs_work(mol, smiles):
            return mol, [], ""
        normalizer, reionizer, chooser, uncharger = self._tools
        changes = []
        smi = Chem.MolToSmiles(mol)

        def step(name: str, new: Chem.Mol) -> Chem.Mol:
            nonlocal smi
            s = Chem.MolToSmiles(new)
            if s != smi:
                changes.append(f"{name}: {smi} → {s}")
                smi = s
            return new

        try:
            if self.largest_fragment and len(Chem.GetMolFrags(mol)) > 1:
                if not any(a.GetSymbol() == "C" for a in mol.GetAtoms()):
                    return None, [], "no organic fragment (a salt or an inorganic molecule)"
                mol = step("kept the largest organic fragment", chooser.choose(mol))
            mol = step("normalised", normalizer.normalize(mol))
            mol = step("reionised", reionizer.reionize(mol))
            if self.uncharge:
                mol = step("neutralised", uncharger.uncharge(mol))
            if self.strip_isotopes:
                for a in mol.GetAtoms():
                    a.SetIsotope(0)
                mol = step("isotopes stripped", Chem.Mol(mol))
        except Exception as exc:  # RDKit raises several types
            return None, [], f"standardisation failed: {str(exc).splitlines()[0]}"
        return mol, changes, ""


def standardize_smiles(smiles: list[object], standardizer: Standardizer | None
                       ) -> tuple[list[str | None], list[str], list[str]]:
    """Canonical SMILES after standardisation (``None`` where invalid), the reason for each
    invalid one and the changes made to each (``"; "``-joined, ``""`` for none)."""
    canon: list[str | None] = []
    reasons, changes = [], []
    for s in smiles:
        mol, why = to_mol(s)
        done: list[str] = []
        if mol is not None and standardizer is not None:
            mol, done, why = standardizer.apply(mol)
        canon.append(Chem.MolToSmiles(mol) if mol is not None else None)
        reasons.append(why)
        changes.append("; ".join(done))
    return canon, reasons, changes


def parse_for_features(smiles: list[str], sanitize_ops: object | None,
                       standardizer: Standardizer | None
                       ) -> tuple[list[Chem.Mol | None], list[str], list[str]]:
    """Molecules as a featurizer wants them (``None`` where invalid), the reason for each
    invalid one and what ``standardizer`` changed in each.

    ``sanitize_ops`` (a featurizer's) skips stereo perception, half of RDKit's parsing time,
    when the features ignore it. What ``screen`` and ``index`` parse with: one function, so
    that a library index holds exactly the features a screen would compute.
    """
    from redoxscreen.chem.smiles import mols_for_features

    if sanitize_ops is not None:
        mols = mols_for_features(smiles, sanitize_ops)
    else:
        mols = [to_mol(s)[0] for s in smiles]
    reasons = ["" if m is not None else to_mol(s)[1] or "invalid SMILES"
               for s, m in zip(smiles, mols, strict=True)]
    changes = [""] * len(mols)
    if standardizer is not None:
        for i, m in enumerate(mols):
            if m is not None:
                mols[i], done, why = standardizer.apply(m, smiles[i])
                changes[i], reasons[i] = "; ".join(done), why
    return mols, reasons, changes
