"""Tests and intervals that hold their size on serially dependent rows (issue 26, case 5)."""

import warnings

import numpy as np
import pytest

from skmi import KSGMutualInfo, bootstrap_ci, estimate_mi, permutation_test
from skmi._surrogates import (
    autocorrelation,
    block_permutation,
    circular_shifts,
    decorrelation_length,
    serially_dependent,
)


def _ar1(n, phi, rng, burn=300):
    e = rng.standard_normal(n + burn)
    x = np.empty_like(e)
    x[0] = e[0] / np.sqrt(1 - phi**2)
    for t in range(1, len(e)):
        x[t] = phi * x[t - 1] + e[t]
    return x[burn:]


def _rejections(scheme, phi, n_sets, n=500):
    rejected = 0
    for seed in range(n_sets):
        rng = np.random.default_rng(seed)
        x, y = _ar1(n, phi, rng), _ar1(n, phi, rng)  # independent: truth 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            test = permutation_test(
                KSGMutualInfo(random_state=0),
                x[:, None],
                y,
                n_permutations=39,
                scheme=scheme,
                random_state=seed,
            )
        rejected += test.p_value <= 0.05
    return rejected


def test_shuffling_rejects_independent_autocorrelated_series_and_shifts_do_not():
    # Issue 26, case 5: two independent AR(1) series (phi = 0.95, n = 500);
    # a row shuffle rejected independence at 5 % in 17 of 20 data sets.
    assert _rejections("permutation", 0.95, 12) >= 6  # the failure is real
    # circular shifts keep each series' autocorrelation: size near 5 %
    # (at most 3 of 12 allows for a binomial(12, 0.05) tail of 2 %)
    assert _rejections("circular", 0.95, 12) <= 3


def test_circular_shifts_detect_a_coupled_pair():
    rng = np.random.default_rng(0)
    x = _ar1(500, 0.9, rng)
    y = x + 0.5 * _ar1(500, 0.9, rng)  # correlation 0.89 at lag 0: 0.80 nats
    test = permutation_test(
        KSGMutualInfo(random_state=0),
        x[:, None],
        y,
        n_permutations=99,
        scheme="circular",
        random_state=0,
    )
    assert test.p_value <= 0.05


def test_auto_scheme_warns_on_serial_dependence_and_not_on_iid_rows():
    rng = np.random.default_rng(1)
    x, y = _ar1(400, 0.9, rng), _ar1(400, 0.9, rng)
    with pytest.warns(UserWarning, match="scheme='circular'"):
        permutation_test(KSGMutualInfo(random_state=0), x[:, None], y, n_permutations=5)
    a, b = rng.standard_normal(400), rng.standard_normal(400)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        permutation_test(KSGMutualInfo(random_state=0), a[:, None], b, n_permutations=5)
    # rows sorted by x with an independent y: only one side is serially dependent
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        permutation_test(KSGMutualInfo(random_state=0), np.sort(a)[:, None], b, n_permutations=5)


def test_estimate_mi_time_series_uses_shifts_and_windows():
    rng = np.random.default_rng(2)
    x, y = _ar1(600, 0.95, rng), _ar1(600, 0.95, rng)
    with pytest.warns(UserWarning, match="time_series=True") as caught:
        estimate_mi(x, y, ci=True, p_value=True, n_permutations=9, random_state=0)
    assert len([w for w in caught if "time_series=True" in str(w.message)]) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = estimate_mi(
            x, y, ci=True, p_value=True, n_permutations=49, time_series=True, random_state=0
        )
    assert "consecutive rows" in result.ci_method
    assert any("circular shifts" in note for note in result.notes)
    assert result.ci[0] <= 0.0 + 1e-12 or result.ci[0] < 0.05  # truth 0 is inside or near


def test_moving_block_interval_keeps_windows_contiguous():
    rng = np.random.default_rng(3)
    x = _ar1(300, 0.8, rng)
    y = x + rng.standard_normal(300)
    ci = bootstrap_ci(
        KSGMutualInfo(random_state=0),
        x[:, None],
        y,
        time_series=True,
        n_resamples=20,
        random_state=0,
    )
    assert ci.method == "moving-block" and ci.low <= ci.estimate <= ci.high


def test_surrogate_index_arrays():
    rng = np.random.RandomState(0)
    shifts = circular_shifts(100, 500, 10, rng)
    assert len(shifts) == 81  # every lag 10..90: exact over the shifts
    lags = {int((s[0] - 0) % 100) for s in shifts}
    assert min(lags) >= 10 and max(lags) <= 90
    for _ in range(20):
        p = block_permutation(103, 7, rng)
        assert np.array_equal(np.sort(p), np.arange(103))
        assert np.sum(np.diff(p) == 1) >= 103 - 2 * (103 // 7 + 2)  # runs of 7 kept
    with pytest.raises(ValueError, match="too short"):
        circular_shifts(10, 5, 6, rng)


def test_autocorrelation_and_decorrelation_length_of_an_ar1():
    rng = np.random.default_rng(4)
    x = _ar1(20000, 0.9, rng)
    acf = autocorrelation(x, 5)[:, 0]
    np.testing.assert_allclose(acf, 0.9 ** np.arange(6), atol=0.03)
    # first lag where 0.9^k < 2 / sqrt(n) = 0.0141: k = 41 (ceil of log / log 0.9 = 40.4);
    # the sample autocorrelation near that level is noisy (its error ~ 0.02)
    assert 25 <= decorrelation_length(x) <= 60
    assert serially_dependent(x) and not serially_dependent(rng.standard_normal(20000))


def test_a_data_set_sorted_by_class_is_no_time_series():
    # scikit-learn's wine rows are grouped by class: every feature that
    # depends on the class is autocorrelated in row order, yet the rows are
    # exchangeable. A sorted side says so: no time-series warning, and the
    # 13 features against the class take the classifier bounds (atoms and
    # counts among the columns are no obstacle to a classifier).
    from sklearn.datasets import load_wine

    data = load_wine()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = estimate_mi(
            data.data, data.target, ci=True, p_value=True, n_permutations=9, random_state=0
        )
    assert result.method == "classifiers"
    # the class is nearly determined by the 13 features: close to H(y) = 1.09
    assert 0.8 < result.estimate <= np.log(3)
