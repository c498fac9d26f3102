"""Objectives: parsing, derived potentials with the electrolyte window, feasibility, Pareto."""

import numpy as np
import pytest
from scipy.stats import norm

from redoxscreen.campaign.objectives import (
    objectives_from_options,
    p_feasible,
    pareto_front,
    parse_band,
    resolve_columns,
)
from redoxscreen.electrochem import PotentialConversion
from redoxscreen.runtime.errors import ConfigError


def test_parse_band_and_errors():
    b = parse_band("e_red_v_li=:1.5")
    assert (b.low, b.high) == (-np.inf, 1.5)
    for bad in ("e_red_v_li", "x=2:1", "x=a:b"):
        with pytest.raises(ConfigError, match="--band"):
            parse_band(bad)
    with pytest.raises(ConfigError, match="needs an objective"):
        objectives_from_options([], [], [])


def test_derived_potential_reads_its_target_and_the_window():
    objs = objectives_from_options(["e_ox_v_li"], [], ["ea_ev=0.5:"])
    cols = resolve_columns(objs, ["ie_ev", "ea_ev"], ie_target="ie_ev", ea_target="ea_ev",
                           conversion=PotentialConversion.study(), solvent="acetonitrile",
                           collector="Al")
    ox, ea = cols
    assert ox.target == "ie_ev" and ox.slope == pytest.approx(1.0)
    assert ox.intercept == pytest.approx(-1.40)
    assert (ox.low, ox.high) == pytest.approx((0.44, 4.7))  # acetonitrile ∩ Al collector
    assert (ea.low, ea.high) == (0.5, np.inf)
    mean, sd = np.array([[4.0, 1.0]]), np.array([[0.5, 0.5]])
    expected = (norm.cdf((4.7 - 4.0) / 0.5) - norm.cdf((0.44 - 4.0) / 0.5)) * norm.sf(
        (0.5 - 1.0) / 0.5)
    np.testing.assert_allclose(p_feasible(cols, mean, sd), [expected])
    with pytest.raises(ConfigError, match="neither a label column"):
        resolve_columns(objectives_from_options(["solubility"], [], []), ["ie_ev"],
                        ie_target="ie_ev", ea_target="ea_ev",
                        conversion=PotentialConversion.study(), solvent="acetonitrile",
                        collector=None)


def test_pareto_front():
    v = np.array([[1, 1], [2, 0], [0, 2], [0.5, 0.5], [2, 0]])
    np.testing.assert_array_equal(pareto_front(v), [True, True, True, False, True])
