"""KSG estimates for many pairs of 1-D columns at once.

Feature selection scores hundreds of (feature, target) pairs -- or all
column pairs for a redundancy matrix -- on the same samples. Parallelising
over pairs, each pair computed serially, uses both cores fully, where
parallelising inside each small per-pair kernel left a third of the time in
thread start-up and serial glue (measured at n = 10^4: 4.5 ms a pair against
the 7.3 ms of one thread).
"""

import numpy as np
from numba import njit, prange

from skmi._numba.grid import _knn_one_in_grid_2d, cell_order
from skmi._numba.sorted1d import counts_at_positions


@njit(cache=True)
def _pair_grid(columns, sorted_columns, orders, a, b, n_cells):
    """The 2-D quantile grid over columns a and b, built in this thread.

    Returns ``(inner, start, order, cell_points)`` as :func:`build_grid_sorted`
    would for the points ``(columns[a], columns[b])`` with edges at the
    quantiles of each column, and the same cells; but each point's flat cell
    index is summed straight from the walks along the two sorted columns,
    and the slots read their coordinates from the columns, without the
    (n, 2) copies of the points and of their cell coordinates.
    """
    n = columns.shape[1]
    positions = (np.arange(1, n_cells) * n) // n_cells
    inner = np.empty((2, n_cells - 1))
    flat = np.zeros(n, dtype=np.int64)
    for axis, c, stride in ((0, a, 1), (1, b, n_cells)):
        column = sorted_columns[c]
        for e in range(n_cells - 1):
            inner[axis, e] = column[positions[e]]
        g = 0  # the number of edges <= the value, as _cell_of counts it
        for q in range(n):
            while g < n_cells - 1 and inner[axis, g] <= column[q]:
                g += 1
            flat[orders[c, q]] += g * stride
    start, order = cell_order(flat, n_cells * n_cells)
    cell_points = np.empty((n, 2))
    for s in range(n):
        cell_points[s, 0] = columns[a, order[s]]
        cell_points[s, 1] = columns[b, order[s]]
    return inner, start, order, cell_points


# The block search keeps the k smallest distances of each query in this many
# state rows: KSG's default k = 3 and below. Larger k take the ring search.
_BLOCK_MAX_K = 3
# Queries scanned together, one lane each: a cell holds 3 queries at the grid's
# density, so the queries of a group of 2 rows of cells by 2 or 3 columns share
# the loads of their common block (the group and one cell around), and the
# loop over lanes is vectorised. LLVM's loop vectoriser skips loops of fewer
# than 16 iterations (and numba turns its SLP vectoriser off), so 16 lanes
# rather than 8: radii of a pair at n = 10^4, 0.4 ms for the scans against
# 0.9 ms with 8 scalar lanes.
_LANES = 16
_GROUP = 2  # rows of cells in a group


@njit(cache=True)
def _pair_radii(grid, k, q_lo, q_hi, radius, n_cells):
    """Strict KSG 1 radius (just below the k-th joint distance) of grid slots q_lo:q_hi.

    Walks the grid in groups of ``_GROUP`` rows of cells by as many columns
    as fill the lanes (:func:`_group_end`; fixed 2 x 2 groups left a quarter
    of the lanes idle and took 6% longer) and writes the radii by slot
    before scattering them to point order (the searches then read
    ``cell_points`` and the cell index in order, not at random). For k <= 3
    the queries of a group scan its block (:func:`_settle_in_blocks`); the
    ring search takes those the blocks do not settle, and all queries for
    larger k. At n = 10^4, 0.5 ms a pair where scanning 3 x 3, then 5 x 5
    cells one query at a time took 1.0 ms (loaded 2 cores).
    """
    inner, start, order, cell_points = grid
    irow = np.empty(k, dtype=np.int64)
    drow = np.empty(k)
    by_slot = np.empty(q_hi - q_lo)
    pending = np.empty(q_hi - q_lo, dtype=np.int64)
    lanes = np.empty(6 * _LANES)
    for lo1 in range(0, n_cells, _GROUP):
        hi1 = min(lo1 + _GROUP, n_cells) - 1
        hi0 = -1
        while hi0 < n_cells - 1:
            lo0 = hi0 + 1
            hi0 = _group_end(start, lo0, lo1, hi1, n_cells)
            m = 0
            for g1 in range(lo1, hi1 + 1):
                row = g1 * n_cells
                for q in range(max(start[row + lo0], q_lo), min(start[row + hi0 + 1], q_hi)):
                    pending[m] = q
                    m += 1
            if k <= _BLOCK_MAX_K:
                m = _settle_in_blocks(
                    grid, k, pending, m, (lo0, hi0, lo1, hi1), lanes, by_slot, q_lo, n_cells
                )
            for j in range(m):
                q = pending[j]
                f = np.searchsorted(start, q, side="right") - 1  # its home cell
                drow[:] = np.inf
                _knn_one_in_grid_2d(
                    q, k, inner, start, order, cell_points, f % n_cells, f // n_cells,
                    drow, irow, n_cells,
                )  # fmt: skip
                by_slot[q - q_lo] = np.nextafter(drow[k - 1], -np.inf)
    for q in range(q_lo, q_hi):
        radius[order[q]] = by_slot[q - q_lo]


