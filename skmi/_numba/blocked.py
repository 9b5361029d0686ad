"""Blocked brute force in float32, re-checked exactly in float64.

In high dimension no structure prunes enough, so every pair is visited; the
cost is then raw arithmetic and memory traffic. This kernel cuts both:

* **tiles** -- a block of up to ``_QUERIES`` queries against a block of ``_POINTS``
  points, so the distance rows being built stay in L1 and the point block in
  L2, instead of sweeping n-long rows per query through memory (the plain
  kernel in :mod:`skmi._numba.brute` streams ``d`` such rows per query);
* **float32** for the sweep -- twice the SIMD lanes and half the bytes;
* **four coordinates folded into each pass** over the rows being built, so
  a row is loaded and stored d / 4 times instead of d times (about twice the
  pairs a second at d = 21 and 65);
* **an exact re-check in float64** of everything float32 could have decided
  differently, so the k-NN distances and the counts -- hence the estimate --
  are exactly those of the float64 algorithm.

Exactness. Every coordinate is rounded to float32 once; with ``M`` the
largest absolute coordinate, each float32 max-norm distance is within
``delta`` of the float64 one (see :func:`float32_error_bound`). So

* the k nearest neighbours in float64 are among the points whose float32
  distance is within ``2 delta`` of the float32 k-th distance; those few
  candidates are re-measured in float64 and the k smallest kept. Each query
  keeps ``k + _SLACK`` float32 candidates; if that is not enough to hold all
  of them (many ties: integer-valued data), the query is redone by an exact
  float64 scan;
* a count ``#{j : d(i, j) <= r}`` is certain where the float32 distance is
  below ``r - delta`` or above ``r + delta``; only the points in that thin
  band are re-measured in float64.

The float32 marginal distances of a block of queries are kept (a row of n
floats per query and marginal counted here) so that the counts need no
second sweep.
"""

import numpy as np
from numba import njit, prange

from skmi._numba._common import _insert_sorted, _maxnorm_until
from skmi._numba.fused import RADIUS_EXTENT

# Queries per block: at most _QUERIES, fewer when their kept marginal rows
# (n float32 each, until the radius is known) would pass _KEPT_FLOATS a
# thread. The rows stream through memory: 10x10 at n = 1e5 (two marginals
# kept) took 16.1 s in 8-query blocks and 12.2 s in 4-query blocks, where
# 20-D x 1-D (one kept) took 9.7 s with 8 and 10.5 s with 4, and 64-D x 1-D at
# 3e4 2.0 s with 4, 8 or 16.
_QUERIES = 8
_KEPT_FLOATS = 800_000
_POINTS = 1024  # points per tile: 4 KiB a row in float32
_SLACK = 8  # float32 candidates kept beyond k, to absorb rounding near the k-th
_COUNT_CHUNK = 256  # points per chunk of a settled count
# Points per chunk of the candidate scan: a block that holds a closer point
# (a third of the blocks of a row at n = 1e5: the top k + _SLACK of a random
# stream change about (k + _SLACK) ln(n / (k + _SLACK)) times) is scanned
# scalar only in the chunks that hold one. 10 x 10 at n = 1e5: 16.7-17.6 CPU s
# against 17.6-18.0 with whole blocks; at n = 2e4 no measurable gain.
_SCAN_CHUNK = 128


def float32_error_bound(*blocks):
    """Largest possible gap between a float32 and the float64 max-norm distance.

    Rounding a to float32 moves it by at most ``u |a|`` plus the smallest
    subnormal (u = 2^-24); the float32 difference of two rounded values adds
    at most ``u |a32 - b32|``. Hence ``|d32 - d64| <= 4 u M (1 + u) + 3 * 2^-149``
    for coordinates bounded by M; we use twice that. ``inf`` when some
    coordinate is beyond float32's range (then this kernel must not be used).
    """
    peak = max(float(np.max(np.abs(b))) if b.size else 0.0 for b in blocks)
    if not peak < 1e37:
        return np.inf
    return 2.0**-21 * peak * (1.0 + 2.0**-20) + 1e-44


