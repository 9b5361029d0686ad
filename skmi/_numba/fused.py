"""Joint k-NN and both marginal counts from one sweep over all pairs."""

import numpy as np
from numba import njit, prange

from skmi._numba._common import _insert_sorted
from skmi._numba.brute import _BRUTE_BLOCK, _maxnorm_to_all

# Rules for the marginal radii of :func:`knn_with_marginal_counts`.
RADIUS_KTH_STRICT = 0  # KSG 1: count ||.|| < the k-th joint distance
RADIUS_EXTENT = 1  # KSG 2: count ||.|| <= how far the k neighbours reach


@njit(parallel=True, cache=True)
def knn_with_marginal_counts(x_t, y_t, k, rule):
    """Joint k-NN and both marginal counts from one sweep over all pairs.

    For high-dimensional KSG, where brute force is the fastest structure, the
    per-pair marginal distances ``||x_j - x_i||`` and ``||y_j - y_i||`` are
    computed once and serve three purposes: their maximum is the joint
    distance (for the k-NN), and each is compared with the marginal radius.
    Separate passes would compute every marginal distance twice.

    Parameters
    ----------
    x_t, y_t : float64 arrays (d_x, n) and (d_y, n), C-contiguous (transposed)
    k : int
    rule : int
        How the marginal radii follow from the k neighbours:
        ``RADIUS_KTH_STRICT`` (KSG algorithm 1) or ``RADIUS_EXTENT`` (KSG
        algorithm 2).

    Returns
    -------
    dist, idx : arrays (n, k) -- the joint k-NN, as :func:`knn_brute`
    n_x, n_y : int64 arrays (n,) -- the marginal counts (other points only)
    """
    n = x_t.shape[1]
    dist = np.full((n, k), np.inf)
    idx = np.full((n, k), -1, dtype=np.int64)
    n_x = np.zeros(n, dtype=np.int64)
    n_y = np.zeros(n, dtype=np.int64)
    n_blocks = (n + _BRUTE_BLOCK - 1) // _BRUTE_BLOCK
    for b in prange(n_blocks):
        bx = np.empty(n)
        by = np.empty(n)
        for i in range(b * _BRUTE_BLOCK, min(n, (b + 1) * _BRUTE_BLOCK)):
            _maxnorm_to_all(x_t, i, bx)
            _maxnorm_to_all(y_t, i, by)
            drow = dist[i]
            irow = idx[i]
            for j in range(n):
                dj = np.maximum(bx[j], by[j])
                if dj < drow[k - 1] and j != i:
                    _insert_sorted(drow, irow, dj, j)
            if rule == RADIUS_EXTENT:
                rx = 0.0
                ry = 0.0
                for m in range(k):
                    rx = max(rx, bx[irow[m]])
                    ry = max(ry, by[irow[m]])
            else:
                rx = np.nextafter(drow[k - 1], -np.inf)
                ry = rx
            cx = 0
            cy = 0
            for j in range(n):
                if bx[j] <= rx:
                    cx += 1
                if by[j] <= ry:
                    cy += 1
            # the point itself sits at distance 0 in both marginals
            n_x[i] = cx - 1 if rx >= 0.0 else 0
            n_y[i] = cy - 1 if ry >= 0.0 else 0
    return dist, idx, n_x, n_y