@njit(cache=True)
def _group_end(start, lo0, lo1, hi1, n_cells):
    """The last column of a group of cells in rows lo1..hi1 from column lo0:
    as many columns as keep the group's points within ``_LANES`` (one at
    least), so that a group fills one scan's lanes."""
    hi0 = lo0
    size = _column_size(start, lo0, lo1, hi1, n_cells)
    while hi0 < n_cells - 1:
        size += _column_size(start, hi0 + 1, lo1, hi1, n_cells)
        if size > _LANES:
            break
        hi0 += 1
    return hi0


@njit(inline="always")
def _column_size(start, g0, lo1, hi1, n_cells):
    size = 0
    for g1 in range(lo1, hi1 + 1):
        size += start[g1 * n_cells + g0 + 1] - start[g1 * n_cells + g0]
    return size


@njit(cache=True)
def _settle_in_blocks(grid, k, pending, m, cells, lanes, by_slot, q_lo, n_cells):
    """Radii of the slots ``pending[:m]`` of one group of cells from blocks of cells.

    ``cells = (lo0, hi0, lo1, hi1)`` are the group's cells (inclusive). The
    slots scan the block of cells within one of the group, ``_LANES`` at a
    time (:func:`_kth_in_lanes`); a slot whose k-th distance there is at
    most the distance from it to the outside of the block has that k-th
    distance as its own (no point outside is nearer). For the others (5% of
    an independent pair's at n = 10^4) that k-th distance bounds the true
    one, so they scan, one at a time, the cells holding every point within
    it (:func:`_cells_within`): one exact scan, where the ring search they
    took before cost as much as the blocks of all the other slots (radii
    of a pair, 0.53 ms against 0.72). Slots with fewer than k points in the
    block are moved to the front of ``pending`` for the ring search; returns
    their number.
    """
    inner, start, _, cell_points = grid
    lo0, hi0, lo1, hi1 = cells
    block = (
        max(lo0 - 1, 0),
        min(hi0 + 1, n_cells - 1),
        max(lo1 - 1, 0),
        min(hi1 + 1, n_cells - 1),
    )
    left = 0
    for j0 in range(0, m, _LANES):
        used = min(_LANES, m - j0)
        _load_lanes(lanes, cell_points, pending, j0, used)
        _kth_in_lanes(lanes, start, cell_points, block, n_cells)
        for j in range(j0, j0 + used):
            q = pending[j]
            kth = lanes[(2 + k) * _LANES + j - j0]
            if kth > _gap_outside_cells(inner, cell_points[q], block):
                if kth == np.inf:  # fewer than k points in the block
                    pending[left] = q  # left <= j: overwrites a slot already read
                    left += 1
                    continue
                near = _cells_within(inner, cell_points[q], kth, block)
                kth = _kth_in_block(q, k, start, cell_points, near, n_cells)
            by_slot[q - q_lo] = np.nextafter(kth, -np.inf)
    return left


@njit(cache=True)
def _cells_within(inner, point, bound, block):
    """The cells (lo0, hi0, lo1, hi1), grown from ``block`` (which holds
    ``point``), that hold every point within max-norm distance ``bound`` of it.

    Grows each side while the distance to the next cell's edge is at most
    ``bound``: every point left outside is then farther than ``bound``, by
    the monotone rounding argument of :func:`_gap_outside_cells`.
    """
    lo0, hi0, lo1, hi1 = block
    while lo0 >= 1 and point[0] - inner[0, lo0 - 1] <= bound:
        lo0 -= 1
    while hi0 < inner.shape[1] and inner[0, hi0] - point[0] <= bound:
        hi0 += 1
    while lo1 >= 1 and point[1] - inner[1, lo1 - 1] <= bound:
        lo1 -= 1
    while hi1 < inner.shape[1] and inner[1, hi1] - point[1] <= bound:
        hi1 += 1
    return lo0, hi0, lo1, hi1