# The float32 distance rows are compiled with ``fastmath={"nnan"}`` and
# nothing else: it lets LLVM use the SIMD max instruction instead of a
# compare-and-blend that propagates NaN. The points are finite (validated, and
# below 1e37 for the float32 sweeps), so no NaN can arise and the values are
# bit for bit those without the flag (max, abs and a difference are exact
# operations on the rounded inputs; nothing is re-associated). The k-d tree's
# float64 leaves, used beyond 1e37, can see a difference overflow to +inf;
# ``nnan`` promises nothing about infinities, so that +inf is kept as is.
_ROWS_FASTMATH = {"nnan"}
# Coordinates folded into a row per pass over it: 4 halves the loads and
# stores of the rows against 2 and is within noise of 8 (d = 21 and 65, 1
# thread: 9.2 -> 17 and 8.5 -> 14 Gpair-coordinates/s against one per pass).
# The kernels below write the four terms out (_fold), so this is a name for
# the loop steps, not a setting.
_FOLD = 4


@njit(cache=True)
def _tile(points_t, q0, nq, p0, npts, tile, off):
    """``tile[q, off + s] = max_c |points_t[c, p0 + s] - points_t[c, q0 + q]|`` (float32).

    Written on slices: with an offset index (``row[p0 + s]``) LLVM cannot
    prove the rows apart and the loop stays scalar (0.65 against 3.0
    Gelem/s measured on 2 busy cores, d = 64). Four queries share each load
    of a point row (a point block of 65 coordinates is 260 KiB, read from
    L2 once per four queries instead of once per query): 10-16 % less CPU
    time at d = 21 and 65, the same values.
    """
    q = 0
    while q + 4 <= nq:
        _tile_four(points_t, q0 + q, p0, npts, tile, q, off)
        q += 4
    for r in range(q, nq):
        _tile_one(points_t, q0 + r, p0, npts, tile, r, off)


@njit(cache=True)
def _tile_one(points_t, i, p0, npts, tile, q, off):
    """Row q of the tile: distances from point i to points p0 .. p0 + npts."""
    row_distances(points_t, i, p0, tile[q, off : off + npts])


