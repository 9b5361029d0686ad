"""Numba kernels: pure functions on clean, contiguous float64 arrays.

Nothing here validates input or imports scikit-learn; the public estimators
do that at the door and call in. Each kernel has a direct unit test against a
slow, obviously-correct NumPy version (``tests/test_kernels.py``).
"""

from skmi._kernels.ksg import ksg1_pairs_1d
from skmi._kernels.neighbors import (
    build_grid,
    build_grid_serial,
    count_within_brute,
    count_within_grid,
    count_within_sorted,
    knn_brute,
    knn_grid,
    knn_sorted,
    knn_with_marginal_counts,
    neighbor_extent,
)
from skmi._kernels.symbols import combine_codes, dense_labels, digitize_columns

__all__ = [
    "build_grid",
    "build_grid_serial",
    "combine_codes",
    "count_within_brute",
    "count_within_grid",
    "count_within_sorted",
    "dense_labels",
    "digitize_columns",
    "knn_brute",
    "knn_grid",
    "knn_sorted",
    "knn_with_marginal_counts",
    "ksg1_pairs_1d",
    "neighbor_extent",
]
