"""Registered molecule generators: each proposes children of parent molecules.

- ``graph-ga``: Jensen's graph-based genetic algorithm (crossover of ring/chain fragments, then
  atom/bond/ring mutations) from the ``mol_ga`` package; 10 % of children are mutations only.
- ``selfies``: STONED-style point mutations (replace, insert or delete one token) of the SELFIES
  string, every result a valid molecule by construction (Nigam et al., Chem. Sci. 12, 7079
  (2021)); the token alphabet is restricted to the allowed elements.
- ``library``: random draws from a given pool (an enumerated library), the baseline a
  generator has to beat at the same number of model evaluations.

A generator returns ``(child_smiles or None, parent)`` pairs; ``None`` marks a proposal that
gave no valid molecule (counted in the validity figure, never silently dropped).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import selfies as sf
from mol_ga.graph_ga.gen_candidates import mutate as ga_mutate
from mol_ga.graph_ga.gen_candidates import reproduce as ga_reproduce
from rdkit import Chem, RDLogger

from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.registry import Registry

GENERATORS = Registry("generator", runtime=("pool", "elements"))
Proposal = tuple[str | None, str]


def canonical(smiles: str | None) -> str | None:
    if not smiles:
        return None
    mol = Chem.MolFromSmiles(smiles)
    return Chem.MolToSmiles(mol) if mol is not None and mol.GetNumAtoms() else None


@GENERATORS.register("graph-ga")
class GraphGA:
    """Graph GA crossover + mutation (``mol_ga``); ``mutate_fraction`` of children are
    mutations of one parent, the rest crossovers of two (mutated with ``mutation_rate``)."""

    def __init__(self, mutate_fraction: float = 0.1, mutation_rate: float = 0.01,
                 elements: frozenset[str] | None = None):
        self.mutate_fraction = mutate_fraction
        self.mutation_rate = mutation_rate

    def propose(self, parents: Sequence[str], n: int, rng: random.Random) -> list[Proposal]:
        RDLogger.DisableLog("rdApp.*")  # as redoxscreen.chem does; never re-enabled here
        out: list[Proposal] = []
        for _ in range(n):
            a = rng.choice(parents)
            if rng.random() < self.mutate_fraction:
                out.append((canonical(ga_mutate(a, rng)), a))
            else:
                b = rng.choice(parents)
                out.append((canonical(ga_reproduce(a, b, self.mutation_rate, rng)),
                            f"{a} + {b}"))
        return out


@GENERATORS.register("selfies")
class SelfiesMutation:
    """One to ``max_mutations`` random token edits of a parent's SELFIES string (tokens of
    neutral atoms of the allowed elements, branches and rings)."""

    def __init__(self, max_mutations: int = 2, elements: frozenset[str] | None = None):
        self.max_mutations = max_mutations
        # neutral atoms only: a charged token almost always breaks the charge constraint
        alphabet = [t for t in sf.get_semantic_robust_alphabet() if "+" not in t and "-" not in t]
        if elements is not None:
            alphabet = [t for t in alphabet if _token_element(t) in elements]
        alphabet += ["[Branch1]", "[Ring1]", "[Ring2]", "[=Branch1]"]
        self.alphabet = sorted(set(alphabet))

    def mutate(self, parent: str, rng: random.Random) -> str | None:
        try:
            tokens = list(sf.split_selfies(sf.encoder(parent)))
        except sf.EncoderError:
            return None
        for _ in range(rng.randint(1, self.max_mutations)):
            op = rng.random()
            i = rng.randrange(len(tokens) + (op < 1 / 3))
            if op < 1 / 3:
                tokens.insert(i, rng.choice(self.alphabet))
            elif op < 2 / 3 or len(tokens) < 2:
                tokens[min(i, len(tokens) - 1)] = rng.choice(self.alphabet)
            else:
                del tokens[i]
        try:
            return canonical(sf.decoder("".join(tokens)))
        except sf.DecoderError:
            return None

    def propose(self, parents: Sequence[str], n: int, rng: random.Random) -> list[Proposal]:
        out: list[Proposal] = []
        for _ in range(n):
            a = rng.choice(parents)
            out.append((self.mutate(a, rng), a))
        return out


@GENERATORS.register("library")
class LibrarySampler:
    """Draws from ``pool`` without replacement, ignoring the parents."""

    needs_parents = False

    def __init__(self, pool: Sequence[str] | None = None,
                 elements: frozenset[str] | None = None):
        if not pool:
            raise ConfigError("the library generator needs a pool of molecules (--library)")
        self.pool = list(dict.fromkeys(pool))
        self.used = 0
        self._order: list[int] | None = None

    def propose(self, parents: Sequence[str], n: int, rng: random.Random) -> list[Proposal]:
        if self._order is None:
            self._order = list(range(len(self.pool)))
            rng.shuffle(self._order)
        take = self._order[self.used:self.used + n]
        self.used += len(take)
        return [(canonical(self.pool[i]), "") for i in take]


def _token_element(token: str) -> str | None:
    """``'[=C]'`` → ``'C'``, ``'[NH1+1]'`` → ``'N'``; structural tokens → None."""
    body = token.strip("[]").lstrip("=#/\\")
    if body.startswith(("Branch", "Ring")):
        return None
    symbol = body[:2] if len(body) > 1 and body[1].islower() else body[:1]
    return symbol or None


def make_generator(name: str, settings: dict | None = None, *,
                   pool: Sequence[str] | None = None,
                   elements: frozenset[str] | None = None):
    """The registered generator ``name``; ``pool`` feeds ``library``, ``elements`` limits
    the SELFIES alphabet."""
    part = GENERATORS[name]
    settings = dict(settings or {})
    GENERATORS.check_settings(name, settings)
    if name == "library":
        return part.factory(pool=pool, **settings)
    return part.factory(elements=elements, **settings)