@njit(cache=True, fastmath=_ROWS_FASTMATH)
def row_distances(points_t, i, p0, out):
    """``out[s] = max_c |points_t[c, p0 + s] - points_t[c, i]|`` for every s of ``out``.

    The one-query distance row, in the dtype of ``points_t`` (float32 for
    the sweeps); also what the k-d tree measures a leaf with. ``out`` is a
    slice made by the caller, so the loops below see unit-stride rows.
    ``_FOLD`` coordinates are folded into each pass over ``out``: the first
    pass takes the ``d mod 4`` (or 4) leading coordinates -- a group of two
    is folded as two (10-D marginals: the sweep at 10 x 10, n = 1e5, took
    9.1-9.4 s against 10.0-10.3 s with the pair padded to four), a group of
    three repeats its last coordinate, which leaves a maximum unchanged -- so
    that every later pass folds exactly four.
    """
    npts = out.shape[0]
    d = points_t.shape[0]
    head = d - _FOLD * ((d - 1) // _FOLD)  # 1 .. 4
    ra = points_t[0, p0 : p0 + npts]
    va = points_t[0, i]
    zero = out.dtype.type(0)  # distances are >= 0: max(0, t) == t
    if head == 1:
        for s in range(npts):
            out[s] = abs(ra[s] - va)
    else:
        rb = points_t[1, p0 : p0 + npts]
        vb = points_t[1, i]
        if head == 2:
            for s in range(npts):
                out[s] = np.maximum(abs(ra[s] - va), abs(rb[s] - vb))
        else:
            cd = head - 1  # head 3 or 4; a group of three repeats its last coordinate
            rc = points_t[2, p0 : p0 + npts]
            rd = points_t[cd, p0 : p0 + npts]
            vc, vd = points_t[2, i], points_t[cd, i]
            for s in range(npts):
                out[s] = _fold(zero, ra[s], rb[s], rc[s], rd[s], va, vb, vc, vd)
    for c in range(head, d, _FOLD):
        ra = points_t[c, p0 : p0 + npts]
        rb = points_t[c + 1, p0 : p0 + npts]
        rc = points_t[c + 2, p0 : p0 + npts]
        rd = points_t[c + 3, p0 : p0 + npts]
        va, vb, vc, vd = points_t[c, i], points_t[c + 1, i], points_t[c + 2, i], points_t[c + 3, i]
        for s in range(npts):
            out[s] = _fold(out[s], ra[s], rb[s], rc[s], rd[s], va, vb, vc, vd)


@njit(cache=True, fastmath=_ROWS_FASTMATH)
def _tile_four(points_t, i, p0, npts, tile, q, off):
    """Rows q .. q + 3 of the tile (points i .. i + 3), one pass over the point rows.

    Coordinates grouped as in :func:`row_distances`. Folding needs the
    ``nnan`` flag to pay: with NaN-propagating maxima the folded loop
    measured no faster. At d = 1 .. 4 the one folded pass measured as fast
    as or faster than one pass a coordinate (d = 3: 11.9 against 6.8, d = 4:
    19.8 against 9.2 Gpair-coordinates/s, one thread).
    """
    d = points_t.shape[0]
    head = d - _FOLD * ((d - 1) // _FOLD)  # 1 .. 4
    o0 = tile[q, off : off + npts]
    o1 = tile[q + 1, off : off + npts]
    o2 = tile[q + 2, off : off + npts]
    o3 = tile[q + 3, off : off + npts]
    ra = points_t[0, p0 : p0 + npts]
    a0, a1, a2, a3 = points_t[0, i], points_t[0, i + 1], points_t[0, i + 2], points_t[0, i + 3]
    zero = tile.dtype.type(0)  # distances are >= 0: max(0, t) == t
    if head == 1:
        for s in range(npts):
            xa = ra[s]
            o0[s] = abs(xa - a0)
            o1[s] = abs(xa - a1)
            o2[s] = abs(xa - a2)
            o3[s] = abs(xa - a3)
    elif head == 2:
        rb = points_t[1, p0 : p0 + npts]
        b0, b1, b2, b3 = _four(points_t, 1, i)
        for s in range(npts):
            xa = ra[s]
            xb = rb[s]
            o0[s] = np.maximum(abs(xa - a0), abs(xb - b0))
            o1[s] = np.maximum(abs(xa - a1), abs(xb - b1))
            o2[s] = np.maximum(abs(xa - a2), abs(xb - b2))
            o3[s] = np.maximum(abs(xa - a3), abs(xb - b3))
    else:
        cd = head - 1  # head 3 or 4; a group of three repeats its last coordinate
        rb = points_t[1, p0 : p0 + npts]
        rc = points_t[2, p0 : p0 + npts]
        rd = points_t[cd, p0 : p0 + npts]
        b0, b1, b2, b3 = _four(points_t, 1, i)
        c0, c1, c2, c3 = _four(points_t, 2, i)
        d0, d1, d2, d3 = _four(points_t, cd, i)
        for s in range(npts):
            xa = ra[s]
            xb = rb[s]
            xc = rc[s]
            xd = rd[s]
            o0[s] = _fold(zero, xa, xb, xc, xd, a0, b0, c0, d0)
            o1[s] = _fold(zero, xa, xb, xc, xd, a1, b1, c1, d1)
            o2[s] = _fold(zero, xa, xb, xc, xd, a2, b2, c2, d2)
            o3[s] = _fold(zero, xa, xb, xc, xd, a3, b3, c3, d3)
    for c in range(head, d, _FOLD):
        ra = points_t[c, p0 : p0 + npts]
        rb = points_t[c + 1, p0 : p0 + npts]
        rc = points_t[c + 2, p0 : p0 + npts]
        rd = points_t[c + 3, p0 : p0 + npts]
        a0, a1, a2, a3 = _four(points_t, c, i)
        b0, b1, b2, b3 = _four(points_t, c + 1, i)
        c0, c1, c2, c3 = _four(points_t, c + 2, i)
        d0, d1, d2, d3 = _four(points_t, c + 3, i)
        for s in range(npts):
            xa = ra[s]
            xb = rb[s]
            xc = rc[s]
            xd = rd[s]
            o0[s] = _fold(o0[s], xa, xb, xc, xd, a0, b0, c0, d0)
            o1[s] = _fold(o1[s], xa, xb, xc, xd, a1, b1, c1, d1)
            o2[s] = _fold(o2[s], xa, xb, xc, xd, a2, b2, c2, d2)
            o3[s] = _fold(o3[s], xa, xb, xc, xd, a3, b3, c3, d3)


@njit(cache=True, fastmath=_ROWS_FASTMATH)
def _fold(prev, xa, xb, xc, xd, a, b, c, d):
    """``max(prev, |xa - a|, |xb - b|, |xc - c|, |xd - d|)``, the step of a folded pass."""
    return np.maximum(
        np.maximum(prev, abs(xa - a)), np.maximum(np.maximum(abs(xb - b), abs(xc - c)), abs(xd - d))
    )


@njit(cache=True)
def _four(points_t, c, i):
    """Coordinate c of points i .. i + 3."""
    return points_t[c, i], points_t[c, i + 1], points_t[c, i + 2], points_t[c, i + 3]


@njit(cache=True)
def _exact_joint(x, y, i, j):
    return max(_maxnorm_until(x, i, x, j, np.inf), _maxnorm_until(y, i, y, j, np.inf))


@njit(cache=True)
def _exact_knn_scan(x, y, i, k, dist_row, idx_row):
    """The k nearest other points of i by a float64 scan (the fallback)."""
    dist_row[:] = np.inf
    idx_row[:] = -1
    for j in range(x.shape[0]):
        if j == i:
            continue
        dj = _exact_joint(x, y, i, j)
        if dj < dist_row[k - 1]:
            pos = k - 1
            while pos > 0 and dist_row[pos - 1] > dj:
                dist_row[pos] = dist_row[pos - 1]
                idx_row[pos] = idx_row[pos - 1]
                pos -= 1
            dist_row[pos] = dj
            idx_row[pos] = j


@njit(cache=True)
def _settle_knn(x, y, i, k, cand_d, cand_i, delta, dist_row, idx_row, exact_d, exact_i):
    """Exact k-NN of i from its float32 candidates (or a float64 scan)."""
    limit = np.float64(cand_d[k - 1]) + 2.0 * delta
    m = cand_d.shape[0]
    if not np.float64(cand_d[m - 1]) > limit:
        _exact_knn_scan(x, y, i, k, dist_row, idx_row)
        return
    used = 0
    for e in range(m):
        if np.float64(cand_d[e]) > limit:
            break
        dj = _exact_joint(x, y, i, cand_i[e])
        j = cand_i[e]
        # insertion by (distance, index): ties in index order, as a scan finds them
        pos = used
        while pos > 0 and (
            exact_d[pos - 1] > dj or (exact_d[pos - 1] == dj and exact_i[pos - 1] > j)
        ):
            exact_d[pos] = exact_d[pos - 1]
            exact_i[pos] = exact_i[pos - 1]
            pos -= 1
        exact_d[pos] = dj
        exact_i[pos] = j
        used += 1
    for m in range(k):
        dist_row[m] = exact_d[m]
        idx_row[m] = exact_i[m]


@njit(cache=True)
def _settle_count(points, i, row, r, delta):
    """``#{j != i : d64(i, j) <= r}`` from the float32 row, re-checking the band."""
    if r < 0.0:
        return 0
    lo, hi = _bounds_in(row, r - delta, r + delta)
    n = row.shape[0]
    total = 0
    # In chunks: the band nearly always holds a point (the k-th neighbour
    # sits at distance r + ulp in its own marginal), and a scalar scan of the
    # whole row for it cost a fifth of the sweep (64-D x 1-D, n = 3e4: 0.4 of
    # 2.2 s); a chunk is re-scanned only when it holds part of the band.
    for j0 in range(0, n, _COUNT_CHUNK):
        total += count_settled(points, i, row[j0 : min(n, j0 + _COUNT_CHUNK)], j0, r, lo, hi)
    return total - 1  # the point itself, at distance 0 <= r


@njit(cache=True)
def count_settled(points, i, row, j0, r, lo, hi):
    """``#{u : d64(i, j0 + u) <= r}`` from ``row[u]``, the distance to point j0 + u.

    ``row`` holds float32 (or float64) distances within ``delta`` of the
    float64 ones, and ``lo, hi = _bounds_in(row, r - delta, r + delta)``.
    Values below ``lo`` are certainly in, above ``hi`` certainly out; the
    band between is re-measured in float64 only when it is not empty. Also
    how the k-d tree counts a leaf its radius cuts. ``row`` must hold fewer
    than 2**31 values (int32 sums).
    """
    sure = np.int32(0)
    maybe = np.int32(0)
    for u in range(row.shape[0]):  # branch-free: vectorised
        v = row[u]
        sure = _add(sure, v < lo)
        maybe = _add(maybe, v <= hi)
    total = np.int64(sure)
    if maybe > sure:  # some point in the band: re-measure those
        for u in range(row.shape[0]):
            v = row[u]
            if v >= lo and v <= hi:
                total += _maxnorm_until(points, i, points, j0 + u, np.inf) <= r
    return total


@njit(cache=True)
def _bounds_in(row, low, high):
    """``low`` rounded up and ``high`` rounded down to the dtype of ``row``.

    For every v of that dtype, ``v < low`` exactly when ``v < lo`` and
    ``v <= high`` exactly when ``v <= hi``; so a float32 row is compared in
    float32 (eight SIMD lanes) with the same outcome as in float64 (four).
    """
    t = row.dtype.type
    lo = t(low)
    if lo < low:
        lo = np.nextafter(lo, t(np.inf))
    hi = t(high)
    if hi > high:
        hi = np.nextafter(hi, t(-np.inf))
    return lo, hi


@njit(cache=True)
def _add(total, flag):
    """``total + flag`` kept in int32.

    Numba widens an integer sum to int64, and LLVM then widens every compare
    to 64-bit lanes: a count over a float32 row ran at 0.19-0.25 ns a value
    with an int64 sum and 0.075-0.10 with int32 (one thread, 256-value
    chunks, in L1 and streamed from L3 alike). Callers sum fewer than 2**31.
    """
    return np.int32(total + np.int32(flag))


@njit(cache=True)
def _n_below(row, bound):
    """``#{s : row[s] < bound}``, branch-free (vectorised); ``len(row) < 2**31``."""
    closer = np.int32(0)
    for s in range(row.shape[0]):
        closer = _add(closer, row[s] < bound)
    return closer


@njit(cache=True)
def _max_n_below(a, b, out, bound):
    """``out = max(a, b)`` and ``#{s : out[s] < bound}`` in one pass."""
    closer = np.int32(0)
    for s in range(out.shape[0]):
        v = np.maximum(a[s], b[s])
        out[s] = v
        closer = _add(closer, v < bound)
    return closer


@njit(cache=True)
def _joint_n_below(tx, y_t, i, p0, out, bound):
    """Joint distances of point i from its x row: ``out = max(tx, |y - y_i|)``.

    The y distances are folded straight into the joint row (one pass when y
    is 1-D, as for a layer against a target) instead of being written to a
    tile of their own and read back. Returns ``#{s : out[s] < bound}``.
    """
    npts = out.shape[0]
    row = y_t[0, p0 : p0 + npts]
    v = y_t[0, i]
    for s in range(npts):
        out[s] = np.maximum(tx[s], abs(row[s] - v))
    for c in range(1, y_t.shape[0]):
        row = y_t[c, p0 : p0 + npts]
        v = y_t[c, i]
        for s in range(npts):
            out[s] = np.maximum(out[s], abs(row[s] - v))
    return _n_below(out, bound)


@njit(parallel=True, cache=True)
def knn_counts_blocked(x32_t, y32_t, x, y, k, rule, count_x, count_y, delta, n_tasks):
    """Exact joint k-NN of ``[x, y]`` and, optionally, the marginal counts.

    Parameters
    ----------
    x32_t, y32_t : float32 arrays (d_x, n), (d_y, n), C-contiguous
        The points, transposed and rounded to float32 (``d_y`` may be 0).
    x, y : float64 arrays (n, d_x), (n, d_y), C-contiguous -- the exact points
    k : int, 1 <= k < n
    rule : int
        ``RADIUS_KTH_STRICT`` (KSG 1) or ``RADIUS_EXTENT`` (KSG 2), as in
        :func:`skmi._numba.fused.knn_with_marginal_counts`.
    count_x, count_y : bool
        Whether to count in that marginal here (else the caller counts with
        the returned radius, in a cheaper structure).
    delta : float -- :func:`float32_error_bound` of the points
    n_tasks : int
        Parallel tasks, each allocating its buffers once: the number of
        threads (``numba.get_num_threads()``, read by the caller: called in
        here it would keep the kernel out of Numba's cache).

    Returns
    -------
    dist, idx : (n, k) -- exact joint k-NN, ascending; ties in index order
    r_x, r_y : float64 (n,) -- each point's marginal radius (inclusive)
    n_x, n_y : int64 (n,) -- other points within it (0 where not counted)
    """
    n = x.shape[0]
    dy = y32_t.shape[0]
    width = k + _SLACK
    dist = np.empty((n, k))
    idx = np.empty((n, k), dtype=np.int64)
    r_x = np.empty(n)
    r_y = np.empty(n)
    n_x = np.zeros(n, dtype=np.int64)
    n_y = np.zeros(n, dtype=np.int64)
    count_y = count_y and dy > 0  # no y block: nothing to count (and no row to read)
    kept = (1 if count_x else 0) + (1 if count_y else 0)
    block = _QUERIES
    while block > 4 and block * n * kept > _KEPT_FLOATS:
        block //= 2
    n_blocks = (n + block - 1) // block
    n_tasks = max(1, min(n_blocks, n_tasks))
    for t in prange(n_tasks):
        tile_x = np.empty((block, _POINTS), dtype=np.float32)
        tile_j = np.empty((block, _POINTS), dtype=np.float32)
        rows_x = np.empty((block if count_x else 0, n), dtype=np.float32)
        rows_y = np.empty((block if count_y else 0, n), dtype=np.float32)
        cand_d = np.empty((block, width), dtype=np.float32)
        cand_i = np.empty((block, width), dtype=np.int64)
        exact_d = np.empty(width)
        exact_i = np.empty(width, dtype=np.int64)
        for b in range(t, n_blocks, n_tasks):
            q0 = b * block
            nq = min(n, q0 + block) - q0
            cand_d[:] = np.inf
            cand_i[:] = -1
            for p0 in range(0, n, _POINTS):
                npts = min(n, p0 + _POINTS) - p0
                # x distances straight into the kept rows when x is counted here
                if count_x:
                    _tile(x32_t, q0, nq, p0, npts, rows_x, p0)
                else:
                    _tile(x32_t, q0, nq, p0, npts, tile_x, 0)
                if count_y:  # else folded into the joint row below, per query
                    _tile(y32_t, q0, nq, p0, npts, rows_y, p0)
                for q in range(nq):
                    tx = rows_x[q, p0 : p0 + npts] if count_x else tile_x[q, :npts]
                    cd = cand_d[q]
                    ci = cand_i[q]
                    worst = cd[width - 1]
                    joint = tx
                    if dy == 0:
                        closer = _n_below(tx, worst)
                    elif count_y:
                        joint = tile_j[q, :npts]
                        closer = _max_n_below(tx, rows_y[q, p0 : p0 + npts], joint, worst)
                    else:
                        joint = tile_j[q, :npts]
                        closer = _joint_n_below(tx, y32_t, q0 + q, p0, joint, worst)
                    i = q0 + q
                    if closer == 0 or closer == 1 and p0 <= i < p0 + npts:
                        continue  # nothing closer than the k + _SLACK kept (but i itself)
                    for c0 in range(0, npts, _SCAN_CHUNK):
                        c1 = min(npts, c0 + _SCAN_CHUNK)
                        if _n_below(joint[c0:c1], worst) == 0:
                            continue
                        for s in range(c0, c1):
                            if joint[s] < worst and p0 + s != i:
                                _insert_sorted(cd, ci, joint[s], p0 + s)
                                worst = cd[width - 1]
            for q in range(nq):
                i = q0 + q
                _settle_knn(
                    x, y, i, k, cand_d[q], cand_i[q], delta, dist[i], idx[i], exact_d, exact_i
                )
                if rule == RADIUS_EXTENT:
                    ex = 0.0
                    ey = 0.0
                    for m in range(k):
                        ex = max(ex, _maxnorm_until(x, i, x, idx[i, m], np.inf))
                        ey = max(ey, _maxnorm_until(y, i, y, idx[i, m], np.inf))
                    r_x[i] = ex
                    r_y[i] = ey
                else:
                    r_x[i] = np.nextafter(dist[i, k - 1], -np.inf)
                    r_y[i] = r_x[i]
                if count_x:
                    n_x[i] = _settle_count(x, i, rows_x[q], r_x[i], delta)
                if count_y:
                    n_y[i] = _settle_count(y, i, rows_y[q], r_y[i], delta)
    return dist, idx, r_x, r_y, n_x, n_y
