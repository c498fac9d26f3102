"""The evolutionary loop: it climbs, keeps to its budget and resumes exactly."""

import pandas as pd
import pytest
from rdkit import Chem

from redoxscreen.design import SearchLog, SearchSettings, evolve, make_generator
from redoxscreen.design.objective import band_distance, similarity_weight

START = ["c1ccccc1", "c1ccncc1", "CCO", "c1ccsc1", "CC(=O)C"]


def n_score(smiles):
    """Fitness: the share of nitrogen among heavy atoms, for molecules of 8–14 heavy atoms."""
    rows = []
    for s in smiles:
        m = Chem.MolFromSmiles(s)
        heavy = m.GetNumHeavyAtoms()
        n = sum(a.GetSymbol() == "N" for a in m.GetAtoms())
        rows.append(n / heavy if 8 <= heavy <= 14 else 0.0)
    return pd.DataFrame({"fitness": rows})


@pytest.mark.parametrize("name", ["graph-ga", "selfies"])
def test_the_loop_climbs_within_its_budget(name):
    log = SearchLog()
    table = evolve(make_generator(name, elements=frozenset("CNOS")), n_score, START,
                   SearchSettings(budget=600, population=30, offspring=60, seed=0), log=log)
    assert len(table) == 600 and table["smiles"].is_unique
    assert table.loc[table["generation"] == 0, "fitness"].max() == 0  # nothing fits at first
    assert table["fitness"].max() >= 0.3
    assert log.proposed >= 600 - len(START) and log.invalid <= 0.1 * log.proposed
    assert set(table.loc[table["generation"] == 0, "parent"]) == {"start"}


def test_an_interrupted_run_resumes_to_the_same_molecules():
    settings = SearchSettings(budget=400, population=20, offspring=50, seed=3)
    full = evolve(make_generator("graph-ga"), n_score, START, settings)
    saved = []

    def stop_after_three(rows, log):
        saved.append(rows)
        if rows["generation"].iloc[0] == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        evolve(make_generator("graph-ga"), n_score, START, settings,
               on_generation=stop_after_three)
    done = pd.concat(saved, ignore_index=True)
    assert 0 < len(done) < 400
    resumed = evolve(make_generator("graph-ga"), n_score, START, settings, done=done)
    pd.testing.assert_frame_equal(resumed, full)


def test_the_similarity_ramp_and_band_distance():
    assert similarity_weight([0.1, 0.3, 0.4, 0.5, 0.9], 0.3, 0.5).tolist() == pytest.approx(
        [0, 0, 0.5, 1, 1])
    assert band_distance([3.5, 4.1, 4.6], 4.0, 4.3).tolist() == pytest.approx([0.5, 0, 0.3])


def test_the_library_baseline_needs_no_start_and_a_breeder_needs_one():
    pool = ["Nc1ccccc1", "Cc1cccnc1", "CCCCCCCCN", "c1ccc2ccccc2c1", "NCCCCCCCCN"]  # canonical
    table = evolve(make_generator("library", pool=pool), n_score, [],
                   SearchSettings(budget=4, population=5, offspring=3))
    assert len(table) == 4 and set(table["smiles"]) <= set(pool)
    empty = evolve(make_generator("graph-ga"), n_score, ["not a molecule"],
                   SearchSettings(budget=50))
    assert empty.empty
