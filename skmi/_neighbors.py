"""Pick the fastest exact neighbour structure for each k-NN query or count.

The kernels in ``skmi/_numba/`` are exact; this module only decides which
one answers, from the number of points n, the dimension d and -- for a
k-d tree against brute force -- how well a tree prunes on *this* data.

Measured on a 2-core machine (``python -m benchmarks.speed.bench_neighbors``, and
``--leaf-sizes 32 64 128 256`` for the leaf size), exact k-NN, k = 3,
seconds (2026-12-01, after the blocked sweep learnt to fold four coordinates
into each pass):

====================================  ======  ==========  ==================
data                                  n       blocked     k-d tree, float32
                                              brute       leaves of 128
====================================  ======  ==========  ==================
10-D Gaussian                         1e5     5.47        2.17
21-D Gaussian                         3e4     0.77        2.12
65-D Gaussian                         3e4     1.99        10.2
64-D, intrinsic dimension 4 (ReLU)    3e4     1.69        0.38
====================================  ======  ==========  ==================

No fixed dimension separates a tree from brute force: a tree's cost is the
number of points a query must measure, which follows the intrinsic, not the
ambient, dimension. So :class:`NeighborIndex` builds the tree (cheap:
O(n d log n)), runs a sample of queries
(:func:`~skmi._numba.kdtree.knn_kdtree_cost`) and keeps the tree when a query
measures fewer than ``n / tree_cost_ratio(d)`` points. The tree's leaves
are measured in float32 SIMD (:mod:`skmi._numba.kdtree`); per point measured
a leaf costs 3.2 (10-D) to 5.7 (65-D) times what the blocked sweep spends per
pair (the probe measured 0.125, 0.51, 0.90 and 0.023 n points in the four
rows above), so the ratio grows with d (``_TREE_COST_RATIO``).

The rest is fixed by dimension (n = 1e5, seconds; measured 2026-11-30, before
the fold -- the 2026-12-01 run above put 3-D k-NN at grid 0.10, tree 0.15
and 4-D at 0.33 against 0.29, agreeing with the thresholds, but 2-D counts at
grid 0.32, tree 0.21: ``_GRID_COUNT_MAX_DIM`` was not re-tuned):

* 1-D: sorted arrays (binary searches, O(log n) a query);
* k-NN up to ``_GRID_MAX_DIM`` dimensions: the quantile grid (3-D: grid 0.16,
  tree 0.22; 4-D: grid 0.43, tree 0.26);
* counts up to ``_GRID_COUNT_MAX_DIM``: the grid, which adds whole interior
  cells (2-D: grid 0.23, tree 0.29; 3-D: 0.84 against 0.62; 5-D, the
  marginal of a 5 x 5 KSG: 4.97 against 1.95);
* below ``_SMALL_N`` points: brute force, cheaper than building anything.

When the joint k-NN goes brute force, :func:`knn_and_marginal_counts` counts
the marginals that have no cheaper structure inside the same sweep
(:func:`~skmi._numba.blocked.knn_counts_blocked`), and the others -- 1-D or
low-dimensional marginals -- in their own sorted array or grid.

A Theiler window w (``theiler_window=``; rows in time order) leaves the
rows within w of a query out of its k-NN and its counts
(:mod:`skmi._numba.band`): a structure answers ``k + 2 w`` neighbours and
the first k outside the window are kept, or -- for wide windows, where that
costs more than the scan (:func:`band_prefers_brute`) -- the float64 scan
of all pairs skips them; counts subtract the window's points from the
structure's count. Every path stays exact. Measured at n = 10^4, k = 3
(2 cores, ``KSGMutualInfo(...).fit``, best of 5, seconds):

=================  =====  ======  ======
d_x = d_y          w = 0  w = 10  w = 50
=================  =====  ======  ======
1 (KSG 1)          0.040  0.092   0.145
3 (KSG 1)          0.126  0.198   0.380
=================  =====  ======  ======

Asking a structure for m = k + 2 w neighbours costs about n m^1.5, the scan
n^2 d: at n = 10^4 (1-D pairs) the two cross near w = 60, at n = 10^5
near w = 200 (4.4 s against 12.7 s at w = 100), which
``_BAND_BRUTE_RATIO`` approximates.

With ``backend="torch"`` (an estimator resolves its ``backend`` and
``device`` once, :func:`skmi._backends.resolve_backend`, and passes them
here) every query runs instead in exact, tiled brute force on a torch
device (``skmi/_torch/neighbors.py``).
"""

import numba
import numpy as np

