"""Acquisition functions: the formulas, the registry, the options, constraints."""

import numpy as np
import pytest

from redoxscreen.campaign.acquisition import (
    ACQUISITIONS,
    AcquisitionInput,
    parse_acquisition,
    score,
)
from redoxscreen.runtime.errors import ConfigError


def make_input(mean, sd, best=0.0, p=None, constrained=False):
    n = len(mean)
    p = np.ones(n) if p is None else np.asarray(p, float)
    rng = np.random.default_rng(0)
    return AcquisitionInput(
        mean=np.asarray(mean, float), sd=np.asarray(sd, float), best=best, p_feasible=p,
        mean_feasible=p >= 0.5, distance=np.zeros(n), spread=np.asarray(sd, float),
        sample=lambda k: np.asarray(mean)[None] + np.asarray(sd)[None]
        * rng.standard_normal((k, n)), rng=rng, batch_size=2, constrained=constrained)


def test_registry_lists_every_acquisition():
    assert {"random", "greedy", "ucb", "ei", "pi", "thompson", "maxvar", "pwindow"} <= set(
        ACQUISITIONS.names())
    assert ACQUISITIONS["ucb"].settings == {"beta": 2.0}


def test_ei_matches_monte_carlo():
    mean, sd = np.array([0.0, 0.5, -1.0]), np.array([1.0, 0.2, 2.0])
    z = np.random.default_rng(1).standard_normal((400_000, 1))
    mc = np.maximum(mean + sd * z.repeat(3, 1) - 0.3, 0).mean(axis=0)
    np.testing.assert_allclose(score("ei", make_input(mean, sd, best=0.3)), mc, rtol=0.02)
    pi = score("pi", make_input(mean, sd, best=0.3))
    np.testing.assert_allclose(pi, ((mean + sd * z - 0.3) > 0).mean(axis=0), atol=0.01)


def test_ucb_greedy_maxvar_order():
    inp = make_input([1.0, 0.0, 0.5], [0.0, 1.0, 0.3])
    assert np.argmax(score("greedy", inp)) == 0
    assert np.argmax(score("ucb", inp)) == 1  # 0 + 2·1 beats 1 + 0
    assert np.argmax(score("ucb:beta=0.5", inp)) == 0
    assert np.argmax(score("maxvar", inp)) == 1


def test_constraints_weight_ei_and_gate_greedy():
    inp = make_input([2.0, 1.0], [0.5, 0.5], best=0.0, p=[0.1, 0.9], constrained=True)
    ei = score("ei", inp)
    np.testing.assert_allclose(ei / score("ei", make_input([2.0, 1.0], [0.5, 0.5])), [0.1, 0.9])
    assert np.argmax(score("greedy", inp)) == 1  # the better mean is predicted infeasible
    np.testing.assert_allclose(score("pwindow", inp), [0.1, 0.9])


def test_thompson_gives_one_draw_per_slot():
    s = score("thompson", make_input([0.0, 1.0, 2.0], [0.1, 0.1, 0.1]))
    assert s.shape == (2, 3)


def test_bad_specs_are_clear():
    with pytest.raises(ConfigError, match="unknown acquisition 'eii'"):
        parse_acquisition("eii")
    with pytest.raises(ConfigError, match="has no setting 'gamma'"):
        parse_acquisition("ucb:gamma=1")
    with pytest.raises(ConfigError, match="needs a constraint"):
        score("pwindow", make_input([0.0], [1.0]))


def test_options_are_typed():
    assert parse_acquisition("UCB:beta=3") == ("ucb", {"beta": 3})
    with pytest.raises(ConfigError, match="a number is needed"):
        parse_acquisition("ucb:beta=high")
