"""A Theiler window: neighbours within w rows of a query in time do not count.

On an embedded time series consecutive rows are close in space because they
are close in time; a Theiler window (Theiler 1986; JIDT's ``DYN_CORR_EXCL``)
excludes every j with ``|i - j| <= w`` from the k-NN search and the counts
of query i. These kernels add the window to any exact structure without
changing it:

* k-NN: ask the structure for the ``k + 2 w`` nearest other points; at most
  2 w of them lie in the band, so the first k outside it
  (:func:`first_outside_band`) are the k nearest outside it, exactly;
* counts: the structure's count minus the points of the band within the
  radius (:func:`count_in_band`), measured with the same float64 max-norm
  differences every structure decides with, so the difference is exact too.
"""

import numpy as np
from numba import njit, prange

from skmi._numba._common import _maxnorm_until


@njit(parallel=True, cache=True)
def first_outside_band(dist, idx, k, band):
    """The first k neighbours of each row whose index is more than ``band`` away.

    Parameters
    ----------
    dist, idx : arrays (n, m), m >= k + 2 band
        Each row's m nearest other points, ascending (as the k-NN kernels
        return them).
    k, band : int

    Returns
    -------
    dist, idx : arrays (n, k)
        The k nearest points j with ``|i - j| > band``, in the same order.
    """
    n = dist.shape[0]
    out_dist = np.empty((n, k))
    out_idx = np.empty((n, k), dtype=np.int64)
    for i in prange(n):
        m = 0
        for c in range(dist.shape[1]):
            if m == k:
                break
            j = idx[i, c]
            if abs(j - i) > band:
                out_dist[i, m] = dist[i, c]
                out_idx[i, m] = j
                m += 1
    return out_dist, out_idx


@njit(parallel=True, cache=True)
def count_in_band(points, radii, band):
    """``#{j : 0 < |i - j| <= band, ||p_j - p_i||_inf <= radii[i]}`` for every i.

    ``points`` is (n, d) float64. A negative radius counts nothing, as in the
    structures' counts.
    """
    n = points.shape[0]
    counts = np.zeros(n, dtype=np.int64)
    for i in prange(n):
        r = radii[i]
        c = 0
        for j in range(max(0, i - band), min(n, i + band + 1)):
            if j != i and _maxnorm_until(points, i, points, j, r) <= r:
                c += 1
        counts[i] = c
    return counts
