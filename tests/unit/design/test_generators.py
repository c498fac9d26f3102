"""Generators: valid canonical children with their parents; SELFIES keeps to the elements."""

import random

import pytest
from rdkit import Chem

from redoxscreen.design import GENERATORS, make_generator
from redoxscreen.runtime.errors import ConfigError

PARENTS = ["COc1ccc(OC)cc1", "O=C1C=CC(=O)C=C1", "CN1c2ccccc2Sc2ccccc21", "c1ccc2nsnc2c1"]


def test_the_registry_lists_the_generators():
    assert {"graph-ga", "selfies", "library"} <= set(GENERATORS.names())


@pytest.mark.parametrize("name", ["graph-ga", "selfies"])
def test_children_are_canonical_and_name_their_parents(name):
    gen = make_generator(name, elements=frozenset("CNOSH"))
    out = gen.propose(PARENTS, 200, random.Random(0))
    assert len(out) == 200
    kids = [(c, p) for c, p in out if c is not None]
    assert len(kids) >= 150
    for child, parent in kids:
        assert Chem.MolToSmiles(Chem.MolFromSmiles(child)) == child
        assert all(p in PARENTS for p in parent.split(" + "))
    assert len({c for c, _ in kids} - set(PARENTS)) >= 50  # new molecules, not copies
    again = make_generator(name, elements=frozenset("CNOSH")).propose(PARENTS, 200,
                                                                       random.Random(0))
    assert again == out  # seeded


def test_selfies_mutations_use_only_allowed_elements():
    gen = make_generator("selfies", {"max_mutations": 3}, elements=frozenset("CNOH"))
    for child, _ in gen.propose(PARENTS, 300, random.Random(1)):
        if child:
            atoms = {a.GetSymbol() for a in Chem.MolFromSmiles(child).GetAtoms()}
            # S and F come only from the parents (kept atoms), never from a mutation
            assert atoms <= {"C", "N", "O", "S"}


def test_the_library_draws_each_molecule_once_then_runs_dry():
    pool = ["CCO", "CCN", "CCC", "c1ccccc1", "CC(C)O"]
    gen = make_generator("library", pool=pool)
    rng = random.Random(0)
    a, b = gen.propose([], 3, rng), gen.propose([], 3, rng)
    got = [c for c, _ in a + b]
    assert sorted(got) == sorted(Chem.MolToSmiles(Chem.MolFromSmiles(s)) for s in pool)
    assert gen.propose([], 3, rng) == []
    with pytest.raises(ConfigError, match="needs a pool"):
        make_generator("library")
    with pytest.raises(ConfigError, match="no setting .temperature.; its settings: mutate_f"):
        make_generator("graph-ga", {"temperature": 2})
