"""A k-d tree in the max-norm, for data it prunes (moderate or low intrinsic dimension).

Built by splitting each node at the median of its widest coordinate, with
tight bounding boxes, so that a node's box bounds the max-norm distance to
all its points from below (nearest face) and above (farthest corner):

* k-NN: depth-first, nearer child first, a node skipped when its box is
  farther than the current k-th distance. Queries run in tree order, and each
  starts from the bound ``r_prev + ||p - p_prev||`` given by the previous
  query -- its k neighbours and itself are that close -- so the first leaves
  already prune.
* counts: a node whose farthest corner lies within the radius adds its size
  without looking at its points; only the nodes cut by the sphere are
  opened.

Both box tests compare the same floating-point differences as a pairwise
scan (rounding is monotone, so a point inside a box is never farther than
the box's corner), hence counts and distances are exact. Ties at the k-th
distance are broken by the smaller index, as the brute-force scan does, so
the neighbours themselves are the same.

Leaves in float32 SIMD. Measuring one point at a time, with a branch per
coordinate, costs about 20 times what the blocked brute force's vectorised
float32 sweep spends per pair, which loses in 10 to 30 dimensions where a
query still measures a few percent of the points. So the tree only decides
which leaves to open -- its box tests stay in float64 -- and an opened leaf
is measured as :mod:`skmi._numba.blocked` measures a tile: all its points at
once, coordinate by coordinate, from a transposed copy ``tp_t`` of the
tree-ordered points (a leaf is one contiguous run per coordinate, which LLVM
vectorises). Exactness is that of the blocked sweep (same error bound
``delta``, same settling code):

* k-NN: a query keeps its ``k + _SLACK`` smallest float32 distances; a node
  is skipped only when its float64 box distance exceeds the k+slack-th
  float32 distance plus ``delta`` (then none of its points could have entered
  the list) or the chained bound from the previous query (then none of them
  is among the k nearest). :func:`~skmi._numba.blocked._settle_knn` then
  re-measures in float64 the candidates that float32 could have ordered
  wrongly; when the list is too short to hold them (float32 ties), the
  query is searched again through the tree in float64 (:func:`_knn_one`).
* counts: a leaf point is certain when its float32 distance is below
  ``r - delta``; the few in the band ``[r - delta, r + delta]`` are
  re-measured in float64.

Given ``tp_t`` in float64 and ``delta = 0`` the same kernels run in float64
(for coordinates beyond float32's range), exactly.
"""

import numpy as np
from numba import njit, prange

from skmi._numba._common import _insert_lexicographic, _insert_sorted, _maxnorm_until
from skmi._numba.blocked import (
    _SLACK,
    _bounds_in,
    _n_below,
    _settle_knn,
    count_settled,
    row_distances,
)

_STACK = 256  # the tree is balanced: depth ~ log2(n / leaf_size) << 256


