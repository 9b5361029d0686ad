"""A k-d tree in the max-norm, for moderate dimension (about 5 to 16).

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
"""

import numpy as np
from numba import njit, prange

from skmi._numba._common import _insert_lexicographic, _maxnorm_until

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
def knn_kdtree(order, tp, start, end, left, lo, hi, k, n_tasks):
    """k nearest neighbours (max-norm) of every point, through the tree.

    Same output as :func:`skmi._numba.brute.knn_brute` (distances exactly;
    indices too, ties being broken by the smaller index). The arguments
    after ``order`` are :func:`build_kdtree`'s outputs; ``n_tasks`` contiguous
    runs of tree slots go to the threads.
    """
    n = tp.shape[0]
    dist = np.empty((n, k))
    idx = np.empty((n, k), dtype=np.int64)
    n_tasks = max(1, min(n, n_tasks))
    for t in prange(n_tasks):
        stack = np.empty(_STACK, dtype=np.int64)
        drow = np.empty(k)
        irow = np.empty(k, dtype=np.int64)
        first = t * n // n_tasks
        last = (t + 1) * n // n_tasks
        for s in range(first, last):
            # The previous query's k neighbours and itself lie within
            # r_prev + ||p - p_prev|| of this one: at least k other points.
            start_bound = np.inf
            if s > first:
                # (inflated by a few ulps: rounded distances may break the
                # triangle inequality by that much)
                gap = _maxnorm_until(tp, s, tp, s - 1, np.inf)
                start_bound = (drow[-1] + gap) * (1.0 + 1e-12) + 1e-300
            _knn_one(s, k, order, tp, start, end, left, lo, hi, start_bound, drow, irow, stack)
            i = order[s]
            dist[i] = drow
            idx[i] = irow
    return dist, idx


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


@njit(parallel=True, cache=True)
def count_within_kdtree(order, tp, start, end, left, lo, hi, radii, n_tasks):
    """``#{j != i : ||p_j - p_i||_inf <= radii[i]}`` through the tree.

    Nodes entirely inside the radius are counted whole; a negative radius
    counts nothing.
    """
    n = tp.shape[0]
    counts = np.zeros(n, dtype=np.int64)
    n_tasks = max(1, min(n, n_tasks))
    for t in prange(n_tasks):
        stack = np.empty(_STACK, dtype=np.int64)
        for s in range(t * n // n_tasks, (t + 1) * n // n_tasks):
            i = order[s]
            r = radii[i]
            if r < 0.0:
                continue
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
                    for u in range(start[node], end[node]):
                        if _maxnorm_until(tp, s, tp, u, r) <= r:
                            total += 1
                    continue
                stack[top + 1] = child
                stack[top + 2] = child + 1
                top += 2
            counts[i] = total - 1  # the point itself
    return counts
