"""Neighbourhood extent in a marginal space (KSG algorithm 2)."""

import numpy as np
from numba import njit, prange

from skmi._numba._common import _maxnorm_until


@njit(parallel=True, cache=True)
def neighbor_extent(points, idx):
    """``max_m ||p[idx[i, m]] - p_i||_inf`` for every i.

    KSG's second algorithm sizes each marginal ball by how far the k joint
    neighbours reach in that marginal space.
    """
    n = points.shape[0]
    out = np.zeros(n)
    for i in prange(n):
        e = 0.0
        for m in range(idx.shape[1]):
            e = max(e, _maxnorm_until(points, i, points, idx[i, m], np.inf))
        out[i] = e
    return out