@njit(cache=True)
def _select(order, column, lo, hi, kth):
    """Reorder ``order[lo:hi]`` so that position kth holds its median-by-column."""
    while hi - lo > 1:
        pivot = column[order[(lo + hi) // 2]]
        i = lo
        j = hi - 1
        while i <= j:
            while column[order[i]] < pivot:
                i += 1
            while column[order[j]] > pivot:
                j -= 1
            if i <= j:
                order[i], order[j] = order[j], order[i]
                i += 1
                j -= 1
        if kth <= j:
            hi = j + 1
        elif kth >= i:
            lo = i
        else:
            return


@njit(cache=True)
def build_kdtree(points, leaf_size):
    """Build the tree.

    Parameters
    ----------
    points : float64 array (n, d), C-contiguous
    leaf_size : int >= 1

    Returns
    -------
    order : int64 (n,) -- point indices in tree order
    tree_points : float64 (n, d) -- ``points[order]``
    start, end : int64 (m,) -- node j holds tree slots ``start[j]:end[j]``
    left : int64 (m,) -- first child (the second is ``left + 1``), -1 at a leaf
    lo, hi : float64 (m, d) -- each node's tight bounding box
    """
    n, d = points.shape
    max_nodes = 4 * (n // leaf_size + 1) + 1
    order = np.arange(n)
    start = np.empty(max_nodes, dtype=np.int64)
    end = np.empty(max_nodes, dtype=np.int64)
    left = np.full(max_nodes, -1, dtype=np.int64)
    lo = np.empty((max_nodes, d))
    hi = np.empty((max_nodes, d))
    column = np.empty(n)
    stack = np.empty(_STACK, dtype=np.int64)
    start[0], end[0] = 0, n
    n_nodes = 1
    top = 0
    stack[0] = 0
    while top >= 0:
        node = stack[top]
        top -= 1
        s, e = start[node], end[node]
        for c in range(d):
            lo[node, c] = np.inf
            hi[node, c] = -np.inf
        for t in range(s, e):
            for c in range(d):
                v = points[order[t], c]
                lo[node, c] = min(lo[node, c], v)
                hi[node, c] = max(hi[node, c], v)
        if e - s <= leaf_size:
            continue
        widest = 0
        for c in range(1, d):
            if hi[node, c] - lo[node, c] > hi[node, widest] - lo[node, widest]:
                widest = c
        if not hi[node, widest] > lo[node, widest]:
            continue  # all points identical: a leaf, however large
        for t in range(s, e):
            column[order[t]] = points[order[t], widest]
        mid = (s + e) // 2
        _select(order, column, s, e, mid)
        left[node] = n_nodes
        start[n_nodes], end[n_nodes] = s, mid
        start[n_nodes + 1], end[n_nodes + 1] = mid, e
        stack[top + 1] = n_nodes
        stack[top + 2] = n_nodes + 1
        top += 2
        n_nodes += 2
    tree_points = np.empty((n, d))
    for t in range(n):
        for c in range(d):
            tree_points[t, c] = points[order[t], c]
    return (
        order,
        tree_points,
        start[:n_nodes].copy(),
        end[:n_nodes].copy(),
        left[:n_nodes].copy(),
        lo[:n_nodes].copy(),
        hi[:n_nodes].copy(),
    )


@njit(cache=True)
def _box_near(lo, hi, node, p, tq):
    """Max-norm distance from point ``p[tq]`` to the box of ``node`` (0 inside)."""
    dist = 0.0
    for c in range(p.shape[1]):
        v = p[tq, c]
        gap = lo[node, c] - v
        if v - hi[node, c] > gap:
            gap = v - hi[node, c]
        if gap > dist:
            dist = gap
    return dist


@njit(cache=True)
def _box_far(lo, hi, node, p, tq):
    """Max-norm distance from point ``p[tq]`` to the box's farthest corner."""
    dist = 0.0
    for c in range(p.shape[1]):
        v = p[tq, c]
        dist = max(dist, hi[node, c] - v, v - lo[node, c])
    return dist


@njit(cache=True)
def _knn_one(tq, k, order, tp, start, end, left, lo, hi, start_bound, drow, irow, stack):
    """k nearest other points of tree slot tq (distances exact, ties by index).

    Returns the number of points whose distance was measured (the cost).
    """
    n = tp.shape[0]
    scanned = 0
    drow[:] = np.inf
    irow[:] = n
    top = 0
    stack[0] = 0
    while top >= 0:
        node = stack[top]
        top -= 1
        bound = min(drow[-1], start_bound)
        if _box_near(lo, hi, node, tp, tq) > bound:
            continue
        child = left[node]
        if child < 0:
            scanned += end[node] - start[node]
            for s in range(start[node], end[node]):
                if s == tq:
                    continue
                bound = min(drow[-1], start_bound)
                dd = _maxnorm_until(tp, tq, tp, s, bound)
                if dd > bound:
                    continue
                j = order[s]
                if dd < drow[-1] or (dd == drow[-1] and j < irow[-1]):
                    _insert_lexicographic(drow, irow, dd, j)
            continue
        # the child whose box is nearer is searched first (pushed last)
        if _box_near(lo, hi, child, tp, tq) <= _box_near(lo, hi, child + 1, tp, tq):
            stack[top + 1] = child + 1
            stack[top + 2] = child
        else:
            stack[top + 1] = child
            stack[top + 2] = child + 1
        top += 2
    return scanned


@njit(parallel=True, cache=True)
def knn_kdtree_cost(order, tp, start, end, left, lo, hi, k, n_runs, run_length):
    """Mean number of points a k-NN query measures, from a sample of queries.

    ``n_runs`` runs of ``run_length`` consecutive tree slots, spread over the
    tree, each run chained as :func:`knn_kdtree` chains its queries. Lets
    the dispatcher see how well the tree prunes *this* data: on points of
    low intrinsic dimension (network activations) a query measures a few
    hundred points even in 64 dimensions; on an isotropic 20-D Gaussian,
    most of them.
    """
    n = tp.shape[0]
    n_runs = max(1, min(n_runs, n // max(1, run_length)))
    totals = np.zeros(n_runs)
    for t in prange(n_runs):
        stack = np.empty(_STACK, dtype=np.int64)
        drow = np.empty(k)
        irow = np.empty(k, dtype=np.int64)
        first = t * n // n_runs
        for s in range(first, min(n, first + run_length)):
            start_bound = np.inf
            if s > first:
                gap = _maxnorm_until(tp, s, tp, s - 1, np.inf)
                start_bound = (drow[-1] + gap) * (1.0 + 1e-12) + 1e-300
            totals[t] += _knn_one(
                s, k, order, tp, start, end, left, lo, hi, start_bound, drow, irow, stack
            )
    return totals.sum() / (n_runs * min(n, run_length))


@njit(cache=True)
def _max_leaf(start, end, left):
    """Size of the largest leaf (the scratch row a thread needs)."""
    largest = 0
    for node in range(start.shape[0]):
        if left[node] < 0:
            largest = max(largest, end[node] - start[node])
    return largest


@njit(cache=True)
def _candidates_one(
    sq, order, tp, tp_t, start, end, left, lo, hi, start_bound, delta, cd, ci, buf, stack, near
):
    """Fill ``cd, ci`` with the k+slack smallest float32 distances from tree slot sq.

    ``near`` holds, beside each stacked node, its box distance (computed when
    its parent ordered the children), so no box is measured twice.
    """
    width = cd.shape[0]
    cd[:] = np.inf
    ci[:] = -1
    top = 0
    stack[0] = 0
    near[0] = 0.0
    while top >= 0:
        node = stack[top]
        node_near = near[top]
        top -= 1
        bound = min(np.float64(cd[width - 1]) + delta, start_bound)
        if node_near > bound:
            continue
        child = left[node]
        if child < 0:
            a = start[node]
            dist = buf[: end[node] - a]
            row_distances(tp_t, sq, a, dist)
            worst = cd[width - 1]
            closer = _n_below(dist, worst)
            if closer == 0 or closer == 1 and a <= sq < end[node]:
                continue  # nothing to insert (or only the query itself)
            for s in range(dist.shape[0]):
                if dist[s] < worst and a + s != sq:
                    _insert_sorted(cd, ci, dist[s], order[a + s])
                    worst = cd[width - 1]
            continue
        near_a = _box_near(lo, hi, child, tp, sq)
        near_b = _box_near(lo, hi, child + 1, tp, sq)
        # the nearer child is searched first (pushed last); a child already
        # beyond the bound is not pushed at all
        if near_a <= near_b:
            first, first_near, second, second_near = child, near_a, child + 1, near_b
        else:
            first, first_near, second, second_near = child + 1, near_b, child, near_a
        if second_near <= bound:
            top += 1
            stack[top] = second
            near[top] = second_near
        if first_near <= bound:
            top += 1
            stack[top] = first
            near[top] = first_near


@njit(parallel=True, cache=True)
def knn_kdtree(points, order, tp, tp_t, start, end, left, lo, hi, k, delta, n_tasks):
    """Exact k-NN (max-norm) of every point through the tree, leaves in SIMD.

    Same output as the brute-force scan (:func:`skmi._numba.brute.knn_brute`):
    distances exactly, ties broken by the smaller index.

    Parameters
    ----------
    points : float64 (n, d) -- the points in their own order (for re-checks)
    order, tp, start, end, left, lo, hi
        :func:`skmi._numba.kdtree.build_kdtree` of ``points``.
    tp_t : float32 (d, n) -- ``tp.T`` rounded to float32, C-contiguous (or
        ``tp.T`` itself in float64, with ``delta = 0``)
    k : int, 1 <= k < n
    delta : float -- :func:`skmi._numba.blocked.float32_error_bound` of points
    n_tasks : int -- contiguous runs of tree slots, one a thread
    """
    n = tp.shape[0]
    no_y = np.empty((n, 0))
    dist = np.empty((n, k))
    idx = np.empty((n, k), dtype=np.int64)
    width = k + _SLACK
    n_tasks = max(1, min(n, n_tasks))
    max_leaf = _max_leaf(start, end, left)
    for t in prange(n_tasks):
        stack = np.empty(_STACK, dtype=np.int64)
        near = np.empty(_STACK)
        buf = np.empty(max_leaf, dtype=tp_t.dtype)
        cd = np.empty(width, dtype=tp_t.dtype)
        ci = np.empty(width, dtype=np.int64)
        exact_d = np.empty(width)
        exact_i = np.empty(width, dtype=np.int64)
        first = t * n // n_tasks
        last = (t + 1) * n // n_tasks
        for s in range(first, last):
            # the previous query's k neighbours lie within
            # r_prev + ||p - p_prev|| of this one (a few ulps added)
            start_bound = np.inf
            if s > first:
                gap = _maxnorm_until(tp, s, tp, s - 1, np.inf)
                start_bound = (dist[order[s - 1], k - 1] + gap) * (1.0 + 1e-12) + 1e-300
            _candidates_one(
                s,
                order,
                tp,
                tp_t,
                start,
                end,
                left,
                lo,
                hi,
                start_bound,
                delta,
                cd,
                ci,
                buf,
                stack,
                near,
            )
            i = order[s]
            kth = np.float64(cd[k - 1])
            if kth < np.inf and not np.float64(cd[width - 1]) > kth + 2.0 * delta:
                # Too many float32 ties to settle from the list (integer-valued
                # data jittered below float32's resolution): search the tree
                # again in float64 -- pruned, where _settle_knn's fallback
                # would scan all n points (quadratic on such data). An
                # infinite k-th distance (differences overflowing float64)
                # keeps the scan, which leaves such neighbours at index -1
                # as brute force does.
                _knn_one(
                    s, k, order, tp, start, end, left, lo, hi, start_bound, dist[i], idx[i], stack
                )
                continue
            _settle_knn(points, no_y, i, k, cd, ci, delta, dist[i], idx[i], exact_d, exact_i)
    return dist, idx


@njit(parallel=True, cache=True)
def count_within_kdtree(order, tp, tp_t, start, end, left, lo, hi, radii, delta, n_tasks):
    """``#{j != i : ||p_j - p_i||_inf <= radii[i]}`` through the tree.

    Nodes entirely inside the radius are counted whole, nodes entirely
    outside skipped; a leaf the sphere cuts is measured in SIMD (``tp_t`` and
    ``delta`` as for :func:`knn_kdtree`). A negative radius counts nothing.
    """
    n = tp.shape[0]
    counts = np.zeros(n, dtype=np.int64)
    n_tasks = max(1, min(n, n_tasks))
    max_leaf = _max_leaf(start, end, left)
    for t in prange(n_tasks):
        stack = np.empty(_STACK, dtype=np.int64)
        buf = np.empty(max_leaf, dtype=tp_t.dtype)
        for s in range(t * n // n_tasks, (t + 1) * n // n_tasks):
            i = order[s]
            r = radii[i]
            if r < 0.0:
                continue
            sure_below, out_above = _bounds_in(buf, r - delta, r + delta)
            total = 0
            top = 0
            stack[0] = 0
            while top >= 0:
                node = stack[top]
                top -= 1
                if _box_near(lo, hi, node, tp, s) > r:
                    continue
                if _box_far(lo, hi, node, tp, s) <= r:
                    total += end[node] - start[node]
                    continue
                child = left[node]
                if child < 0:
                    a = start[node]
                    dist = buf[: end[node] - a]
                    row_distances(tp_t, s, a, dist)
                    total += count_settled(tp, s, dist, a, r, sure_below, out_above)
                    continue
                stack[top + 1] = child
                stack[top + 2] = child + 1
                top += 2
            counts[i] = total - 1  # the point itself
    return counts