from skmi._config import get_config
from skmi._numba import (
    build_grid,
    build_grid_sorted,
    count_within_brute,
    count_within_grid,
    count_within_sorted,
    knn_brute,
    knn_grid,
    knn_sorted,
    knn_with_marginal_counts,
    neighbor_extent,
)
from skmi._numba.band import count_in_band, first_outside_band
from skmi._numba.blocked import float32_error_bound, knn_counts_blocked
from skmi._numba.fused import RADIUS_EXTENT, RADIUS_KTH_STRICT
from skmi._numba.kdtree import (
    build_kdtree,
    count_within_kdtree,
    knn_kdtree,
    knn_kdtree_cost,
)
from skmi._ranks import stable_order

# backend="auto" moves KSG to torch on a CUDA device from this many samples;
# None: never (torch only when asked for with backend="torch"). Measured on an
# H200 (2026-11-30, the only GPU run so far, before the per-coordinate torch
# tiles): 1-D KSG at n = 10^4 0.43 s on the GPU vs 0.83 s Numba on 16 cores,
# at n = 10^5 43 s vs 0.029 s -- the Numba trees and sorted arrays are
# O(n log n) where the torch path is O(n^2). Re-measure with
# ``benchmarks/speed/bench_backends.py --gpu`` (its crossover table suggests a value)
# before letting "auto" pick the GPU.
TORCH_AUTO_MIN_SAMPLES = None

_GRID_MAX_DIM = 3
_GRID_COUNT_MAX_DIM = 2
_SMALL_N = 2_000  # below this, brute force is cheaper than building anything
# float32 leaves of 128: 10-D k-NN at n = 1e5 3.9 / 2.9 / 3.1 / 2.6 s for
# leaves of 32 / 64 / 128 / 256, 5-D counts 2.9 / 2.4 / 2.1 / 2.0 s, 65-D k-NN
# at 3e4 25 / 24 / 10 / -- s; a small leaf pays a box test per few points
_LEAF_SIZE = 128
# Counts prefer larger leaves (a leaf inside the radius is added whole, one
# cut by it measured in one vectorised pass): at n = 1e5, 3- / 5- / 8- / 10-D
# counts take 0.27 / 1.02 / 3.9 / 6.8 s with leaves of 128, 0.21 / 0.78 /
# 3.1 / 5.6 s with 256, 0.22 / 0.78 / 2.8 / 4.9 s with 512.
_COUNT_LEAF_SIZE = 256
# What a point measured in a float32 leaf costs against a pair of the blocked
# sweep: 3.2 at 10-D, 5.4 at 21-D, 5.7 at 65-D (module docstring's table);
# interpolated linearly in d between 10 and 21, and 5.5 from 21-D on
_TREE_COST_RATIO = (3.2, 5.5)
_PROBE_RUNS = 8  # sampled query runs of the tree-cost probe ...
_PROBE_RUN_LENGTH = 16  # ... each this many consecutive tree slots
# Theiler windows: a scan of all pairs (n^2 d) against k + 2 w neighbours
# from a structure (about n (k + 2 w)^1.5): the crossovers measured in the
# module docstring give 15 (n = 10^4, 1-D pairs) to 25 (n = 10^5)
_BAND_BRUTE_RATIO = 25.0
_POINTS_PER_CELL = 3.0
_EDGE_SAMPLE = 65_536

RADIUS_RULES = {
    "kth_strict": RADIUS_KTH_STRICT,
    "extent": RADIUS_EXTENT,
}
_FAST_COUNTS = ("sorted", "grid")


class _Sorted:
    """1-D points sorted once: k-NN and counts by binary search."""

    def __init__(self, points, purpose, sorted_columns=None, device=None):
        self.order = stable_order(points[:, 0])
        self.values = points[self.order, 0]

    def knn(self, points, k):
        return knn_sorted(self.values, self.order, k)

    def count_within(self, points, radii):
        return count_within_sorted(self.values, self.order, radii)


class _Grid:
    """Low-dimensional points in a grid of quantile cells."""

    def __init__(self, points, purpose, sorted_columns=None, device=None):
        self.inner = _quantile_edges(points, sorted_columns)
        if sorted_columns is None:
            self.grid = build_grid(points, self.inner)
        else:
            values = np.stack([v for v, _ in sorted_columns])
            orders = np.stack([o for _, o in sorted_columns])
            rows = np.arange(len(sorted_columns))
            self.grid = build_grid_sorted(points, self.inner, values, orders, rows)

    def knn(self, points, k):
        start, order, cell_points, coords = self.grid
        return knn_grid(points, k, self.inner, start, order, cell_points, coords)

    def count_within(self, points, radii):
        start, order, cell_points, _ = self.grid
        return count_within_grid(points, radii, self.inner, start, order, cell_points)


