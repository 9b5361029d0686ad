"""Sort orders shared by the parts of one estimate (issue 30).

One estimate sorts the same columns many times over, each part for itself:
the data kinds (``np.unique``), the t-copula's pseudo-observations and KSG's
normal scores (average ranks), KSG's tie count and its sorted 1-D index. A
lag scan does all of it again for every lag, on windows of the same two
series. At n = 10^5 the sorts were half the time of a scan.

Each part asks here for :func:`stable_order` (exactly
``np.argsort(a, kind="stable")``) or for what follows from it
(:func:`rankdata`, :func:`unique_counts`, :func:`unique_inverse`). Inside a
:func:`shared_orders` scope, a permutation already known in the scope is
reused when it sorts ``a`` stably, which is checked in O(n): a permutation p
is the stable order of ``a`` exactly when ``a[p]`` ascends, equal values in
increasing p. So a reused order can never change a value: a wrong candidate
fails the check and the order is computed afresh. One check serves all the
copies and strictly monotone maps of a column (its ranks, normal scores,
tiny jitter), whatever array they are held in. A lag scan also passes in the
orders of each window, which follow in O(n) from the order of the whole
series (:func:`window_order`). Intervals and tests refit on resamples and
permuted sides; each refit gets the orders of its rows from the sample's
in O(n) (:class:`SampleOrders`).

Outside a scope nothing is kept and every function is the plain numpy or
scipy call. The scope is a :mod:`contextvars` variable: it holds only
permutations (no reference to the caller's arrays, no ids), is dropped when
the scope ends, and is not seen by other threads or by later calls.
"""

from collections import deque
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
from scipy.stats import rankdata as _scipy_rankdata

# How many known orders a scope keeps (most recent first): the columns of
# one estimate's sides with room for the subsamples its parts draw.
_KEPT = 16
# Rows whose order is checked on a sample before the full O(n) check: most
# wrong candidates (another column) fail on these few.
_SPOT_CHECKS = 16

_KNOWN = ContextVar("skmi_known_orders", default=None)


@contextmanager
def shared_orders():
    """A scope in which the sort orders found are reused (nested scopes share one)."""
    if _KNOWN.get() is not None:
        yield
        return
    token = _KNOWN.set(deque(maxlen=_KEPT))
    try:
        yield
    finally:
        _KNOWN.reset(token)


def remember(order):
    """Offer a permutation to the scope's known orders (ignored outside a scope)."""
    known = _KNOWN.get()
    if known is not None:
        known.appendleft(np.asarray(order, dtype=np.intp))


def window_order(order, start, stop):
    """The stable order of ``a[start:stop]`` from the stable order of ``a``: O(n).

    Filtering keeps the rows of the window in the order of (value, row),
    which is the stable order of the window (rows shifted by ``start``).
    """
    inside = (order >= start) & (order < stop)
    return order[inside] - start


