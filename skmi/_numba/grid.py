"""A quantile grid for low dimension (up to about 4).

Cells have edges at the marginal quantiles, so occupancy stays even for
skewed or heavy-tailed data. A k-NN query visits rings of cells until the
k-th distance is below the distance to the unvisited cells; a count adds
whole interior cells without looking at their points.
"""

import numpy as np
from numba import njit, prange

from skmi._numba._common import (
    _first_above_beyond,
    _insert_lexicographic,
    _maxnorm_until,
    _n_below_beyond,
)

_GRID_BLOCK = 256  # queries per parallel task: amortises small allocations


@njit(cache=True)
def _cell_of(inner, v):
    """Cell index of value v along one axis: the number of inner edges <= v."""
    lo, hi = 0, inner.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if inner[mid] <= v:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _locate(points, inner, i, coords, flat):
    """Cell coordinates and flat cell index of point i."""
    n_cells = inner.shape[1] + 1
    f = 0
    for c in range(points.shape[1] - 1, -1, -1):
        g = _cell_of(inner[c], points[i, c])
        coords[i, c] = g
        f = f * n_cells + g
    flat[i] = f


@njit(cache=True)
def _sort_into_cells(points, flat, total):
    """Counting sort of the points by flat cell index."""
    n, d = points.shape
    start, order = cell_order(flat, total)
    cell_points = np.empty((n, d))
    for s in range(n):
        for c in range(d):
            cell_points[s, c] = points[order[s], c]
    return start, order, cell_points


@njit(cache=True)
def cell_order(flat, total):
    """``start`` and ``order`` of a counting sort of points by flat cell index:
    the points of cell f are ``order[start[f]:start[f + 1]]``, ascending."""
    n = flat.shape[0]
    start = np.zeros(total + 1, dtype=np.int64)
    for i in range(n):
        start[flat[i] + 1] += 1
    for f in range(total):
        start[f + 1] += start[f]
    fill = start[:-1].copy()
    order = np.empty(n, dtype=np.int64)
    for i in range(n):
        order[fill[flat[i]]] = i
        fill[flat[i]] += 1
    return start, order


@njit(parallel=True, cache=True)
def build_grid(points, inner):
    """Bucket points into the cells of a grid with the given inner edges.

    Parameters
    ----------
    points : float64 array (n, d)
    inner : float64 array (d, n_cells - 1)
        Ascending inner cell edges per axis; cell g along an axis holds values
        v with ``inner[g-1] <= v < inner[g]`` (the outer cells are unbounded).

    Returns
    -------
    start : int64 array (n_cells**d + 1,)
        Points of flat cell f are ``order[start[f]:start[f+1]]``.
    order : int64 array (n,)
        Point indices sorted by cell.
    cell_points : float64 array (n, d)
        ``points[order]``, so that scans over a cell read contiguous memory.
    coords : int64 array (n, d)
        Each point's cell coordinates.
    """
    n, d = points.shape
    coords = np.empty((n, d), dtype=np.int64)
    flat = np.empty(n, dtype=np.int64)
    for i in prange(n):
        _locate(points, inner, i, coords, flat)
    start, order, cell_points = _sort_into_cells(points, flat, (inner.shape[1] + 1) ** d)
    return start, order, cell_points, coords


@njit(cache=True)
def build_grid_sorted(points, inner, sorted_columns, orders, rows):
    """:func:`build_grid` for points whose columns are already sorted (serial).

    Axis c of ``points`` is ``sorted_columns[rows[c]]`` in the order
    ``orders[rows[c]]``. Each axis is walked once along its sorted values and
    the inner edges together, which gives every point the same cell as the
    binary search of :func:`_locate` (the number of edges <= its value) in
    O(n + cells) sequential reads: for a 2-D grid of 10^5 points, 0.4 ms
    against 5.5 ms on two threads for the binary searches.
    """
    n, d = points.shape
    n_cells = inner.shape[1] + 1
    coords = np.empty((n, d), dtype=np.int64)
    for c in range(d):
        column = sorted_columns[rows[c]]
        order = orders[rows[c]]
        g = 0
        for q in range(n):
            while g < n_cells - 1 and inner[c, g] <= column[q]:
                g += 1
            coords[order[q], c] = g
    flat = np.empty(n, dtype=np.int64)
    for i in range(n):
        flat[i] = _flat_index(coords[i], n_cells)
    start, order, cell_points = _sort_into_cells(points, flat, n_cells**d)
    return start, order, cell_points, coords


@njit(cache=True)
def _flat_index(cell, n_cells):
    f = 0
    for c in range(cell.shape[0] - 1, -1, -1):
        f = f * n_cells + cell[c]
    return f


