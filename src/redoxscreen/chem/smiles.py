"""SMILES parsing and canonicalisation.

All parsing goes through :func:`to_mol`, which never raises: it returns ``(mol, reason)`` so callers
can record why a molecule was rejected instead of dropping it silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rdkit import Chem, RDLogger
from rdkit.Chem.Scaffolds import MurckoScaffold

RDLogger.DisableLog("rdApp.*")


def to_mol(smiles: object) -> tuple[Chem.Mol | None, str]:
    """Parse one SMILES string.

    Returns
    -------
    (mol, reason)
        ``mol`` is the RDKit molecule or ``None``; ``reason`` is ``""`` on success and a short
        human-readable explanation otherwise (empty value, unparsable, no atoms).
    """
    if smiles is None or (isinstance(smiles, float) and smiles != smiles):
        return None, "empty SMILES"
    text = str(smiles).strip()
    if not text:
        return None, "empty SMILES"
    mol = Chem.MolFromSmiles(text)
    if mol is None:
        # Distinguish valence/kekulisation problems from syntax errors for the report.
        raw = Chem.MolFromSmiles(text, sanitize=False)
        if raw is None:
            return None, "unparsable SMILES (syntax error)"
        try:
            Chem.SanitizeMol(raw)
        except Exception as exc:  # RDKit raises several sanitisation exception types
            return None, f"invalid chemistry: {str(exc).splitlines()[0]}"
        return None, "unparsable SMILES"
    if mol.GetNumAtoms() == 0:
        return None, "SMILES has no atoms"
    return mol, ""


def parse_smiles(smiles: Iterable[object]) -> tuple[list[Chem.Mol | None], list[str]]:
    """Parse many SMILES; returns the molecules (``None`` where invalid) and the reasons."""
    mols: list[Chem.Mol | None] = []
    reasons: list[str] = []
    for s in smiles:
        mol, reason = to_mol(s)
        mols.append(mol)
        reasons.append(reason)
    return mols, reasons


def canonicalize_smiles(smiles: Sequence[object]) -> tuple[list[str | None], list[str]]:
    """Canonical isomeric SMILES for each input (``None`` and a reason where invalid)."""
    mols, reasons = parse_smiles(smiles)
    canon = [Chem.MolToSmiles(m) if m is not None else None for m in mols]
    return canon, reasons


def murcko_scaffold(smiles_or_mol: str | Chem.Mol) -> str:
    """Bemis–Murcko scaffold SMILES; acyclic molecules get ``""`` (one shared group)."""
    mol = (smiles_or_mol if isinstance(smiles_or_mol, Chem.Mol)
           else Chem.MolFromSmiles(smiles_or_mol))
    if mol is None:
        raise ValueError(f"cannot compute a scaffold of an invalid SMILES: {smiles_or_mol!r}")
    return MurckoScaffold.MurckoScaffoldSmiles(mol=mol, includeChirality=False)