class SampleOrders:
    """The stable orders of a sample's columns, from which each resample's follow in O(n).

    A bootstrap resample, a subsample, a block of rows or a permuted side
    takes rows ``r`` of the sample, so its stable order is the stable order
    of the sample's value levels (the rank of each distinct value) at those
    rows: a counting (radix) sort of small integers, instead of a sort of
    floats for every part of every refit (the sorts were two thirds of an
    interval's refits at n = 10^4). :meth:`resampled` offers these orders to
    a scope, where the check of :func:`stable_order` still stands between
    them and any value. Nothing is computed until a refit first asks for an
    order: estimators that never sort (the Gaussian) pay nothing.

    Parameters
    ----------
    *arrays : array-like of shape (n_samples,) or (n_samples, n_columns), or None
        The sample's sides. Only numeric columns without NaN are kept, and
        no more columns than a scope keeps in view.
    """

    def __init__(self, *arrays):
        self._columns = []  # per array: its columns (views), or None
        kept = 0
        for A in arrays:
            columns = None if A is None else np.asarray(A)
            if columns is None or columns.ndim not in (1, 2) or not _plain_numbers(columns):
                self._columns.append(None)
                continue
            columns = columns.reshape(len(columns), -1)
            if kept + columns.shape[1] > _KEPT:
                self._columns.append(None)
                continue
            kept += columns.shape[1]
            self._columns.append(columns)
        self._levels = None  # per array: [(levels, order)] per column, on first use

    def _sample_levels(self):
        if self._levels is None:  # a race computes the same lists twice: harmless
            token = _KNOWN.set(None)  # sorted afresh, outside the resample's scope
            try:
                self._levels = [
                    []
                    if columns is None
                    else [_value_levels(columns[:, c]) for c in range(columns.shape[1])]
                    for columns in self._columns
                ]
            finally:
                _KNOWN.reset(token)
        return self._levels

    def _orders(self, rows):
        from skmi._numba import radix_order

        for k, levels in enumerate(self._sample_levels()):
            taken = rows[k] if k < len(rows) else None
            for level, order in levels:
                yield order if taken is None else radix_order(level[taken])

    @contextmanager
    def resampled(self, *rows):
        """A scope that knows the stable orders of ``arrays[k][rows[k]]``.

        ``rows[k]`` None (or missing) stands for the array as it is. Nested
        in another scope it replaces it for its duration: the outer scope's
        orders belong to other arrays. The orders are derived when the scope
        is first asked for one.
        """
        token = _KNOWN.set(_Offered(lambda: self._orders(rows)))
        try:
            yield
        finally:
            _KNOWN.reset(token)


class _Offered(deque):
    """A scope's known orders, with those a :class:`SampleOrders` offers added on first use."""

    def __init__(self, offer):
        super().__init__(maxlen=_KEPT)
        self._offer = offer

    def ready(self):
        """Add the offered orders (once); return self."""
        if self._offer is not None:
            offer, self._offer = self._offer, None
            self.extend(offer())
        return self


def _value_levels(a):
    """``(levels, order)``: each row's distinct-value rank (int64) and the column's stable order."""
    order = stable_order(a)
    first, _ = _runs(a[order]) if len(a) else (None, None)
    levels = np.empty(len(a), dtype=np.int64)
    levels[order] = np.arange(len(a)) if first is None else np.cumsum(first) - 1
    return levels, order


def series_orders(A, limit):
    """The stable order of each column of a 2-D numeric series (none past ``limit`` columns).

    For a lag scan: :func:`window_order` then gives each window's order in
    O(n). Symbols, and more columns than a scope keeps in view, get none.
    """
    if A.dtype.kind not in "iuf" or A.shape[1] > limit:
        return []
    return [np.argsort(A[:, c], kind="stable") for c in range(A.shape[1])]


def stable_order(a):
    """``np.argsort(a, kind="stable")`` of a 1-D array, reusing a known order in a scope.

    Returns a new array (the caller may keep or change it).
    """
    known = _KNOWN.get()
    if known is None:
        return np.argsort(a, kind="stable")
    if isinstance(known, _Offered):
        known.ready()
    a = np.asarray(a)
    for order in known:
        if len(order) == len(a) and _sorts_stably(a, order):
            return order.copy()
    order = np.argsort(a, kind="stable")
    known.appendleft(order)
    return order.copy()


def _sorts_stably(a, order):
    """Whether the permutation ``order`` is the stable order of ``a`` (False with NaN)."""
    if len(a) < 2:
        return True
    spots = np.linspace(0, len(a) - 2, min(_SPOT_CHECKS, len(a) - 1)).astype(np.intp)
    if not _ascending_pairs(a[order[spots]], a[order[spots + 1]], order[spots], order[spots + 1]):
        return False
    s = a[order]
    return _ascending_pairs(s[:-1], s[1:], order[:-1], order[1:])


def _ascending_pairs(lower, upper, lower_row, upper_row):
    return bool(np.all((lower < upper) | ((lower == upper) & (lower_row < upper_row))))


def _plain_numbers(a):
    """Whether the sorts below may be taken from a stable order: real numbers without NaN."""
    return a.size > 0 and a.dtype.kind in "iuf" and not (a.dtype.kind == "f" and np.isnan(a).any())


