"""Shared sort orders (skmi._ranks): the same bits as sorting afresh, and no leaks."""

import threading

import numpy as np
import pytest
from scipy.stats import rankdata as scipy_rankdata

from skmi import GaussianMutualInfo, KSGMutualInfo, TCopulaMutualInfo, estimate_mi, stats
from skmi._numba import radix_order
from skmi._ranks import (
    _KNOWN,
    SampleOrders,
    rankdata,
    remember,
    shared_orders,
    stable_order,
    unique_counts,
    unique_inverse,
    window_order,
)


def _columns():
    rng = np.random.default_rng(0)
    a = rng.standard_normal(500)
    signed = np.where(a > 0.5, 0.0, np.where(a < -0.5, -0.0, a))
    return {
        "continuous": a,
        "ties": np.round(a, 1),
        "few": np.round(a * 2),
        "integers": rng.integers(0, 5, 500),
        "signed zeros": signed,
        "nan": np.where(a > 1.5, np.nan, a),
        "constant": np.ones(500),
    }


def _same(first, second):
    return (
        first.dtype == second.dtype
        and first.shape == second.shape
        and np.array_equal(first, second, equal_nan=True)
    )


@pytest.mark.parametrize("name", list(_columns()))
def test_shared_orders_give_the_bits_of_numpy_and_scipy(name):
    a = _columns()[name]
    with shared_orders():
        remember(np.argsort(-a, kind="stable"))  # a wrong candidate: must not be used
        remember(np.argsort(np.exp(np.nan_to_num(a)), kind="stable"))  # a monotone map's
        assert _same(stable_order(a), np.argsort(a, kind="stable"))
        assert all(map(_same, unique_counts(a), np.unique(a, return_counts=True)))
        assert _same(rankdata(a), scipy_rankdata(a))
        pair = np.c_[a, -a] if name != "nan" else np.c_[a, a]
        shared, plain = rankdata(pair), scipy_rankdata(pair, axis=0)
        assert _same(shared, plain)
        assert shared.strides == plain.strides  # same layout: later sums add alike
        values, inverse = unique_inverse(pair)
        expected_values, expected_inverse = np.unique(pair, return_inverse=True)
        assert _same(values, expected_values)
        assert np.array_equal(inverse.reshape(pair.shape), expected_inverse.reshape(pair.shape))


def test_a_window_order_is_the_stable_order_of_the_window():
    a = np.round(np.random.default_rng(1).standard_normal(300), 1)
    order = np.argsort(a, kind="stable")
    for start, stop in ((0, 300), (7, 300), (0, 250), (40, 41), (13, 200)):
        assert _same(window_order(order, start, stop), np.argsort(a[start:stop], kind="stable"))


def test_a_lag_scan_equals_estimates_on_hand_shifted_arrays():
    rng = np.random.default_rng(2)
    n = 1500
    x = np.cumsum(rng.standard_normal(n)) * 0.1 + rng.standard_normal(n)
    y = np.r_[np.zeros(2), x[:-2]] + rng.standard_normal(n)
    x[::10] = np.round(x[::10], 1)  # some ties
    lags = [0, 1, 2, -3, 5]
    scan = estimate_mi(x, y, lag=lags, random_state=0)
    for lag, result in zip(lags, scan, strict=True):
        rows = np.arange(max(0, -lag), n - max(0, lag))
        alone = estimate_mi(x[rows], y[rows + lag], random_state=0)
        assert result.estimate == alone.estimate
        assert result.raw_estimate == alone.raw_estimate
        assert (result.method, result.reason) == (alone.method, alone.reason)
        assert result.notes[:-1] == alone.notes  # the scan adds the lag's note


def test_the_scope_ends_with_the_call_and_is_not_shared_by_threads():
    assert _KNOWN.get() is None
    rng = np.random.default_rng(3)
    x = rng.standard_normal(400)
    estimate_mi(x, x + rng.standard_normal(400), lag=[0, 1], random_state=0)
    assert _KNOWN.get() is None  # nothing kept for the next call
    seen = []
    with shared_orders():
        remember(np.arange(400))
        thread = threading.Thread(target=lambda: seen.append(_KNOWN.get()))
        thread.start()
        thread.join()
        with shared_orders():  # nested: the same scope
            assert len(_KNOWN.get()) == 1
    assert seen == [None]
    assert _KNOWN.get() is None


def test_the_caller_arrays_are_not_changed():
    a = np.round(np.random.default_rng(4).standard_normal(200), 1)
    kept = a.copy()
    with shared_orders():
        order = stable_order(a)
        order[:] = 0  # the caller may change what it gets; the scope keeps its own
        assert _same(stable_order(a), np.argsort(kept, kind="stable"))
        rankdata(a)
        unique_counts(a)
    assert _same(a, kept)


