"""Cross-validation splits: random k-fold and Bemis–Murcko scaffold k-fold, both seeded."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from sklearn.model_selection import KFold

from redoxscreen.chem import murcko_scaffold
from redoxscreen.errors import ConfigError

Split = tuple[np.ndarray, np.ndarray]


def _check_folds(n: int, n_folds: int, what: str = "molecules", source: str = "") -> None:
    where = f"{source}: " if source else ""
    if n_folds < 2:
        raise ConfigError(f"--folds must be at least 2 (got {n_folds})")
    if n < 2:
        raise ConfigError(
            f"{where}the dataset has {n} {what.rstrip('s') if n == 1 else what}; "
            f"{n_folds}-fold cross-validation needs at least {n_folds}; add data"
            + ("" if what == "molecules" else " or use --split random")
        )
    if n < n_folds:
        raise ConfigError(
            f"{where}the dataset has {n} {what} but {n_folds} folds were asked for; "
            f"use --folds {n} or fewer"
            + (", or add data" if what == "molecules" else ", --split random, or add data")
        )


def kfold_splits(n: int, n_folds: int = 5, seed: int = 0, source: str = "") -> list[Split]:
    """Shuffled k-fold over ``n`` molecules."""
    _check_folds(n, n_folds, source=source)
    kf = KFold(n_splits=n_folds, shuffle=True, random_state=seed)
    return [(tr, va) for tr, va in kf.split(np.zeros(n))]


def scaffold_kfold_splits(smiles: Sequence[str], n_folds: int = 5, seed: int = 0,
                          source: str = "") -> list[Split]:
    """k-fold in which no Bemis–Murcko scaffold is shared between folds.

    Scaffold groups are shuffled with ``seed``, then placed largest first into the fold holding
    the fewest molecules so far, which keeps folds balanced while the seed varies their content.
    """
    groups: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(smiles):
        groups[murcko_scaffold(s)].append(i)
    _check_folds(len(smiles), n_folds, source=source)
    _check_folds(len(groups), n_folds, what="distinct scaffolds", source=source)
    rng = np.random.default_rng(seed)
    members = list(groups.values())
    order = rng.permutation(len(members))
    order = sorted(order, key=lambda g: -len(members[g]))  # stable: random among equal sizes
    fold_of = np.empty(len(smiles), dtype=int)
    sizes = np.zeros(n_folds, dtype=int)
    for g in order:
        f = int(np.argmin(sizes))
        fold_of[members[g]] = f
        sizes[f] += len(members[g])
    idx = np.arange(len(smiles))
    return [(idx[fold_of != f], idx[fold_of == f]) for f in range(n_folds)]


def make_splits(smiles: Sequence[str], kind: str, n_folds: int, seed: int,
                source: str = "") -> list[Split]:
    """Splits by name: ``random`` or ``scaffold``; ``source`` names the data in errors."""
    if kind == "random":
        return kfold_splits(len(smiles), n_folds, seed, source)
    if kind == "scaffold":
        return scaffold_kfold_splits(smiles, n_folds, seed, source)
    raise ConfigError(f"unknown split {kind!r}; use 'random' or 'scaffold'")
