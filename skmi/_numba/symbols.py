"""Symbols and their counts: binning, row encoding, distinct-value counting.

Plug-in (binned) mutual information needs, for each variable, one symbol per
sample and the number of samples per distinct symbol. These kernels produce
both in O(n d) time and O(n + number of occupied cells) memory -- never a
dense d-dimensional histogram:

* :func:`digitize_columns` -- per-coordinate bin codes from edges;
* :func:`combine_codes` -- a row's codes into one integer key (mixed radix);
* :func:`dense_labels` -- keys into labels 0..m-1 and counts, by an LSD radix
  sort (:func:`radix_order`: linear in n; only as many passes as the
  largest key needs).
"""

import numpy as np
from numba import njit, prange

_RADIX_BITS = 11  # 2048 buckets: fits in L1 with its counters
_RADIX = 1 << _RADIX_BITS


@njit(parallel=True, cache=True)
def digitize_columns(X, edges):
    """Bin code of every value: the number of inner edges <= it.

    Parameters
    ----------
    X : float64 array (n, d)
    edges : float64 array (d, n_bins - 1), each row ascending -- inner edges

    Returns
    -------
    codes : int64 array (n, d), values in 0..n_bins-1
    """
    n, d = X.shape
    m = edges.shape[1]
    codes = np.empty((n, d), dtype=np.int64)
    for i in prange(n):
        for c in range(d):
            v = X[i, c]
            lo, hi = 0, m
            while lo < hi:
                mid = (lo + hi) // 2
                if edges[c, mid] <= v:
                    lo = mid + 1
                else:
                    hi = mid
            codes[i, c] = lo
    return codes


@njit(parallel=True, cache=True)
def combine_codes(keys, key_radix, codes, radices):
    """Fold columns of codes into integer keys (mixed radix).

    ``keys + key_radix * (codes[:, 0] + radices[0] * (codes[:, 1] + ...))``:
    the existing keys are the lowest digit. The caller makes sure
    ``key_radix * prod(radices)`` fits in int64 (see ``skmi._binned``, which
    relabels densely in between when it would not).
    """
    n, d = codes.shape
    out = np.empty(n, dtype=np.int64)
    for i in prange(n):
        key = 0
        for c in range(d - 1, -1, -1):
            key = key * radices[c] + codes[i, c]
        out[i] = keys[i] + key_radix * key
    return out


@njit(cache=True)
def radix_order(keys):
    """``np.argsort(keys, kind="stable")`` of non-negative int64 keys (LSD radix sort).

    Linear in n: one pass per 11 bits of the largest key.
    """
    n = keys.shape[0]
    order = np.arange(n)
    if n == 0:
        return order
    largest = keys.max()
    shift = 0
    buffer = np.empty(n, dtype=np.int64)
    counts = np.empty(_RADIX + 1, dtype=np.int64)
    while shift == 0 or (largest >> shift) > 0:
        counts[:] = 0
        for i in range(n):
            counts[((keys[order[i]] >> shift) & (_RADIX - 1)) + 1] += 1
        for b in range(_RADIX):
            counts[b + 1] += counts[b]
        for i in range(n):
            digit = (keys[order[i]] >> shift) & (_RADIX - 1)
            buffer[counts[digit]] = order[i]
            counts[digit] += 1
        order, buffer = buffer, order
        shift += _RADIX_BITS
        if shift >= 63:
            break
    return order


@njit(cache=True)
def dense_labels(keys):
    """Relabel non-negative int64 keys as 0..m-1 (ascending) and count them.

    Returns
    -------
    labels : int64 array (n,) -- ``labels[i] < labels[j]`` iff ``keys[i] < keys[j]``
    counts : int64 array (m,) -- samples per distinct key
    """
    n = keys.shape[0]
    order = radix_order(keys)
    labels = np.empty(n, dtype=np.int64)
    counts = np.zeros(n, dtype=np.int64)
    m = -1
    previous = -1
    for s in range(n):
        key = keys[order[s]]
        if s == 0 or key != previous:
            m += 1
            previous = key
        labels[order[s]] = m
        counts[m] += 1
    return labels, counts[: m + 1]