def test_radix_order_is_numpys_stable_argsort_of_integer_keys():
    rng = np.random.default_rng(5)
    for largest in (1, 7, 2047, 2048, 5_000_000, 2**40):  # one, two, several passes
        keys = rng.integers(0, largest + 1, 3000).astype(np.int64)
        assert _same(radix_order(keys), np.argsort(keys, kind="stable"))


def _resamplings(n, rng):
    return {
        "bootstrap": rng.integers(0, n, n),
        "subsample": rng.choice(n, n // 2, replace=False),
        "permutation": rng.permutation(n),
        "block": np.r_[np.arange(100, 300), np.arange(0, 50)],
        "one row": np.asarray([3]),
    }


@pytest.mark.parametrize("name", [k for k in _columns() if k != "nan"])
def test_a_resample_order_follows_from_the_sample_order(name):
    """The order offered for rows r is exactly numpy's stable argsort of a[r], so
    the O(n) check of stable_order accepts it and nothing is sorted again."""
    a = _columns()[name]
    pair = np.c_[a, a[::-1]]
    orders = SampleOrders(pair, None, a)
    for rows in _resamplings(len(a), np.random.default_rng(6)).values():
        with orders.resampled(rows, None, rows[::-1]):
            offered = list(_KNOWN.get().ready())
            expected = [np.argsort(c, kind="stable") for c in (pair[rows, 0], pair[rows, 1])]
            expected.append(np.argsort(a[rows[::-1]], kind="stable"))
            assert all(map(_same, offered, expected))
            assert _same(stable_order(a[rows[::-1]]), expected[2])
            assert len(_KNOWN.get()) == 3  # found among the offered, not computed afresh
        with orders.resampled():  # no rows: the sample's own orders
            assert _same(stable_order(a), np.argsort(a, kind="stable"))
    assert _KNOWN.get() is None


def test_sample_orders_skip_what_they_cannot_order():
    a = _columns()["nan"]
    with SampleOrders(a, np.array(["u", "v"] * 250), None).resampled(np.arange(10)):
        assert len(_KNOWN.get().ready()) == 0
    wide = np.random.default_rng(7).standard_normal((50, 20))  # more than a scope keeps
    with SampleOrders(wide).resampled():
        assert len(_KNOWN.get().ready()) == 0


class _NoOrders(SampleOrders):
    """Sort everything afresh: the reference the shared orders must equal."""

    def resampled(self, *rows):
        return shared_orders()


@pytest.mark.parametrize(
    "call",
    [
        lambda X, y: stats.bootstrap_ci(
            TCopulaMutualInfo(df=5), X, y, n_resamples=8, random_state=0
        ),
        lambda X, y: stats.bootstrap_ci(
            KSGMutualInfo(random_state=0), X, y, n_resamples=8, random_state=0
        ),
        lambda X, y: stats.bootstrap_ci(GaussianMutualInfo(), X, y, n_resamples=8, random_state=0),
        lambda X, y: stats.bootstrap_ci(
            KSGMutualInfo(random_state=0), X, y, n_resamples=8, time_series=True, random_state=0
        ),
        lambda X, y: stats.permutation_test(
            KSGMutualInfo(random_state=0), X, y, n_permutations=8, random_state=0
        ),
        lambda X, y: stats.permutation_test(
            KSGMutualInfo(random_state=0), X[:, :1], y, z=X[:, 1:], n_permutations=8, random_state=0
        ),
        lambda X, y: stats.permutation_test(
            TCopulaMutualInfo(), X, y, n_permutations=8, scheme="circular", random_state=0
        ),
    ],
)
def test_resamples_give_the_bits_of_sorting_afresh(call, monkeypatch):
    rng = np.random.default_rng(8)
    X = rng.standard_normal((400, 2))
    X[::7, 0] = np.round(X[::7, 0], 1)  # ties
    y = X[:, 0] + np.round(rng.standard_normal(400), 2)

    def values():
        result = call(X, y)
        kept = ("low", "high", "estimate", "p_value", "null_distribution")
        return [np.asarray(getattr(result, k)) for k in kept if hasattr(result, k)]

    shared = values()
    monkeypatch.setattr(stats, "SampleOrders", _NoOrders)
    afresh = values()
    assert all(map(_same, shared, afresh))


def test_sample_orders_cost_nothing_where_nothing_sorts():
    a = np.random.default_rng(9).standard_normal((300, 2))
    orders = SampleOrders(a)
    with orders.resampled(np.arange(100)):
        assert len(_KNOWN.get()) == 0  # offered, not yet derived
    assert orders._levels is None  # not even the sample's levels
    with orders.resampled(np.arange(100)):
        stable_order(a[:100, 1])
        assert len(_KNOWN.get()) == 2
