"""Virtual libraries: redox-active cores × substituents, the way flow-battery screens build them.

Cores (``data/cores.csv``) carry numbered attachment points written as SMILES branches
``([*:n])``; substituent groups (``data/groups.csv``) are SMILES written from their attachment
atom. A molecule is a core with some attachment points filled by groups and the rest left as
hydrogen. Small spaces are enumerated exhaustively; large ones are sampled with a seed.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd
from rdkit import Chem

from redoxscreen.runtime.errors import ConfigError

_SITE = re.compile(r"\(\[\*:(\d+)\]\)")
DEFAULT_ELEMENTS = frozenset({"H", "B", "C", "N", "O", "F", "Si", "P", "S", "Cl", "Br", "I"})


def _read(name: str) -> pd.DataFrame:
    with resources.files("redoxscreen.chem").joinpath(f"data/{name}").open() as fh:
        return pd.read_csv(fh)


def load_cores(path: str | None = None) -> pd.DataFrame:
    """Cores table (``name, family, smiles, groups, note``); the packaged one by default."""
    df = pd.read_csv(path) if path else _read("cores.csv")
    for _, row in df.iterrows():
        bare = _SITE.sub("", row["smiles"])
        if "*" in bare:
            raise ConfigError(f"core {row['name']!r}: attachment points must be written as "
                              "branches '([*:n])'")
        if Chem.MolFromSmiles(bare) is None:
            raise ConfigError(f"core {row['name']!r}: invalid SMILES {row['smiles']!r}")
    return df


def load_groups(path: str | None = None) -> pd.DataFrame:
    """Substituent groups (``name, smiles, sets, note``); the packaged one by default."""
    return pd.read_csv(path) if path else _read("groups.csv")


@dataclass(frozen=True)
class _Core:
    name: str
    family: str
    smiles: str
    sites: tuple[int, ...]
    groups: tuple[int, ...]  # indices into the group table allowed on this core


def _cores(cores: pd.DataFrame, groups: pd.DataFrame) -> list[_Core]:
    out = []
    for _, row in cores.iterrows():
        allowed = tuple(i for i, sets in enumerate(groups["sets"])
                        if row["groups"] in str(sets).split(";"))
        sites = tuple(sorted(int(n) for n in _SITE.findall(row["smiles"])))
        out.append(_Core(row["name"], row["family"], row["smiles"], sites, allowed))
    return out


def _ring_closures_to(smiles: str, base: int) -> str:
    """Rewrite a group's ring-closure digits as ``%NN`` from ``base`` so they cannot clash with
    the core's (digits inside ``[...]`` — isotopes, charges, H counts — are left alone)."""
    out, depth, i = [], 0, 0
    while i < len(smiles):
        ch = smiles[i]
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if depth == 0 and ch == "%":
            out.append(f"%{base + int(smiles[i + 1:i + 3])}")
            i += 3
            continue
        out.append(f"%{base + int(ch)}" if depth == 0 and ch.isdigit() else ch)
        i += 1
    return "".join(out)


def _build(core_smiles: str, choice: dict[int, int], group_smiles: list[str]) -> Chem.Mol | None:
    """Fill the chosen sites with groups (as SMILES branches); empty sites become hydrogen."""
    def fill(m: re.Match) -> str:
        site = int(m.group(1))
        g = choice.get(site)
        return "" if g is None else f"({_ring_closures_to(group_smiles[g], 10 + 10 * site)})"

    return Chem.MolFromSmiles(_SITE.sub(fill, core_smiles))


def _heavy(smiles: str, elements: frozenset[str]) -> int | None:
    """Heavy-atom count of a fragment, ``None`` when it holds an element outside ``elements``."""
    mol = Chem.MolFromSmiles(smiles)
    if mol is None or any(a.GetSymbol() not in elements for a in mol.GetAtoms()):
        return None
    return mol.GetNumHeavyAtoms()


def library_size(cores: pd.DataFrame, groups: pd.DataFrame, max_substituents: int) -> int:
    """Number of combinations (before canonical de-duplication)."""
    total = 0
    for c in _cores(cores, groups):
        for k in range(0, min(max_substituents, len(c.sites)) + 1):
            total += math.comb(len(c.sites), k) * len(c.groups) ** k
    return total


def enumerate_library(
    cores: pd.DataFrame | None = None,
    groups: pd.DataFrame | None = None,
    *,
    max_substituents: int = 2,
    n: int | None = None,
    seed: int = 0,
    max_heavy_atoms: int = 60,
    elements: frozenset[str] = DEFAULT_ELEMENTS,
) -> pd.DataFrame:
    """Unique molecules with provenance: ``smiles, core, family, substituents, n_heavy``.

    All combinations when ``n`` is ``None`` (or the space is not larger than ``n``); otherwise
    ``n`` unique molecules sampled with ``seed`` (core uniform, number of substituents uniform,
    then sites and groups uniform). Molecules with other elements or more heavy atoms than
    ``max_heavy_atoms`` are filtered out.
    """
    cores = load_cores() if cores is None else cores
    groups = load_groups() if groups is None else groups
    specs = [c for c in _cores(cores, groups) if c.groups]
    if not specs:
        raise ConfigError("no core has any allowed substituent group")
    seen: dict[str, dict] = {}
    group_smiles = groups["smiles"].tolist()
    group_names = groups["name"].tolist()
    # element and size filters need only the parts: check them once, not per molecule
    core_heavy = {c.name: _heavy(_SITE.sub("", c.smiles), elements) for c in specs}
    group_heavy = [_heavy(g, elements) for g in group_smiles]

    def add(core: _Core, choice: dict[int, int]) -> None:
        if core_heavy[core.name] is None or any(group_heavy[g] is None for g in choice.values()):
            return
        if core_heavy[core.name] + sum(group_heavy[g] for g in choice.values()) > max_heavy_atoms:
            return
        mol = _build(core.smiles, choice, group_smiles)
        if mol is None:
            return
        smi = Chem.MolToSmiles(mol)
        if smi in seen:
            return
        seen[smi] = {"smiles": smi, "core": core.name, "family": core.family,
                     "substituents": ";".join(f"{s}:{group_names[g]}"
                                              for s, g in sorted(choice.items())),
                     "n_heavy": mol.GetNumHeavyAtoms()}

    size = library_size(cores, groups, max_substituents)
    if n is None or size <= n:
        for core in specs:
            for k in range(0, min(max_substituents, len(core.sites)) + 1):
                for sites in itertools.combinations(core.sites, k):
                    for gs in itertools.product(core.groups, repeat=k):
                        add(core, dict(zip(sites, gs, strict=True)))
    else:
        rng = np.random.default_rng(seed)
        attempts = 0
        while len(seen) < n and attempts < 20 * n:
            attempts += 1
            core = specs[rng.integers(len(specs))]
            k = int(rng.integers(0, min(max_substituents, len(core.sites)) + 1))
            sites = rng.choice(core.sites, size=k, replace=False)
            gs = rng.choice(core.groups, size=k)
            add(core, {int(s): int(g) for s, g in zip(sites, gs, strict=True)})
    df = pd.DataFrame(list(seen.values()),
                      columns=["smiles", "core", "family", "substituents", "n_heavy"])
    return df.reset_index(drop=True)
