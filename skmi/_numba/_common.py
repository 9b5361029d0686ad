"""Small helpers shared by the neighbour kernels: distances, sorted rows, bisection.

All comparisons are made on the same floating-point differences
``|p_j[c] - p_i[c]|`` that a tree or scikit-learn computes; the binary
searches rely only on rounding being monotone, so counts are exact, not
approximate. No ``fastmath`` in ``skmi._numba``, these comparisons decide
counts -- with one exception that changes no value: the float32 distance rows
of :mod:`skmi._numba.blocked` allow the SIMD max on finite inputs (``nnan``).
"""

from numba import njit


@njit(cache=True)
def _maxnorm_until(a, ia, b, ib, bound):
    """Max-norm distance between rows ``a[ia]`` and ``b[ib]``.

    Stops as soon as the partial maximum exceeds ``bound`` and returns that
    partial value (which is then > bound, so the caller's decision is the same
    as with the full distance).
    """
    dist = 0.0
    for c in range(a.shape[1]):
        t = abs(a[ia, c] - b[ib, c])
        if t > dist:
            dist = t
            if dist > bound:
                return dist
    return dist


@njit(cache=True)
def _insert_sorted(dist_row, idx_row, d, j):
    """Insert ``(d, j)`` into the ascending row, dropping its last entry.

    The caller has checked ``d < dist_row[-1]``. Equal distances keep their
    arrival order (the new one goes after), so results are deterministic.
    """
    pos = dist_row.shape[0] - 1
    while pos > 0 and dist_row[pos - 1] > d:
        dist_row[pos] = dist_row[pos - 1]
        idx_row[pos] = idx_row[pos - 1]
        pos -= 1
    dist_row[pos] = d
    idx_row[pos] = j


@njit(cache=True)
def _n_below_beyond(sorted_values, p, r):
    """How many sorted values v lie below p with ``p - v > r`` (a prefix)."""
    lo, hi = 0, sorted_values.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if p - sorted_values[mid] > r:
            lo = mid + 1
        else:
            hi = mid
    return lo


@njit(cache=True)
def _first_above_beyond(sorted_values, p, r):
    """Index of the first sorted value v with ``v - p > r`` (a suffix starts)."""
    lo, hi = 0, sorted_values.shape[0]
    while lo < hi:
        mid = (lo + hi) // 2
        if sorted_values[mid] - p > r:
            hi = mid
        else:
            lo = mid + 1
    return lo


@njit(cache=True)
def _insert_lexicographic(dist_row, idx_row, d, j):
    """Insert ``(d, j)`` into rows ascending by (distance, index), dropping the last.

    The caller has checked that ``(d, j)`` precedes the last entry. Keeping
    the k smallest by (distance, index) is what a scan in index order with
    :func:`_insert_sorted` keeps, so every structure that inserts this way
    returns the same neighbours as brute force, ties included -- which KSG 2
    needs, since its radii depend on which neighbours were chosen.
    """
    pos = dist_row.shape[0] - 1
    while pos > 0 and (dist_row[pos - 1] > d or (dist_row[pos - 1] == d and idx_row[pos - 1] > j)):
        dist_row[pos] = dist_row[pos - 1]
        idx_row[pos] = idx_row[pos - 1]
        pos -= 1
    dist_row[pos] = d
    idx_row[pos] = j
