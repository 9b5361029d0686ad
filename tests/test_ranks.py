"""Shared sort orders (skmi._ranks): the same bits as sorting afresh, and no leaks."""

import threading

import numpy as np
import pytest
from scipy.stats import rankdata as scipy_rankdata

from skmi import estimate_mi
from skmi._ranks import (
    _KNOWN,
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