class _Tree:
    """A k-d tree whose leaves are scanned in float32 with an error bound.

    float64 and a bound of 0 when some coordinate is beyond float32's range.
    """

    def __init__(self, points, purpose, sorted_columns=None, device=None, tree=None):
        if tree is None:
            tree = build_kdtree(points, _COUNT_LEAF_SIZE if purpose == "count" else _LEAF_SIZE)
        self.tree = tree
        self.delta = float32_error_bound(points)
        dtype = np.float32
        if not np.isfinite(self.delta):
            self.delta, dtype = 0.0, np.float64
        self.leaves_t = np.ascontiguousarray(tree[1].T, dtype=dtype)

    def knn(self, points, k):
        order, tp, *rest = self.tree
        threads = numba.get_num_threads()
        return knn_kdtree(points, order, tp, self.leaves_t, *rest, k, self.delta, threads)

    def count_within(self, points, radii):
        order, tp, *rest = self.tree
        threads = numba.get_num_threads()
        return count_within_kdtree(order, tp, self.leaves_t, *rest, radii, self.delta, threads)


class _Brute:
    """All pairs, in blocks (float32 with an error bound where the values allow)."""

    def __init__(self, points, purpose, sorted_columns=None, device=None):
        self.points_t = np.ascontiguousarray(points.T)

    def knn(self, points, k):
        delta = float32_error_bound(points)
        if not np.isfinite(delta):  # beyond float32's range: the float64 scan
            return knn_brute(self.points_t, k)
        no_y = np.empty((len(points), 0))
        dist, idx, *_ = knn_counts_blocked(
            self.points_t.astype(np.float32),
            np.empty((0, len(points)), dtype=np.float32),
            points,
            no_y,
            k,
            RADIUS_KTH_STRICT,
            False,
            False,
            delta,
            numba.get_num_threads(),
        )
        return dist, idx

    def count_within(self, points, radii):
        return count_within_brute(self.points_t, radii)


class _Torch:
    """Exact tiled brute force on a torch device (``skmi/_torch/neighbors.py``)."""

    def __init__(self, points, purpose, sorted_columns=None, device=None):
        from skmi._torch.neighbors import TorchNeighborIndex

        self.index = TorchNeighborIndex(points, device=device)

    def knn(self, points, k):
        return self.index.knn(k)

    def count_within(self, points, radii):
        return self.index.count_within(radii)


# The neighbour structures by name: each is built once over a point set and
# answers k-NN and range counts (``choose_structure`` picks one; "probe"
# builds a tree and keeps it only where it prunes).
STRUCTURES = {"sorted": _Sorted, "grid": _Grid, "tree": _Tree, "brute": _Brute, "torch": _Torch}


class NeighborIndex:
    """An exact max-norm neighbour index over one point set.

    Built once per space (joint, x-marginal, y-marginal) and queried for
    k-NN or for range counts. Which structure it holds (a row of
    ``STRUCTURES``) depends on the query it is built for (``purpose``), the
    size, the dimension and, between a tree and brute force, on a probe of
    the data.

    Parameters
    ----------
    points : float64 array (n, d), finite
    purpose : {"knn", "count"}
    sorted_columns : list of (values, order) pairs of 1-D arrays, optional
        Each column of ``points`` already sorted, ``values = column[order]``
        (from 1-D indexes over the marginals): a grid then takes its edges
        from them instead of sorting, and places the points by walking them.
    backend : {None, "numba", "torch"}
        None reads ``skmi.get_config()["backend"]`` (torch only if it says so).
    device : str or None
        torch device for ``backend="torch"``; None: the configured default.
    kind : str, optional
        Force a structure ("sorted", "grid", "tree", "brute") -- for tests
        and benchmarks.
    structure : object, optional
        A structure built already (with ``kind`` its name).
    """

    def __init__(
        self,
        points,
        purpose,
        sorted_columns=None,
        *,
        backend=None,
        device=None,
        kind=None,
        structure=None,
    ):
        self.points = np.ascontiguousarray(points, dtype=np.float64)
        n, d = self.points.shape
        if kind is None:
            kind = "torch" if _torch_active(backend) else choose_structure(n, d, purpose)
        if structure is None and kind == "probe":
            structure = _Tree(self.points, purpose)
            kind = "tree" if tree_prunes(structure.tree, n) else "brute"
            if kind == "brute":
                structure = None
        if structure is None:
            structure = STRUCTURES[kind](self.points, purpose, sorted_columns, device)
        self.kind, self.structure = kind, structure

    def knn(self, k, theiler_window=0):
        """Distances and indices of the k nearest other points, ascending.

        With ``theiler_window=w`` only points j with ``|i - j| > w`` count
        (rows in time order): the ``k + 2 w`` nearest, less those in the
        band (:mod:`skmi._numba.band`), or, for wide windows, the all-pairs
        scan that skips the band (:func:`band_prefers_brute`).
        """
        if theiler_window:
            _check_band(self, k, theiler_window)
            n, d = self.points.shape
            if band_prefers_brute(n, d, k, theiler_window):
                return knn_brute(np.ascontiguousarray(self.points.T), k, theiler_window)
            dist, idx = self.structure.knn(self.points, k + 2 * theiler_window)
            return first_outside_band(dist, idx, k, theiler_window)
        return self.structure.knn(self.points, k)

    def count_within(self, radii, theiler_window=0):
        """``#{j != i : ||p_j - p_i||_inf <= radii[i]}`` for every point i.

        With ``theiler_window=w``, ``#{j : |i - j| > w, ...}``.
        """
        radii = np.ascontiguousarray(radii, dtype=np.float64)
        if theiler_window:
            _check_band(self, None, theiler_window)
            band = count_in_band(self.points, radii, theiler_window)
            return self.structure.count_within(self.points, radii) - band
        return self.structure.count_within(self.points, radii)


