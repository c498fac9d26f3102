import json

import numpy as np
import pytest

from redoxscreen.evaluation.calibration import (
    INTERVALS,
    calibrator_from_state,
    empirical_coverage,
    fit_calibrator,
)
from redoxscreen.runtime.errors import ConfigError


def _synthetic(n=4000, k=5, seed=0):
    """Fold models = truth + shared noise + model-specific noise (heteroscedastic)."""
    rng = np.random.default_rng(seed)
    y = rng.normal(size=n)
    scale = rng.uniform(0.1, 0.5, n)
    shared = rng.normal(0, 1, n) * scale
    members = y + shared + rng.normal(0, 0.05, (k, n))
    fold = rng.integers(0, k, n)
    oof = members[fold, np.arange(n)]
    return y, members, oof, fold


def test_global_interval_is_the_studys_band():
    y, members, oof, fold = _synthetic()
    cal = fit_calibrator("global", y, oof, fold)
    lo, hi = cal.interval(members)
    np.testing.assert_allclose(hi - lo, 2 * 1.959964 * np.std(oof - y, ddof=1), rtol=1e-5)


def test_cv_plus_reaches_nominal_coverage_on_new_data():
    y, members, oof, fold = _synthetic(seed=0)
    cal = fit_calibrator("conformal", y, oof, fold, coverage=0.9)
    y2, members2, _, _ = _synthetic(seed=1)
    lo, hi = cal.interval(members2)
    cov = empirical_coverage(y2, lo, hi)
    assert 0.88 <= cov <= 0.93
    assert cal.to_dict() == {"mode": "conformal", "coverage": 0.9, "n_calibration": 4000,
                             "n_folds": 5}
    state = calibrator_from_state(json.loads(json.dumps(cal.state())))  # as a worker gets it
    np.testing.assert_allclose(state.interval(members2[:, :10])[1], hi[:10])


@pytest.mark.parametrize("coverage", [0.8, 0.95])
def test_cv_plus_bounds_are_barbers_order_statistics(coverage):
    """Jackknife+/CV+ (Barber et al. 2021): the floor(a(n+1))-th smallest of v_f(i) - R_i and
    the ceil((1-a)(n+1))-th smallest of v_f(i) + R_i, found here by sorting all n values."""
    rng = np.random.default_rng(3)
    y, members, oof, fold = _synthetic(n=60, seed=3)
    cal = fit_calibrator("conformal", y, oof, fold, coverage=coverage)
    new = members[:, :7] + rng.normal(0, 0.3, (5, 7))  # members that disagree by ~0.3
    lo, hi = cal.interval(new)
    R = np.abs(y - oof)
    n, a = len(y), 1 - coverage
    for j in range(new.shape[1]):
        v = new[fold, j]
        assert lo[j] == np.sort(v - R)[int(np.floor(a * (n + 1))) - 1]  # exactly
        assert hi[j] == np.sort(v + R)[int(np.ceil((1 - a) * (n + 1))) - 1]


@pytest.mark.parametrize("spread", [0.0, 0.01, 3.0])
def test_order_statistic_is_exact_with_ties_and_wide_spreads(spread):
    """The k-th smallest of the shifted folds equals sorting all values, for every k, when
    fold models agree, when they disagree by far more than the residuals, and with residuals
    that tie (rounded to 0.01)."""
    from redoxscreen.evaluation.order_stats import SortedCounter, order_statistic

    rng = np.random.default_rng(7)
    folds = [np.sort(np.round(rng.exponential(0.2, n), 2)) for n in (40, 37, 43)]
    pooled = np.sort(np.concatenate(folds))
    shift = rng.normal(0, spread, (3, 25)) if spread else np.zeros((3, 25))
    every = np.sort(np.concatenate([shift[f][:, None] + r[None, :]
                                    for f, r in enumerate(folds)], axis=1), axis=1)
    for k in (1, 2, 60, len(pooled) - 1, len(pooled)):
        got = order_statistic([SortedCounter(r) for r in folds], shift, k, pooled)
        np.testing.assert_array_equal(got, every[:, k - 1])


def test_cv_plus_widens_where_fold_models_disagree():
    y, members, oof, fold = _synthetic()
    cal = fit_calibrator("conformal", y, oof, fold)
    agree = np.zeros((5, 1))
    disagree = np.array([[-1.0], [-0.5], [0.0], [0.5], [1.0]])
    w1 = np.subtract(*cal.interval(agree)[::-1])
    w2 = np.subtract(*cal.interval(disagree)[::-1])
    assert w2[0] > w1[0] + 0.5


def test_ensemble_mode_and_errors():
    y, members, oof, fold = _synthetic()
    lo, hi = fit_calibrator("ensemble", y, oof, fold).interval(members)
    np.testing.assert_allclose((hi - lo) / 2, 1.96 * members.std(0), rtol=1e-3)
    with pytest.raises(ConfigError, match="unknown uncertainty mode 'bayes'; known: conformal"):
        fit_calibrator("bayes", y, oof, fold)
    assert INTERVALS.names() == ["conformal", "ensemble", "global"]
    for mode in INTERVALS:  # every mode survives the JSON trip to a worker
        cal = fit_calibrator(mode, y, oof, fold)
        back = calibrator_from_state(json.loads(json.dumps(cal.state())))
        np.testing.assert_allclose(back.interval(members)[0], cal.interval(members)[0])
    cal = fit_calibrator("conformal", y, oof, fold)
    with pytest.raises(ConfigError, match="5 fold models"):
        cal.interval(members[:3])


@pytest.mark.parametrize("kind", ["exponential", "ties", "one value", "single"])
def test_sorted_counter_counts_as_searchsorted(kind):
    """The table lookup counts #{r <= x} exactly as a binary search does, for queries below,
    inside (on the residuals themselves too) and above the sample."""
    from redoxscreen.evaluation.order_stats import SortedCounter

    rng = np.random.default_rng(11)
    r = {"exponential": rng.exponential(0.3, 500), "ties": np.round(rng.exponential(0.3, 500), 1),
         "one value": np.full(20, 0.25), "single": np.array([0.4])}[kind]
    r = np.sort(r)
    x = np.concatenate([rng.uniform(-1, 3, 3000), r, np.nextafter(r, -np.inf),
                        np.nextafter(r, np.inf), [r[0] - 1e-300, r[-1], 1e300, -1e300]])
    np.testing.assert_array_equal(SortedCounter(r).count(x), np.searchsorted(r, x, "right"))
