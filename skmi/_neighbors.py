"""Pick the fastest exact neighbour structure for each k-NN query or count.

The kernels in ``skmi/_numba/`` are exact; this module only
decides which one answers, from the number of points n and the dimension d.
``python benchmarks/bench_neighbors.py`` (2-core Zen 3, k = 3, standard-normal
data; seconds; counts on d/2 dimensions, as KSG counts in a marginal):

=========  ==========================  ======================================
n, d       k-NN: grid / tree / brute   count: grid / tree / brute / sorted
=========  ==========================  ======================================
10^6, 2    0.63 / 3.48 / --            2.93 / 3.85 / -- / 0.21 (1-D)
5e4, 3     0.06 / 0.08 / 2.22          0.10 / 0.09 / 0.44 / 0.008 (1-D)
5e4, 4     0.15 / 0.14 / 2.38          0.13 / 0.56 / 0.82
1e4, 6     --   / 0.06 / 0.15          0.04 / 0.20 / 0.05
5e4, 6     --   / 0.37 / 3.21          0.38 / 1.19 / 1.20
1e4, 12    --   / 0.38 / 0.22          --   / 0.94 / 0.10
5e4, 12    --   / 3.47 / 4.85          --   / 11.5 / 2.21
=========  ==========================  ======================================

Hence: sorted arrays for 1-D counts; the grid up to ``_GRID_MAX_DIM``
dimensions; ``scipy.spatial.cKDTree`` in between; brute force beyond
``_TREE_MAX_DIM`` dimensions (a max-norm tree prunes too little there; at
n = 5e4, d = 12 the tree's k-NN was the faster in this run, but KSG takes the
fused scan below there, which also saves the tree's 11 s of counts) and for
small n, where any structure costs more than it saves. When the joint k-NN
goes brute force, or a marginal count would need brute force or a tree,
:func:`knn_and_marginal_counts` uses the fused kernel that reuses the
marginal distances for the counts.

With ``skmi.config_context(backend="torch")`` (what ``KSGMutualInfo(backend=
"torch")`` sets) every query runs instead in exact, tiled brute force on a
torch device (``skmi/_torch/neighbors.py``).
"""

import numpy as np
from scipy.spatial import cKDTree

from skmi._config import get_config
from skmi._numba import (
    build_grid,
    count_within_brute,
    count_within_grid,
    count_within_sorted,
    knn_brute,
    knn_grid,
    knn_sorted,
    knn_with_marginal_counts,
    neighbor_extent,
)
from skmi._numba.fused import RADIUS_EXTENT, RADIUS_KTH_STRICT

_GRID_MAX_DIM = 4
_TREE_MAX_DIM = 10
_SMALL_N = 2_000  # below this, brute force is cheaper than building anything
_TREE_COUNT_MIN_N = 20_000  # tree counts beat brute force only for large n
_TREE_COUNT_MAX_DIM = 7
_POINTS_PER_CELL = 3.0
_EDGE_SAMPLE = 65_536

RADIUS_RULES = {
    "kth_strict": RADIUS_KTH_STRICT,
    "extent": RADIUS_EXTENT,
}


class NeighborIndex:
    """An exact max-norm neighbour index over one point set.

    Built once per space (joint, x-marginal, y-marginal) and queried for
    k-NN or for range counts. Which structure it holds depends on the query
    it is built for (``purpose``), the size and the dimension.

    Parameters
    ----------
    points : float64 array (n, d), finite
    purpose : {"knn", "count"}
    sorted_columns : list of 1-D arrays, optional
        Each column of ``points`` already sorted (from 1-D indexes over the
        marginals): a grid then takes its edges from them instead of sorting.
    """

    def __init__(self, points, purpose, sorted_columns=None):
        self.points = np.ascontiguousarray(points, dtype=np.float64)
        n, d = self.points.shape
        self.kind = "torch" if _torch_active() else choose_structure(n, d, purpose)
        if self.kind == "torch":
            from skmi._torch.neighbors import TorchNeighborIndex

            self._torch = TorchNeighborIndex(self.points)
        elif self.kind == "sorted":
            self._order = np.argsort(self.points[:, 0])
            self._sorted = self.points[self._order, 0]
        elif self.kind == "grid":
            self._inner = _quantile_edges(self.points, sorted_columns)
            self._grid = build_grid(self.points, self._inner)
        elif self.kind == "tree":
            self._tree = cKDTree(self.points)
        else:
            self._points_t = np.ascontiguousarray(self.points.T)

    def knn(self, k):
        """Distances and indices of the k nearest other points, ascending."""
        if self.kind == "torch":
            return self._torch.knn(k)
        if self.kind == "grid":
            start, order, cell_points, coords = self._grid
            return knn_grid(self.points, k, self._inner, start, order, cell_points, coords)
        if self.kind == "tree":
            dist, idx = self._tree.query(self.points, k=k + 1, p=np.inf, workers=-1)
            return _drop_self(dist.reshape(-1, k + 1), idx.reshape(-1, k + 1), k)
        if self.kind == "sorted":
            return knn_sorted(self._sorted, self._order, k)
        return knn_brute(self._points_t, k)

    def count_within(self, radii):
        """``#{j != i : ||p_j - p_i||_inf <= radii[i]}`` for every point i."""
        radii = np.ascontiguousarray(radii, dtype=np.float64)
        if self.kind == "torch":
            return self._torch.count_within(radii)
        if self.kind == "sorted":
            return count_within_sorted(self._sorted, self._order, radii)
        if self.kind == "grid":
            start, order, cell_points, _ = self._grid
            return count_within_grid(self.points, radii, self._inner, start, order, cell_points)
        if self.kind == "tree":
            counts = self._tree.query_ball_point(
                self.points, np.maximum(radii, 0.0), p=np.inf, return_length=True, workers=-1
            )
            return np.where(radii < 0, 0, np.asarray(counts, dtype=np.int64) - 1)
        return count_within_brute(self._points_t, radii)