def choose_structure(n, d, purpose):
    """Name of the fastest structure for n points in d dimensions.

    "probe" means: a k-d tree if it prunes on these points, else brute
    force (decided by :class:`NeighborIndex` with :func:`tree_prunes`).
    """
    if d == 1:
        return "sorted"
    if n < _SMALL_N:
        return "brute"
    if d <= (_GRID_MAX_DIM if purpose == "knn" else _GRID_COUNT_MAX_DIM):
        return "grid"
    return "probe"


def tree_prunes(tree, n):
    """Whether a k-d tree beats brute force on its points (see the module doc)."""
    cost = knn_kdtree_cost(*tree, 3, _PROBE_RUNS, _PROBE_RUN_LENGTH)
    return cost * tree_cost_ratio(tree[1].shape[1]) < n


def tree_cost_ratio(d):
    """Cost of a point measured in a tree leaf, in blocked-sweep pairs, at dimension d."""
    low, high = _TREE_COST_RATIO
    return low + (high - low) * min(max((d - 10) / 11, 0.0), 1.0)


def knn_and_marginal_counts(
    x, y, k, rule, y_index=None, *, backend=None, device=None, theiler_window=0
):
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
    backend, device
        As for :class:`NeighborIndex`.
    theiler_window : int, default=0
        Rows in time order: points within this many rows of i are left out
        of its k-NN and its counts (:meth:`NeighborIndex.knn`). 0 leaves out
        i alone. Not with the torch backend.

    Returns
    -------
    dist : float64 array (n, k), the joint k-NN distances, ascending
    n_x, n_y : int64 arrays (n,), other points within the marginal radius
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    n = x.shape[0]
    joint = np.hstack([x, y])
    if _torch_active(backend):
        if theiler_window:
            raise ValueError(_NO_TORCH_WINDOW)
        x_index = NeighborIndex(x, "count", backend="torch", device=device)
        y_index = y_index or NeighborIndex(y, "count", backend="torch", device=device)
        joint_index = NeighborIndex(joint, "knn", backend="torch", device=device)
        return _counts_by_index(joint_index, x_index, y_index, x, y, k, rule)
    kind_x = choose_structure(n, x.shape[1], "count")
    kind_y = y_index.kind if y_index is not None else choose_structure(n, y.shape[1], "count")
    kind_joint = choose_structure(n, joint.shape[1], "knn")
    tree = None
    if kind_joint == "probe":
        tree = build_kdtree(joint, _LEAF_SIZE)
        kind_joint = "tree" if tree_prunes(tree, n) else "brute"
    if kind_joint == "brute" and not theiler_window:
        return _counts_in_sweep(x, y, k, rule, kind_x, kind_y, y_index)
    # A tree or grid answers the joint k-NN; a marginal that would need a
    # probe uses a tree too (if the joint space prunes, so does its part).
    # (With a Theiler window brute force answers without the sweep, and each
    # marginal probes for itself.)
    probed = "probe" if kind_joint == "brute" else "tree"
    x_index = NeighborIndex(x, "count", kind=probed if kind_x == "probe" else kind_x)
    if y_index is None:
        y_index = NeighborIndex(y, "count", kind=probed if kind_y == "probe" else kind_y)
    sorted_columns = None
    if x_index.kind == y_index.kind == "sorted":  # the 1-D x 1-D y workhorse
        sorted_columns = [
            (index.structure.values, index.structure.order) for index in (x_index, y_index)
        ]
    if tree is not None:  # the probe's tree answers the joint k-NN (as it did before)
        kind_joint, structure = "tree", _Tree(joint, "knn", tree=tree)
    else:
        structure = None
    joint_index = NeighborIndex(joint, "knn", sorted_columns, kind=kind_joint, structure=structure)
    return _counts_by_index(joint_index, x_index, y_index, x, y, k, rule, theiler_window)