@njit(cache=True)
def _load_lanes(lanes, cell_points, slots, j0, used):
    """Rows 0-2 of ``lanes``: x, y and slot (as a float) of ``slots[j0:j0 + used]``;
    the lanes past ``used`` repeat the last slot."""
    for lane in range(_LANES):
        q = slots[j0 + min(lane, used - 1)]
        lanes[lane] = cell_points[q, 0]
        lanes[_LANES + lane] = cell_points[q, 1]
        lanes[2 * _LANES + lane] = q


@njit(inline="always")
def _lower(a, b):
    return a if a < b else b


@njit(inline="always")
def _higher(a, b):
    return a if a > b else b


@njit(cache=True)
def _kth_in_block(q, k, start, cell_points, block, n_cells):
    """The k-th smallest (k <= 3) max-norm distance from slot q to the other
    points of the cells ``block = (lo0, hi0, lo1, hi1)`` (inclusive); inf for
    fewer than k.

    The cells of a grid row are contiguous slots, so the block is one run of
    ``cell_points`` a row. The three smallest distances live in scalars and
    each point is merged in by min/max, without branches: whether a point
    enters is a coin toss the CPU cannot predict, and a branchy insertion
    into an array ran 5x slower. Only distances are kept: the radius is the
    k-th distance, whichever of tied neighbours is taken as the k-th.
    """
    p0 = cell_points[q, 0]
    p1 = cell_points[q, 1]
    d0 = d1 = d2 = np.inf  # ascending
    lo0, hi0, lo1, hi1 = block
    for g1 in range(lo1, hi1 + 1):
        row = g1 * n_cells
        for s in range(start[row + lo0], start[row + hi0 + 1]):
            dd = _higher(abs(cell_points[s, 0] - p0), abs(cell_points[s, 1] - p1))
            dd = np.inf if s == q else dd
            d2 = _lower(d2, _higher(d1, dd))
            d1 = _lower(d1, _higher(d0, dd))
            d0 = _lower(d0, dd)
    if k == 1:
        return d0
    return d1 if k == 2 else d2


@njit(cache=True)
def _kth_in_lanes(lanes, start, cell_points, block, n_cells):
    """The three smallest max-norm distances from each lane's slot to the other
    points of the cells ``block = (lo0, hi0, lo1, hi1)`` (inclusive), in rows
    3, 4, 5 of ``lanes``; inf where fewer.

    The cells of a grid row are contiguous slots, so the block is one run of
    ``cell_points`` a row. Each point is merged into every lane's three
    smallest by min/max, without branches (whether a point enters is a coin
    toss the CPU cannot predict); the loop over lanes has a fixed length and
    constant row offsets into one array, so LLVM vectorises it. Only
    distances are kept: the radius is the k-th distance, whichever of tied
    neighbours is taken as the k-th. Slots are compared as floats, exact
    below 2^53.
    """
    lo0, hi0, lo1, hi1 = block
    for lane in range(_LANES):
        lanes[3 * _LANES + lane] = np.inf
        lanes[4 * _LANES + lane] = np.inf
        lanes[5 * _LANES + lane] = np.inf
    for g1 in range(lo1, hi1 + 1):
        row = g1 * n_cells
        for s in range(start[row + lo0], start[row + hi0 + 1]):
            x = cell_points[s, 0]
            y = cell_points[s, 1]
            slot = float(s)
            for lane in range(_LANES):
                dd = _higher(abs(x - lanes[lane]), abs(y - lanes[_LANES + lane]))
                dd = np.inf if slot == lanes[2 * _LANES + lane] else dd
                d1 = lanes[4 * _LANES + lane]
                d0 = lanes[3 * _LANES + lane]
                lanes[5 * _LANES + lane] = _lower(lanes[5 * _LANES + lane], _higher(d1, dd))
                lanes[4 * _LANES + lane] = _lower(d1, _higher(d0, dd))
                lanes[3 * _LANES + lane] = _lower(d0, dd)


@njit(cache=True)
def _gap_outside_cells(inner, point, block):
    """Max-norm distance from ``point`` in the cells ``block = (lo0, hi0, lo1,
    hi1)`` (inclusive) to any point outside them: inf where they cover the grid.

    A point beyond column hi0 has x >= inner[0, hi0], one before column lo0
    has x < inner[0, lo0 - 1]; the same along y. Rounding is monotone, so the
    computed distances keep these inequalities.
    """
    gap = np.inf
    for axis, lo, hi in ((0, block[0], block[1]), (1, block[2], block[3])):
        if lo >= 1:
            gap = min(gap, point[axis] - inner[axis, lo - 1])
        if hi < inner.shape[1]:
            gap = min(gap, inner[axis, hi] - point[axis])
    return gap


