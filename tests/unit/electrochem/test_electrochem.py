import numpy as np
import pytest

from redoxscreen.electrochem import (
    SHE_ABSOLUTE_V_ISSE_GENNARO,
    PotentialConversion,
    ScreenRule,
    Window,
    convert_potential,
    fit_linear_map,
    parse_band,
    stability_window,
    study_oxidation_v_li,
    study_reduction_v_li,
    window_table,
)
from redoxscreen.runtime.errors import ConfigError


def test_study_acetonitrile_window_on_three_scales():
    she = np.array([-2.6, 3.5])
    np.testing.assert_allclose(convert_potential(she, "vs_she", "vs_li"), [0.44, 6.54])
    np.testing.assert_allclose(
        convert_potential(she, "vs_she", "absolute", SHE_ABSOLUTE_V_ISSE_GENNARO), [1.68, 7.78])
    w = stability_window("acetonitrile", scale="vs_li")
    assert (w.low_v, w.high_v) == pytest.approx((0.44, 6.54))
    w_abs = stability_window("ACN", scale="absolute", she_absolute_v=4.28)
    assert (w_abs.low_v, w_abs.high_v) == pytest.approx((1.68, 7.78))


def test_scale_round_trip_and_default_absolute_she():
    x = np.array([0.0, 1.23])
    back = convert_potential(convert_potential(x, "vs_li", "absolute"), "absolute", "vs_li")
    np.testing.assert_allclose(back, x)
    assert convert_potential(0.0, "vs_she", "absolute") == pytest.approx(4.44)
    with pytest.raises(ConfigError, match="unknown potential scale"):
        convert_potential(0.0, "vs_sce", "vs_li")


def test_study_rule_and_conversion_object():
    assert study_oxidation_v_li(4.5) == pytest.approx(3.1)
    assert study_reduction_v_li(3.2) == pytest.approx(1.8)
    conv = PotentialConversion.study()
    assert conv.potential(np.array([4.5]), "oxidation", "vs_li")[0] == pytest.approx(3.1)
    assert conv.potential(np.array([4.5]), "oxidation", "vs_she")[0] == pytest.approx(0.06)
    solv = PotentialConversion.solvation(-1.5, 1.6)
    assert solv.potential(np.array([7.0]), "oxidation", "absolute")[0] == pytest.approx(5.5)
    assert solv.potential(np.array([7.0]), "oxidation", "vs_li")[0] == pytest.approx(4.1)
    again = PotentialConversion.from_dict(solv.to_dict())
    assert again == solv


def test_linear_calibration_recovers_the_line():
    rng = np.random.default_rng(0)
    x = rng.uniform(6, 9, 30)
    m = fit_linear_map(x, 0.8 * x - 3.0 + rng.normal(0, 0.01, 30))
    assert m.slope == pytest.approx(0.8, abs=0.02) and m.intercept_v == pytest.approx(-3, abs=0.15)
    assert m.n == 30 and m.mae_v < 0.02
    with pytest.raises(ConfigError, match="at least 3"):
        fit_linear_map(np.array([1.0, 2.0]), np.array([1.0, 2.0]))


def test_window_table_has_required_rows_with_sources():
    t = window_table()
    names = set(t["name"])
    for need in ("acetonitrile", "dimethyl carbonate", "diethyl carbonate", "ethylene carbonate",
                 "propylene carbonate", "dimethyl sulfoxide", "N,N-dimethylformamide",
                 "tetrahydrofuran", "water", "Al", "Cu"):
        assert need in names
    assert t["source"].str.len().min() > 10
    assert set(t["scale"]) <= {"vs_li", "vs_she", "absolute"}


def test_collector_caps_the_window():
    w = stability_window("acetonitrile", "Al")
    assert (w.low_v, w.high_v) == pytest.approx((0.44, 4.7))
    with pytest.raises(ConfigError, match="unknown solvent"):
        stability_window("benzene")


def test_rule_requires_whole_interval_inside_window_and_band():
    rule = ScreenRule("cathode", Window(0.44, 4.7, "vs_li", ()), parse_band("3.0:3.29"))
    e = np.array([3.1, 3.1, 4.6, 3.5, np.nan])
    lo = e - np.array([0.1, 2.8, 0.2, 0.1, 0.1])
    hi = e + np.array([0.1, 0.1, 0.2, 0.1, 0.1])
    res = rule.evaluate(e, lo, hi)
    assert res["in_window"].tolist() == [True, False, False, True, False]
    assert res["in_band"].tolist() == [True, True, False, False, False]
    assert res["pass"].tolist() == [True, False, False, False, False]
    assert res["p_window"][0] > 0.99 and 0.5 < res["p_window"][2] < 0.9
    assert np.isnan(res["p_window"][4])
    assert parse_band("1.8:") == (1.8, None) and parse_band(None) is None
    with pytest.raises(ConfigError):
        parse_band("3.0")


def test_probability_inside_a_range_is_stable_and_exact():
    from scipy.stats import norm

    from redoxscreen.electrochem import p_inside

    e = np.array([4.15, 3.9, 4.6, 12.0, -8.0, np.nan])
    lo, hi = e - 0.196, e + 0.196  # σ = 0.1 V
    p = p_inside(e, lo, hi, 4.0, 4.3)
    expect = norm.cdf((4.3 - e[:3]) / 0.1) - norm.cdf((4.0 - e[:3]) / 0.1)
    assert p[:3] == pytest.approx(expect, rel=1e-3)
    assert p[3] == 0.0 and p[4] == 0.0 and np.isnan(p[5])  # far tails: 0, never negative
    assert p_inside(np.array([4.0]), np.array([3.9]), np.array([4.1]), 4.3, 4.0)[0] == 0.0
    far = p_inside(np.array([5.0]), np.array([4.9]), np.array([5.1]), 4.0, 4.3)[0]
    assert 0 < far < 1e-30  # the upper tail keeps its precision (1 - 1 would give 0)


def test_a_rule_targets_band_and_window_together():
    from redoxscreen.electrochem import ScreenRule, stability_window

    w = stability_window("acetonitrile", "Al", "vs_li")
    assert ScreenRule("cathode", w, (4.0, 5.5)).target_range() == (4.0, w.high_v)
    assert ScreenRule("cathode", w, (None, 3.0)).target_range() == (w.low_v, 3.0)
    assert ScreenRule("cathode", w).target_range() == (w.low_v, w.high_v)
