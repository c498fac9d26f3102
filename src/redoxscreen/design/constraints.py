"""Hard constraints on designed molecules: elements, size, charge, radicals, synthetic
accessibility and a data file of unwanted (unstable or reactive) groups.

A molecule either passes all of them or is rejected with the first reason, so every rejected
design says why. SA is the Ertl–Schuffenhauer synthetic accessibility score (RDKit Contrib;
1 = easy … 10 = very hard; J. Cheminf. 1, 8 (2009)).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from rdkit import Chem
from rdkit.Contrib.SA_Score import sascorer

from redoxscreen.models.domain import TrainingIndex, mol_charge, mol_radicals
from redoxscreen.runtime.errors import ConfigError


@dataclass(frozen=True)
class UnwantedGroup:
    name: str
    smarts: str
    reason: str
    pattern: Chem.Mol


def load_unwanted(path: str | Path | None = None) -> list[UnwantedGroup]:
    """Unwanted groups from a CSV with ``name, smarts, reason`` (the packaged one by default;
    several SMARTS of one group separated by spaces);
    a row whose SMARTS does not parse is an error naming the file and row."""
    if path is None:
        fh = resources.files("redoxscreen.design").joinpath("data/unwanted.csv").open()
        where = "the packaged unwanted.csv"
    else:
        fh, where = open(path, newline=""), str(path)
    with fh:
        rows = list(csv.DictReader(fh))
    groups = []
    for i, row in enumerate(rows, start=2):
        missing = {"name", "smarts", "reason"} - set(row)
        if missing:
            raise ConfigError(f"{where}: needs the columns name, smarts, reason (missing "
                              f"{', '.join(sorted(missing))})")
        for smarts in row["smarts"].split():  # alternatives separated by spaces
            pattern = Chem.MolFromSmarts(smarts.strip())
            if pattern is None:
                raise ConfigError(f"{where}, line {i}: SMARTS {smarts!r} of {row['name']!r} "
                                  "does not parse; fix or remove the row")
            groups.append(UnwantedGroup(row["name"], smarts.strip(), row["reason"], pattern))
    return groups


def sa_score(mol: Chem.Mol) -> float:
    """Synthetic accessibility, 1 (easy) … 10 (hard)."""
    return float(sascorer.calculateScore(mol))


@dataclass
class Constraints:
    """What a design must satisfy. ``None`` ranges/sets are taken from the model's training
    molecules (:meth:`fill_from`): a model has not learnt what it has not seen."""

    max_sa: float = 4.5
    elements: frozenset[str] | None = None
    heavy_range: tuple[int, int] | None = None
    charge_range: tuple[int, int] | None = None
    radical_range: tuple[int, int] | None = None
    unwanted: list[UnwantedGroup] = field(default_factory=load_unwanted)

    def fill_from(self, index: TrainingIndex) -> Constraints:
        self.elements = self.elements if self.elements is not None else index.elements
        self.heavy_range = self.heavy_range or index.heavy_range
        self.charge_range = self.charge_range or index.charge_range
        self.radical_range = self.radical_range or index.radical_range
        return self

    def check(self, mol: Chem.Mol) -> tuple[float, str]:
        """``(sa_score, reason)``; ``reason`` is ``""`` when every constraint holds."""
        elements = {a.GetSymbol() for a in mol.GetAtoms()}
        if self.elements is not None and not elements <= self.elements:
            return float("nan"), f"element {', '.join(sorted(elements - self.elements))}"
        if len(Chem.GetMolFrags(mol)) > 1:
            return float("nan"), "more than one fragment"
        n = mol.GetNumHeavyAtoms()
        if self.heavy_range and not self.heavy_range[0] <= n <= self.heavy_range[1]:
            return float("nan"), f"{n} heavy atoms (allowed {self.heavy_range[0]}–" \
                                 f"{self.heavy_range[1]})"
        q = mol_charge(mol)
        if self.charge_range and not self.charge_range[0] <= q <= self.charge_range[1]:
            return float("nan"), f"charge {q:+d}"
        r = mol_radicals(mol)
        if self.radical_range and not self.radical_range[0] <= r <= self.radical_range[1]:
            return float("nan"), f"{r} unpaired electrons"
        for g in self.unwanted:
            if mol.HasSubstructMatch(g.pattern):
                return float("nan"), f"unwanted group: {g.name}"
        sa = sa_score(mol)
        if sa > self.max_sa:
            return sa, f"SA score {sa:.2f} > {self.max_sa:g}"
        return sa, ""

    def describe(self) -> dict:
        return {"max_sa": self.max_sa,
                "elements": sorted(self.elements) if self.elements is not None else None,
                "heavy_range": self.heavy_range, "charge_range": self.charge_range,
                "radical_range": self.radical_range,
                "unwanted_groups": sorted({g.name for g in self.unwanted})}


def parse_int_range(text: str | None, what: str) -> tuple[int, int] | None:
    """``'6:40'`` → (6, 40); ``None``/``''`` → None (the training range)."""
    if not text:
        return None
    lo, sep, hi = text.partition(":")
    try:
        if not sep:
            return int(lo), int(lo)
        return int(lo), int(hi)
    except ValueError as exc:
        raise ConfigError(f"{what} {text!r} must be LOW:HIGH integers, e.g. 6:40") from exc