@njit(cache=True)
def _pair_psi_terms(sorted_column, order, radius, psi, q_lo, q_hi, terms):
    """``terms[q] = psi(n_c(i) + 1)`` over sorted positions q_lo:q_hi of one column."""
    counts = np.empty(q_hi - q_lo, dtype=np.int64)
    counts_at_positions(sorted_column, order, radius, q_lo, q_hi, counts)
    for q in range(q_lo, q_hi):
        terms[q] = psi[counts[q - q_lo] + 1]


@njit(cache=True)
def _ordered_sum(terms):
    """Left-to-right sum: the same rounding whatever split filled ``terms``."""
    total = 0.0
    for q in range(terms.shape[0]):
        total += terms[q]
    return total


@njit(parallel=True, cache=True)
def ksg1_pairs_1d(columns, sorted_columns, orders, pairs, k, psi, n_cells):
    """KSG 1 estimate of I(a; b) for each pair (a, b) of 1-D columns.

    ``psi(k) + psi(n) - mean_i [psi(n_a(i) + 1) + psi(n_b(i) + 1)]``, with the
    joint k-NN found through a 2-D quantile grid and the strict marginal
    counts by binary searches in the sorted columns -- the same computation as
    ``KSGMutualInfo`` on one pair, without standardising or jitter (the
    caller prepares the columns). One pair a thread: for fewer pairs than
    threads, :func:`ksg1_pair_1d_threaded` splits one pair's queries instead.

    Parameters
    ----------
    columns : float64 array (m, n) -- one column per row
    sorted_columns : float64 array (m, n) -- each row sorted
    orders : int64 array (m, n) -- ``sorted_columns[c] = columns[c][orders[c]]``
    pairs : int64 array (p, 2) -- row indices into ``columns``
    k : int
    psi : float64 array (n + 1,) -- ``psi[j] = digamma(j)``
    n_cells : int -- grid cells per axis

    Returns
    -------
    mi : float64 array (p,), in nats, not clipped
    """
    n = columns.shape[1]
    out = np.empty(pairs.shape[0])
    for t in prange(pairs.shape[0]):
        a = pairs[t, 0]
        b = pairs[t, 1]
        grid = _pair_grid(columns, sorted_columns, orders, a, b, n_cells)
        radius = np.empty(n)
        _pair_radii(grid, k, 0, n, radius, n_cells)
        terms = np.empty(n)
        _pair_psi_terms(sorted_columns[a], orders[a], radius, psi, 0, n, terms)
        total = _ordered_sum(terms)
        _pair_psi_terms(sorted_columns[b], orders[b], radius, psi, 0, n, terms)
        total += _ordered_sum(terms)
        out[t] = psi[k] + psi[n] - total / n
    return out


@njit(parallel=True, cache=True)
def ksg1_pair_1d_threaded(columns, sorted_columns, orders, a, b, k, psi, n_cells, n_tasks):
    """:func:`ksg1_pairs_1d` for the one pair (a, b), its queries split over ``n_tasks``.

    A single pair (``mutual_info_regression`` on one feature) would otherwise
    run on one thread while the others wait. Bitwise the same value: the
    tasks fill the per-point terms, which are then summed in one fixed order
    (a per-task partial sum would tie the last bits to the thread count).
    """
    n = columns.shape[1]
    grid = _pair_grid(columns, sorted_columns, orders, a, b, n_cells)
    radius = np.empty(n)
    n_tasks = max(1, min(n, n_tasks))
    for t in prange(n_tasks):
        _pair_radii(grid, k, t * n // n_tasks, (t + 1) * n // n_tasks, radius, n_cells)
    terms_a = np.empty(n)
    terms_b = np.empty(n)
    for t in prange(n_tasks):
        lo, hi = t * n // n_tasks, (t + 1) * n // n_tasks
        _pair_psi_terms(sorted_columns[a], orders[a], radius, psi, lo, hi, terms_a)
        _pair_psi_terms(sorted_columns[b], orders[b], radius, psi, lo, hi, terms_b)
    total = _ordered_sum(terms_a)
    total += _ordered_sum(terms_b)
    return psi[k] + psi[n] - total / n
