"""Chemistry helpers: SMILES parsing, canonicalisation, scaffolds (RDKit-first, no models)."""

from redoxscreen.chem.smiles import (
    canonicalize_smiles,
    mols_for_features,
    murcko_scaffold,
    parse_smiles,
    to_mol,
)

__all__ = ["canonicalize_smiles", "mols_for_features", "murcko_scaffold", "parse_smiles", "to_mol"]
