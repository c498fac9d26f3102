"""The evolutionary loop shared by every generator: sample parents → propose → score → select.

Each generation samples ``2 × offspring`` parents from the population by mol_ga's uniform
quantile sampling (uniform over log-spaced top fractions, so the best are drawn most but the
tail still breeds), asks the generator for children, scores the new ones and keeps the best
``population`` of everything scored so far (so the population after generation *g* is the top
of the first *g* generations: a resumed run rebuilds it exactly from the evaluated table).
``budget`` bounds the number of scored molecules, the start population included.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from mol_ga.sample_population import uniform_quantile_sampling

from redoxscreen.design.generators import canonical

Scorer = Callable[[list[str]], pd.DataFrame]  # rows in input order, with a 'fitness' column


@dataclass
class SearchSettings:
    budget: int = 20000
    population: int = 200
    offspring: int = 400
    seed: int = 0
    patience: int = 10  # generations without a new molecule before giving up


@dataclass
class SearchLog:
    """Counts for the validity figure: proposals made and how many gave no molecule."""

    proposed: int = 0
    invalid: int = 0
    repeated: int = 0


def evolve(generator, score: Scorer, start: Sequence[str], settings: SearchSettings, *,
           done: pd.DataFrame | None = None,
           on_generation: Callable[[pd.DataFrame, SearchLog], None] | None = None,
           log: SearchLog | None = None) -> pd.DataFrame:
    """All scored molecules (``smiles, parent, generation`` + the scorer's columns).

    ``done`` holds the rows of an interrupted run (they are kept, not rescored);
    ``on_generation(new_rows, log)`` is called after each generation (a checkpoint).
    """
    log = log or SearchLog()
    frames = [done] if done is not None and len(done) else []
    seen = set(done["smiles"]) if frames else set()
    gen = int(done["generation"].max()) + 1 if frames else 0

    def add(children: list[str], parents: list[str], g: int) -> None:
        nonlocal frames
        room = settings.budget - len(seen)
        children, parents = children[:room], parents[:room]
        if not children:
            return
        rows = score(children).reset_index(drop=True)
        rows.insert(0, "smiles", children)
        rows.insert(1, "parent", parents)
        rows.insert(2, "generation", g)
        seen.update(children)
        frames.append(rows)
        if on_generation is not None:
            on_generation(rows, log)

    if gen == 0:
        first = [c for c in dict.fromkeys(canonical(s) for s in start) if c is not None]
        log.invalid += len(start) - len(first)
        log.proposed += len(start)
        add(first, ["start"] * len(first), 0)
        gen = 1
    idle = 0
    needs_parents = getattr(generator, "needs_parents", True)
    while len(seen) < settings.budget and idle < settings.patience:
        rng = random.Random(settings.seed * 1_000_003 + gen)  # per generation: resumable
        parents: list[str] = []
        if frames:
            pop = pd.concat(frames, ignore_index=True).nlargest(settings.population, "fitness")
            parents = uniform_quantile_sampling(list(zip(pop["fitness"], pop["smiles"],
                                                         strict=True)),
                                                2 * settings.offspring, rng)
        elif needs_parents:
            break  # no valid start molecule to breed from
        kids: dict[str, str] = {}
        for child, parent in generator.propose(parents, settings.offspring, rng):
            log.proposed += 1
            if child is None:
                log.invalid += 1
            elif child in seen or child in kids:
                log.repeated += 1
            else:
                kids[child] = parent
        idle = 0 if kids else idle + 1
        add(list(kids), list(kids.values()), gen)
        gen += 1
    if not frames:
        return pd.DataFrame(columns=["smiles", "parent", "generation", "fitness"])
    return pd.concat(frames, ignore_index=True)


def mean_pairwise_similarity(fps: list) -> float:
    """Mean Tanimoto similarity over all pairs (lower = more diverse); NaN below two."""
    from rdkit import DataStructs

    if len(fps) < 2:
        return float("nan")
    total = [np.asarray(DataStructs.BulkTanimotoSimilarity(fps[i], fps[i + 1:])).sum()
             for i in range(len(fps) - 1)]
    return float(np.sum(total) / (len(fps) * (len(fps) - 1) / 2))