def choose_structure(n, d, purpose):
    """Name of the fastest structure for n points in d dimensions."""
    if d == 1:
        return "sorted"
    if n < _SMALL_N:
        return "brute"
    if d <= _GRID_MAX_DIM:
        return "grid"
    if purpose == "knn":
        return "tree" if d <= _TREE_MAX_DIM else "brute"
    if n >= _TREE_COUNT_MIN_N and d <= _TREE_COUNT_MAX_DIM:
        return "tree"
    return "brute"


def knn_and_marginal_counts(x, y, k, rule, y_index=None):
    """Joint k-NN of ``[x, y]`` and the counts in each marginal space.

    Parameters
    ----------
    x, y : float64 arrays (n, d_x), (n, d_y)
    k : int
    rule : {"kth_strict", "extent"}
        How each point's marginal radius follows from its joint neighbours:
        strictly below the k-th joint distance (KSG 1), or within the
        neighbours' extent in that marginal (KSG 2).
    y_index : NeighborIndex, optional
        A count index over y built earlier, reused when many x are scored
        against one y (feature selection).

    Returns
    -------
    dist : float64 array (n, k), the joint k-NN distances, ascending
    n_x, n_y : int64 arrays (n,), other points within the marginal radius
    """
    n = x.shape[0]
    if _prefer_fused(n, x.shape[1], y.shape[1]):
        dist, _, n_x, n_y = knn_with_marginal_counts(
            np.ascontiguousarray(x.T), np.ascontiguousarray(y.T), k, RADIUS_RULES[rule]
        )
        return dist, n_x, n_y
    x_index = NeighborIndex(x, "count")
    y_index = y_index or NeighborIndex(y, "count")
    sorted_columns = None
    if x_index.kind == y_index.kind == "sorted":  # the 1-D x 1-D y workhorse
        sorted_columns = [x_index._sorted, y_index._sorted]
    joint = np.hstack([x, y])
    dist, idx = NeighborIndex(joint, "knn", sorted_columns).knn(k)
    if rule == "extent":
        r_x = neighbor_extent(np.ascontiguousarray(x), idx)
        r_y = neighbor_extent(np.ascontiguousarray(y), idx)
    else:
        r_x = r_y = strictly_below(dist[:, -1])
    return dist, x_index.count_within(r_x), y_index.count_within(r_y)


def _torch_active():
    """Whether neighbour searches run in torch (set by a backend="torch" estimator)."""
    return get_config()["backend"] == "torch"


def _prefer_fused(n, d_x, d_y):
    """Whether one all-pairs sweep beats an index per space.

    The fused sweep wins whenever the joint k-NN is brute force anyway, and
    also whenever a marginal count would need brute force or a tree (d >= 5):
    measured at n = 10^4 for (5, 5) dimensions 0.18 s fused against 0.30 s
    (tree k-NN + brute counts), at n = 5 x 10^4 5.1 s against 10.3 s (tree
    k-NN + tree counts). With grid or sorted marginals (d <= 4) the indexes
    win: 0.77 s against 3.3 s for (3, 3) at n = 5 x 10^4.
    """
    if _torch_active():
        return False
    if choose_structure(n, d_x + d_y, "knn") == "brute":
        return True
    fast = ("sorted", "grid")
    return not (
        choose_structure(n, d_x, "count") in fast and choose_structure(n, d_y, "count") in fast
    )


def strictly_below(radii):
    """Radii that turn the inclusive count ``<= r`` into the strict ``< r``."""
    return np.nextafter(radii, -np.inf)


def _drop_self(dist, idx, k):
    """Remove each point from its own cKDTree neighbour list.

    The tree lists the point itself first, unless exact duplicates tie with
    it at distance 0 and come out in another order; the self entry is found
    by index (or, with more than k duplicates, the last entry is dropped).
    """
    n = dist.shape[0]
    is_self = idx == np.arange(n)[:, None]
    is_self[~is_self.any(axis=1), -1] = True
    keep = ~is_self
    return dist[keep].reshape(n, k), idx[keep].reshape(n, k).astype(np.int64)


def grid_cells_per_axis(n, d):
    """Cells per axis of a d-dimensional grid over n points: the one grid-size rule.

    About ``_POINTS_PER_CELL`` points a cell on average: fewer cells leave
    long scans inside each, more leave most cells empty and the ring search
    walking over them.
    """
    return max(1, int((n / _POINTS_PER_CELL) ** (1.0 / d)))


def _quantile_edges(points, sorted_columns=None):
    """Inner cell edges at the marginal quantiles, the same count per axis.

    Quantile edges keep cell occupancy even for skewed or heavy-tailed
    columns, where equal-width cells would put most points in a few cells.
    Any ascending edges give an exact grid, so quantiles of an evenly strided
    subsample serve as well as exact ones at a fraction of a full sort; when
    the columns come already sorted, their exact quantiles are free.
    """
    n, d = points.shape
    n_cells = grid_cells_per_axis(n, d)
    if sorted_columns is not None:
        positions = (np.arange(1, n_cells) * n) // n_cells
        return np.ascontiguousarray(np.stack([col[positions] for col in sorted_columns]))
    sample = points[:: max(1, n // _EDGE_SAMPLE)]
    positions = (np.arange(1, n_cells) * sample.shape[0]) // n_cells
    return np.ascontiguousarray(np.sort(sample, axis=0)[positions].T)
