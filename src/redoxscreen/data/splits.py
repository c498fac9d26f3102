"""Every split of the package, seeded: random and Bemis–Murcko scaffold, k-fold and hold-out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from sklearn.model_selection import KFold

from redoxscreen.chem import murcko_scaffold
from redoxscreen.runtime.errors import ConfigError

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


def random_holdout(n: int, fraction: float = 0.3, seed: int = 0) -> Split:
    """One seeded random split, test ≈ ``fraction`` of the rows."""
    perm = np.random.default_rng(seed).permutation(n)
    n_test = int(round(fraction * n))
    return np.sort(perm[n_test:]), np.sort(perm[:n_test])


def scaffold_holdout(smiles: Sequence[str], fraction: float = 0.3, seed: int = 0) -> Split:
    """Training and test rows with no Bemis–Murcko scaffold in common, test ≈ ``fraction``.

    Scaffold groups in seeded random order go to the test set while they fit under the target
    size (the rest to training), so large families do not all end up in the test set.
    """
    groups: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(smiles):
        groups[murcko_scaffold(s)].append(i)
    if len(groups) < 2:
        raise ConfigError("a scaffold hold-out needs at least 2 distinct scaffolds; this data "
                          "has 1: use --split random")
    members = list(groups.values())
    target = fraction * len(smiles)
    test: list[int] = []
    for g in np.random.default_rng(seed).permutation(len(members)):
        if len(test) + len(members[g]) <= target or not test:
            test += members[g]
    test_idx = np.sort(np.asarray(test, dtype=int))
    return np.setdiff1d(np.arange(len(smiles)), test_idx), test_idx


def evaluation_splits(smiles: Sequence[str] | None, n: int, kind: str, scheme: str, folds: int,
                      seed: int, holdout_fraction: float = 0.3) -> list[Split]:
    """The (train, test) index pairs of one split ``kind`` (random, scaffold) and ``scheme``
    (``kfold``: every row tested once; ``holdout``: one split, test ≈ ``holdout_fraction``)."""
    if kind == "scaffold" and smiles is None:
        raise ConfigError("scaffold splits need SMILES; this table has none (use random)")
    if scheme == "kfold":
        return kfold_splits(n, folds, seed) if kind == "random" else make_splits(
            smiles, kind, folds, seed)
    if scheme != "holdout":
        raise ConfigError(f"unknown scheme {scheme!r}; use kfold or holdout")
    if kind == "random":
        return [random_holdout(n, holdout_fraction, seed)]
    return [scaffold_holdout(smiles, holdout_fraction, seed)]
