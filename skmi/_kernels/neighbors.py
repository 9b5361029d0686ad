"""Transitional alias of the old ``skmi._kernels.neighbors`` (now split in ``skmi._numba``)."""

from skmi._numba._common import (  # noqa: F401
    _first_above_beyond,
    _insert_sorted,
    _maxnorm_until,
    _n_below_beyond,
)
from skmi._numba.brute import _BRUTE_BLOCK, _maxnorm_to_all, count_within_brute, knn_brute  # noqa: F401
from skmi._numba.extent import neighbor_extent  # noqa: F401
from skmi._numba.fused import RADIUS_EXTENT, RADIUS_KTH_STRICT, knn_with_marginal_counts  # noqa: F401
from skmi._numba.grid import (  # noqa: F401
    _GRID_BLOCK,
    _knn_one_in_grid,
    _knn_one_in_grid_2d,
    build_grid,
    build_grid_serial,
    count_within_grid,
    knn_grid,
)
from skmi._numba.sorted1d import (  # noqa: F401
    _gallop_high,
    _gallop_low,
    count_within_sorted,
    knn_sorted,
)
