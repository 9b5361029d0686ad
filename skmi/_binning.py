"""Symbols from values: the binning shared by the in-memory and the Dask binned MI.

A continuous block becomes one symbol per row -- its bin pattern under
fitted edges, or its k-means cluster -- and a discrete block its row of
values, coded as mixed-radix keys that never overflow int64. Both
:class:`skmi.BinnedMutualInfo` and its Dask reduction (:mod:`skmi._dask.binned`)
call these functions, so a chunk is binned exactly as the whole array is.
"""

import numpy as np

from skmi._numba import combine_codes, dense_labels, digitize_columns
from skmi._preprocessing import standardize

_KEY_LIMIT = 2**62  # mixed-radix keys stay below this, so they fit in int64
# Rows of the sample the quantile edges are read from (in memory and on Dask:
# the same rows, so both fits find the same edges).
_EDGE_SAMPLE = 65_536


def _binned_symbols(A, binner):
    """One label per row of a continuous block, from a fitted binner."""
    kind, model = binner
    A = np.ascontiguousarray(A, dtype=np.float64)
    if A.ndim != 2:
        A = A.reshape(len(A), -1)
    if kind == "kmeans":
        stats, km = model
        _check_columns(A, len(stats.peak))
        return km.predict(standardize(A, stats)).astype(np.int64)
    # the Numba kernel indexes edges[column]: it must never see a wider block
    _check_columns(A, model.shape[0])
    codes = digitize_columns(A, model)
    return _rows_to_keys(codes, np.full(A.shape[1], model.shape[1] + 1, dtype=np.int64))


def _check_columns(A, fitted):
    if A.shape[1] != fitted:
        raise ValueError(
            f"The data have {A.shape[1]} continuous columns, but the bins were fitted on {fitted}."
        )


def _discrete_symbols(A):
    """One label per row of a discrete block (any dtype, strings included)."""
    A = np.asarray(A)
    if A.ndim == 1:
        A = A.reshape(-1, 1)
    codes = np.empty(A.shape, dtype=np.int64)
    radices = np.empty(A.shape[1], dtype=np.int64)
    for c in range(A.shape[1]):
        values, codes[:, c] = np.unique(A[:, c], return_inverse=True)
        radices[c] = len(values)
    return _rows_to_keys(codes, radices)


def _rows_to_keys(codes, radices):
    """Mixed-radix keys of the rows, relabelled densely whenever they would
    overflow int64 (memory stays O(n), whatever the number of columns)."""
    n, d = codes.shape
    keys = np.zeros(n, dtype=np.int64)
    n_keys = 1
    start = 0
    while start < d:
        stop, product = start, n_keys
        # Python ints: product * radix may exceed int64 before the comparison
        while stop < d and product * int(radices[stop]) < _KEY_LIMIT:
            product *= int(radices[stop])
            stop += 1
        if stop == start:  # one column alone is wide: relabel first
            keys, counts = dense_labels(keys)
            n_keys = len(counts)
            continue
        keys = combine_codes(keys, n_keys, codes[:, start:stop], radices[start:stop])
        n_keys = product
        start = stop
        if start < d:
            keys, counts = dense_labels(keys)
            n_keys = len(counts)
    return keys