def _signed_zeros(s):
    """Whether the sorted values ``s`` hold both 0.0 and -0.0.

    ``np.unique`` keeps whichever its unstable sort puts first; the stable
    order may keep the other, so such columns take ``np.unique`` itself.
    """
    zeros = s[(s == 0)]
    return zeros.size > 0 and np.signbit(zeros).any() and not np.signbit(zeros).all()


def rankdata(A):
    """``scipy.stats.rankdata(A, axis=0)``: average ranks of each column, from its stable order.

    The same arithmetic as scipy's (which also ranks from the stable order),
    so the same bits, in the same memory layout: scipy ranks along the last
    axis and swaps it back, so a 2-D result is Fortran-ordered, and sums
    over it (a later mean, a matrix product) add in that order.
    """
    A = np.asarray(A)
    if _KNOWN.get() is None or A.ndim not in (1, 2) or not _plain_numbers(A):
        return _scipy_rankdata(A, axis=0)
    columns = A.reshape(len(A), -1)
    ranks = np.empty(columns.shape[::-1], dtype=np.float64)
    for c in range(columns.shape[1]):
        ranks[c] = _average_ranks(columns[:, c], stable_order(columns[:, c]))
    return ranks.T if A.ndim == 2 else ranks[0]


def _average_ranks(a, order):
    # scipy.stats._stats_py._rankdata, method "average", with j = order
    first, counts = _runs(a[order])
    ordinal = np.arange(1, len(a) + 1, dtype=np.float64)
    out = np.empty(len(a), dtype=np.float64)
    if first is None:  # no ties: the ordinal ranks (+ 0.0 in scipy's sum)
        out[order] = ordinal
    else:
        ranks = ordinal[first] + (np.asarray(counts, dtype=np.float64) - 1) / 2
        out[order] = np.repeat(ranks, counts)
    return out


def _runs(s):
    """``(first, counts)`` of the runs of equal values in sorted ``s``; first None: no ties.

    ``first`` marks each run's first entry, ``counts`` its length (intp, as
    numpy's and scipy's). Without ties every run is one entry long, which
    spares building the index of n runs.
    """
    first = np.empty(len(s), dtype=bool)
    first[0] = True
    np.not_equal(s[1:], s[:-1], out=first[1:])
    if first.all():
        return None, np.ones(len(s), dtype=np.intp)
    starts = np.flatnonzero(first)
    return first, np.diff(starts, append=np.asarray([len(s)], dtype=starts.dtype))


def unique_counts(values):
    """``np.unique(values, return_counts=True)`` of a 1-D array, from its stable order."""
    values = np.asarray(values)
    if _KNOWN.get() is None or values.ndim != 1 or not _plain_numbers(values):
        return np.unique(values, return_counts=True)
    s = values[stable_order(values)]
    if _signed_zeros(s):
        return np.unique(values, return_counts=True)
    first, counts = _runs(s)
    return (s if first is None else s[first]), counts


def unique_inverse(A):
    """``np.unique(A, return_inverse=True)`` of a 2-D array, from its columns' stable orders.

    The distinct values of all columns together, sorted, and for each entry
    the index of its value (shaped as A). Merging the sorted columns and
    locating each column's sorted values in them costs a fraction of a sort.
    """
    A = np.asarray(A)
    if _KNOWN.get() is None or A.ndim != 2 or not _plain_numbers(A):
        return np.unique(A, return_inverse=True)
    orders = [stable_order(A[:, c]) for c in range(A.shape[1])]
    columns = [A[order, c] for c, order in enumerate(orders)]
    merged = np.sort(np.concatenate(columns), kind="stable")  # sorted runs: a merge
    if _signed_zeros(merged):
        return np.unique(A, return_inverse=True)
    first, _ = _runs(merged)
    values = merged if first is None else merged[first]
    inverse = np.empty(A.shape, dtype=np.intp)
    for c, (order, column) in enumerate(zip(orders, columns, strict=True)):
        inverse[order, c] = np.searchsorted(values, column)
    return values, inverse