@njit(cache=True)
def _next_cell(cell, lo, hi):
    """Advance ``cell`` through the box ``[lo, hi]`` like an odometer.

    Returns False once the box is exhausted.
    """
    for c in range(cell.shape[0]):
        cell[c] += 1
        if cell[c] <= hi[c]:
            return True
        cell[c] = lo[c]
    return False


@njit(cache=True)
def _knn_one_in_grid(
    q, k, inner, start, order, cell_points, home, drow, irow, lo, hi, cell, n_cells
):
    """Fill ``drow``/``irow`` with the k nearest neighbours of grid slot q."""
    d = cell_points.shape[1]
    r = 0
    while True:
        for c in range(d):
            lo[c] = max(home[c] - r, 0)
            hi[c] = min(home[c] + r, n_cells - 1)
            cell[c] = lo[c]
        while True:
            on_ring = False
            for c in range(d):
                if abs(cell[c] - home[c]) == r:
                    on_ring = True
            if on_ring:
                f = _flat_index(cell, n_cells)
                for s in range(start[f], start[f + 1]):
                    if s == q:
                        continue
                    dd = _maxnorm_until(cell_points, q, cell_points, s, drow[k - 1])
                    j = order[s]
                    if dd < drow[k - 1] or (dd == drow[k - 1] and j < irow[k - 1]):
                        _insert_lexicographic(drow, irow, dd, j)
            if not _next_cell(cell, lo, hi):
                break
        # Distance from the point to the nearest face of the visited block
        # that has cells beyond it; faces at the grid's border are open.
        bound = np.inf
        for c in range(d):
            g_lo = home[c] - r
            if g_lo >= 1:
                bound = min(bound, cell_points[q, c] - inner[c, g_lo - 1])
            g_hi = home[c] + r
            if g_hi <= n_cells - 2:
                bound = min(bound, inner[c, g_hi] - cell_points[q, c])
        # strict: a point at exactly `bound` may still win a tie by index
        if bound == np.inf or drow[k - 1] < bound:
            return
        r += 1


@njit(cache=True)
def _gap_to_cell(inner, p, g, home):
    """Lower bound, along one axis, on the distance from p to points of cell g.

    p lies in cell ``home``; cells below hold values < inner[g], cells above
    values >= inner[g - 1].
    """
    if g < home:
        return p - inner[g]
    if g > home:
        return inner[g - 1] - p
    return 0.0


@njit(cache=True)
def _knn_one_in_grid_2d(q, k, inner, start, order, cell_points, h0, h1, drow, irow, n_cells):
    """:func:`_knn_one_in_grid` written out for two dimensions.

    The 2-D joint space (one x column, one y column) is the feature-selection
    workhorse; without the odometer and the per-axis loops the query runs in
    half the time (0.30 s against 0.60 s at n = 10^6 on 2 cores). Cells that
    cannot hold a point closer than the current k-th are skipped unscanned.
    """
    p0 = cell_points[q, 0]
    p1 = cell_points[q, 1]
    r = 0
    while True:
        for g1 in range(max(h1 - r, 0), min(h1 + r, n_cells - 1) + 1):
            gap1 = _gap_to_cell(inner[1], p1, g1, h1)
            for g0 in range(max(h0 - r, 0), min(h0 + r, n_cells - 1) + 1):
                if abs(g0 - h0) != r and abs(g1 - h1) != r:
                    continue  # inside the ring: visited already
                if max(gap1, _gap_to_cell(inner[0], p0, g0, h0)) > drow[k - 1]:
                    continue  # every point of the cell is at least this far
                f = g0 + n_cells * g1
                for s in range(start[f], start[f + 1]):
                    if s == q:
                        continue
                    dd = max(abs(cell_points[s, 0] - p0), abs(cell_points[s, 1] - p1))
                    j = order[s]
                    if dd < drow[k - 1] or (dd == drow[k - 1] and j < irow[k - 1]):
                        _insert_lexicographic(drow, irow, dd, j)
        bound = np.inf
        if h0 - r >= 1:
            bound = min(bound, p0 - inner[0, h0 - r - 1])
        if h0 + r <= n_cells - 2:
            bound = min(bound, inner[0, h0 + r] - p0)
        if h1 - r >= 1:
            bound = min(bound, p1 - inner[1, h1 - r - 1])
        if h1 + r <= n_cells - 2:
            bound = min(bound, inner[1, h1 + r] - p1)
        # strict: a point at exactly `bound` may still win a tie by index
        if bound == np.inf or drow[k - 1] < bound:
            return
        r += 1


