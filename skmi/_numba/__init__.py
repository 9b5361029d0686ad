"""Numba kernels: pure functions on clean, contiguous float64 arrays.

Nothing here validates input or imports scikit-learn; the public estimators
do that at the door and call in. Each kernel has a direct unit test against a
slow, obviously-correct NumPy version (``tests/test_numba_kernels.py``).

One module per algorithm:

* :mod:`~skmi._numba.brute` -- all pairs, for high dimension;
* :mod:`~skmi._numba.sorted1d` -- sorted arrays, for one dimension;
* :mod:`~skmi._numba.grid` -- a quantile grid, for low dimension;
* :mod:`~skmi._numba.kdtree` -- a k-d tree in the max-norm (leaves measured in
  float32 SIMD), for data a tree prunes;
* :mod:`~skmi._numba.blocked` -- brute force in float32 tiles, re-checked in float64;
* :mod:`~skmi._numba.fused` -- joint k-NN and marginal counts in one sweep;
* :mod:`~skmi._numba.extent` -- how far the k neighbours reach (KSG 2);
* :mod:`~skmi._numba.band` -- Theiler windows on top of any structure;
* :mod:`~skmi._numba.ksg_pairs` -- KSG 1 on many 1-D pairs at once;
* :mod:`~skmi._numba.symbols` -- binning and distinct-symbol counting.

The dispatcher in ``skmi/_neighbors.py`` picks a structure per call.
"""

from skmi._numba.brute import count_within_brute, knn_brute
from skmi._numba.extent import neighbor_extent
from skmi._numba.fused import RADIUS_EXTENT, RADIUS_KTH_STRICT, knn_with_marginal_counts
from skmi._numba.grid import build_grid, build_grid_sorted, count_within_grid, knn_grid
from skmi._numba.ksg_pairs import ksg1_pair_1d_threaded, ksg1_pairs_1d
from skmi._numba.sorted1d import count_within_sorted, knn_sorted
from skmi._numba.symbols import combine_codes, dense_labels, digitize_columns, radix_order

__all__ = [
    "RADIUS_EXTENT",
    "RADIUS_KTH_STRICT",
    "build_grid",
    "build_grid_sorted",
    "combine_codes",
    "count_within_brute",
    "count_within_grid",
    "count_within_sorted",
    "dense_labels",
    "digitize_columns",
    "knn_brute",
    "knn_grid",
    "knn_sorted",
    "radix_order",
    "knn_with_marginal_counts",
    "ksg1_pair_1d_threaded",
    "ksg1_pairs_1d",
    "neighbor_extent",
]