def _counts_by_index(joint_index, x_index, y_index, x, y, k, rule, theiler_window=0):
    dist, idx = joint_index.knn(k, theiler_window)
    if rule == "extent":
        r_x = neighbor_extent(x, idx)
        r_y = neighbor_extent(y, idx)
    else:
        r_x = r_y = strictly_below(dist[:, -1])
    return (
        dist,
        x_index.count_within(r_x, theiler_window),
        y_index.count_within(r_y, theiler_window),
    )


def _counts_in_sweep(x, y, k, rule, kind_x, kind_y, y_index):
    """Brute-force joint k-NN; marginal counts in the sweep where nothing is cheaper.

    The sweep keeps each query block's marginal distances, so counting there
    costs no second pass; a 1-D or low-dimensional marginal is counted in
    its sorted array or grid instead, with the radii the sweep returns.
    """
    delta = float32_error_bound(x, y)
    if not np.isfinite(delta):  # beyond float32's range: the float64 sweep
        dist, _, n_x, n_y = knn_with_marginal_counts(
            np.ascontiguousarray(x.T), np.ascontiguousarray(y.T), k, RADIUS_RULES[rule]
        )
        return dist, n_x, n_y
    here_x = kind_x not in _FAST_COUNTS
    here_y = y_index is None and kind_y not in _FAST_COUNTS
    dist, _, r_x, r_y, n_x, n_y = knn_counts_blocked(
        np.ascontiguousarray(x.T, dtype=np.float32),
        np.ascontiguousarray(y.T, dtype=np.float32),
        x,
        y,
        k,
        RADIUS_RULES[rule],
        here_x,
        here_y,
        delta,
        numba.get_num_threads(),
    )
    if not here_x:
        n_x = NeighborIndex(x, "count", kind=kind_x).count_within(r_x)
    if not here_y:
        y_index = y_index or NeighborIndex(y, "count", kind=kind_y)
        n_y = y_index.count_within(r_y)
    return dist, n_x, n_y


_NO_TORCH_WINDOW = "theiler_window > 0 is not supported by the torch backend; use backend='numba'."


def _check_band(index, k, theiler_window):
    """Refuse a Theiler window the index cannot honour (torch, too few points)."""
    if index.kind == "torch":
        raise ValueError(_NO_TORCH_WINDOW)
    n = len(index.points)
    if k is not None and k + 2 * theiler_window >= n:
        raise ValueError(
            f"theiler_window={theiler_window} with n_neighbors={k} needs more than "
            f"n_neighbors + 2 * theiler_window = {k + 2 * theiler_window} points; got {n}."
        )


def band_prefers_brute(n, d, k, theiler_window):
    """Whether a window's k-NN is cheaper by the all-pairs scan than by asking for more.

    Asking a structure for ``m = k + 2 w`` neighbours costs about n m^1.5,
    the float64 scan n^2 d (``_BAND_BRUTE_RATIO``, measured in the module
    docstring).
    """
    m = k + 2 * theiler_window
    return m**1.5 * _BAND_BRUTE_RATIO > n * d


def _torch_active(backend=None):
    """Whether neighbour searches run in torch: the argument, else the configuration."""
    if backend is None:
        backend = get_config()["backend"]
    return backend == "torch"


def strictly_below(radii):
    """Radii that turn the inclusive count ``<= r`` into the strict ``< r``."""
    return np.nextafter(radii, -np.inf)


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
        return np.ascontiguousarray(np.stack([col[positions] for col, _ in sorted_columns]))
    sample = points[:: max(1, n // _EDGE_SAMPLE)]
    positions = (np.arange(1, n_cells) * sample.shape[0]) // n_cells
    return np.ascontiguousarray(np.sort(sample, axis=0)[positions].T)