@njit(parallel=True, cache=True)
def knn_grid(points, k, inner, start, order, cell_points, coords):
    """k nearest neighbours (max-norm) of every point, through a grid.

    Same output as :func:`knn_brute`. The search around a point visits the
    rings of cells at Chebyshev cell-distance r = 0, 1, 2, ... from its own
    cell and stops when the k-th distance found is no larger than the
    distance from the point to the outside of the visited block (no unvisited
    point can be closer), or when the block covers the whole grid.

    Queries run in cell order (``s`` walks ``order``), so neighbouring queries
    read the same few cells: at n = 10^6 this halves the time against the
    original point order, which jumps across memory.
    """
    n, d = points.shape
    n_cells = inner.shape[1] + 1
    dist = np.full((n, k), np.inf)
    idx = np.full((n, k), -1, dtype=np.int64)
    n_blocks = (n + _GRID_BLOCK - 1) // _GRID_BLOCK
    for b in prange(n_blocks):
        lo = np.empty(d, dtype=np.int64)
        hi = np.empty(d, dtype=np.int64)
        cell = np.empty(d, dtype=np.int64)
        for q in range(b * _GRID_BLOCK, min(n, (b + 1) * _GRID_BLOCK)):
            i = order[q]
            if d == 2:
                _knn_one_in_grid_2d(
                    q,
                    k,
                    inner,
                    start,
                    order,
                    cell_points,
                    coords[i, 0],
                    coords[i, 1],
                    dist[i],
                    idx[i],
                    n_cells,
                )
            else:
                _knn_one_in_grid(
                    q,
                    k,
                    inner,
                    start,
                    order,
                    cell_points,
                    coords[i],
                    dist[i],
                    idx[i],
                    lo,
                    hi,
                    cell,
                    n_cells,
                )
    return dist, idx


@njit(cache=True)
def _first_cell_within(inner, p, r):
    """Lowest cell whose points can lie within r below p.

    Cell g (g < n_cells - 1) holds values < inner[g], so it is out of reach
    when ``p - inner[g] > r``; those cells form a prefix.
    """
    return _n_below_beyond(inner, p, r)


@njit(cache=True)
def _last_cell_within(inner, p, r):
    """Highest cell whose points can lie within r above p.

    Cell g (g >= 1) holds values >= inner[g-1], so it is out of reach when
    ``inner[g-1] - p > r``; with e0 the first such edge, the last cell in
    reach is e0.
    """
    return _first_above_beyond(inner, p, r)


@njit(parallel=True, cache=True)
def count_within_grid(points, radii, inner, start, order, cell_points):
    """``#{j != i : ||p_j - p_i||_inf <= radii[i]}`` through a grid.

    Cells strictly inside the reachable box along every axis lie entirely
    within the radius (their edges are bracketed by edges already known to be
    in reach), so their counts are added without looking at their points;
    only the boundary cells are scanned.
    """
    n, d = points.shape
    n_cells = inner.shape[1] + 1
    counts = np.zeros(n, dtype=np.int64)
    n_blocks = (n + _GRID_BLOCK - 1) // _GRID_BLOCK
    for b in prange(n_blocks):  # in cell order, for locality (see knn_grid)
        lo = np.empty(d, dtype=np.int64)
        hi = np.empty(d, dtype=np.int64)
        cell = np.empty(d, dtype=np.int64)
        for q in range(b * _GRID_BLOCK, min(n, (b + 1) * _GRID_BLOCK)):
            i = order[q]
            counts[i] = _count_one_in_grid(
                q, radii[i], inner, start, cell_points, lo, hi, cell, n_cells
            )
    return counts


@njit(cache=True)
def _count_one_in_grid(q, r, inner, start, cell_points, lo, hi, cell, n_cells):
    """Number of other points within max-norm r of grid slot q."""
    if r < 0.0:
        return 0
    d = cell_points.shape[1]
    for c in range(d):
        lo[c] = _first_cell_within(inner[c], cell_points[q, c], r)
        hi[c] = _last_cell_within(inner[c], cell_points[q, c], r)
        cell[c] = lo[c]
    total = 0
    while True:
        interior = True
        for c in range(d):
            if cell[c] == lo[c] or cell[c] == hi[c]:
                interior = False
        f = _flat_index(cell, n_cells)
        if interior:
            total += start[f + 1] - start[f]
        else:
            for s in range(start[f], start[f + 1]):
                if _maxnorm_until(cell_points, q, cell_points, s, r) <= r:
                    total += 1
        if not _next_cell(cell, lo, hi):
            break
    return total - 1  # the point itself is always within
