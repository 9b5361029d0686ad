"""Numba kernels against slow, obviously-correct NumPy references."""

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import digamma

from skmi import _neighbors
from skmi._neighbors import NeighborIndex, knn_and_marginal_counts
from skmi._numba import (
    RADIUS_EXTENT,
    RADIUS_KTH_STRICT,
    build_grid,
    build_grid_sorted,
    count_within_brute,
    count_within_grid,
    count_within_sorted,
    knn_brute,
    knn_grid,
    knn_sorted,
    knn_with_marginal_counts,
    ksg1_pair_1d_threaded,
    ksg1_pairs_1d,
    neighbor_extent,
)
from skmi._numba.blocked import (
    _bounds_in,
    _n_below,
    _tile,
    count_settled,
    float32_error_bound,
    knn_counts_blocked,
    row_distances,
)
from skmi._numba.kdtree import build_kdtree, count_within_kdtree, knn_kdtree, knn_kdtree_cost
from skmi._numba.ksg_pairs import (
    _LANES,
    _cells_within,
    _gap_outside_cells,
    _group_end,
    _kth_in_block,
    _kth_in_lanes,
    _load_lanes,
    _pair_grid,
    _pair_radii,
)
from skmi._numba.sorted1d import counts_at_positions


def _pairwise_maxnorm(P):
    D = np.abs(P[:, None, :] - P[None, :, :]).max(axis=-1)
    np.fill_diagonal(D, np.inf)
    return D


def _reference_knn_dist(P, k):
    return np.sort(_pairwise_maxnorm(P), axis=1)[:, :k]


def _reference_counts(P, radii):
    return (_pairwise_maxnorm(P) <= radii[:, None]).sum(axis=1)


def _points(n, d, seed, ties=False):
    rng = np.random.default_rng(seed)
    P = rng.standard_normal((n, d))
    P[:, 0] = rng.standard_t(1.5, n)  # a heavy-tailed column
    if ties:
        P = np.round(P, 1)  # many exact ties and repeated rows
    return np.ascontiguousarray(P)


def _grid(P):
    inner = _neighbors._quantile_edges(P)
    return inner, build_grid(P, inner)


@pytest.mark.parametrize("d", [2, 3, 5])
@pytest.mark.parametrize("ties", [False, True])
def test_knn_kernels_match_reference(d, ties):
    P = _points(400, d, seed=d, ties=ties)
    ref = _reference_knn_dist(P, 4)
    D = _pairwise_maxnorm(P)
    dist_b, idx_b = knn_brute(np.ascontiguousarray(P.T), 4)
    inner, grid = _grid(P)
    dist_g, idx_g = knn_grid(P, 4, inner, *grid)
    for dist, idx in [(dist_b, idx_b), (dist_g, idx_g)]:
        np.testing.assert_array_equal(dist, ref)
        # the indices point at neighbours at exactly those distances
        np.testing.assert_array_equal(D[np.arange(len(P))[:, None], idx], dist)
        assert not np.any(idx == np.arange(len(P))[:, None])


@pytest.mark.parametrize("d", [1, 2, 3, 5])
@pytest.mark.parametrize("ties", [False, True])
def test_count_kernels_match_reference(d, ties):
    P = _points(400, d, seed=10 + d, ties=ties)
    rng = np.random.default_rng(d)
    radii = rng.uniform(0, 2, len(P))
    radii[:20] = 0.0  # counts of exact duplicates
    radii[20:25] = -1e-300  # negative: nothing
    ref = np.where(radii < 0, 0, _reference_counts(P, radii))
    np.testing.assert_array_equal(count_within_brute(np.ascontiguousarray(P.T), radii), ref)
    inner, (start, order, cell_points, _) = _grid(P)
    np.testing.assert_array_equal(
        count_within_grid(P, radii, inner, start, order, cell_points), ref
    )
    if d == 1:
        order = np.argsort(P[:, 0])
        np.testing.assert_array_equal(count_within_sorted(P[order, 0], order, radii), ref)


@pytest.mark.parametrize("d", [1, 2, 3, 4])
def test_grid_counts_with_many_interior_cells_match_reference(d):
    # n large enough for fine grids: boxes of many cells, whose interior is
    # counted from the summed-area table and only the boundary scanned
    n = {1: 3000, 2: 3000, 3: 2500, 4: 2000}[d]
    P = _points(n, d, seed=40 + d, ties=d == 2)
    rng = np.random.default_rng(41)
    radii = np.concatenate([rng.uniform(0, 0.05, n // 3), rng.uniform(0, 1.5, n - n // 3)])
    radii[:10] = 0.0
    ref = _reference_counts(P, radii)
    inner, (start, order, cell_points, _) = _grid(P)
    assert inner.shape[1] >= 3  # a grid fine enough to have interiors
    np.testing.assert_array_equal(
        count_within_grid(P, radii, inner, start, order, cell_points), ref
    )


@pytest.mark.parametrize("ties", [False, True])
def test_sorted_knn_matches_reference(ties):
    P = _points(400, 1, seed=5, ties=ties)
    order = np.argsort(P[:, 0])
    dist, idx = knn_sorted(P[order, 0], order, 5)
    np.testing.assert_array_equal(dist, _reference_knn_dist(P, 5))
    D = _pairwise_maxnorm(P)
    np.testing.assert_array_equal(D[np.arange(len(P))[:, None], idx], dist)


@settings(max_examples=80, deadline=None)
@given(
    values=arrays(
        np.float64,
        st.integers(1, 40),
        elements=st.sampled_from([-2.5, -1.0, 0.0, 0.1, 0.3, 1.0, 7.0]),
    ),
    radii=st.lists(
        st.sampled_from([-1.0, 0.0, 0.2, 0.3 - 0.1, 1.0, 2.0, np.inf, np.nan]),
        min_size=40,
        max_size=40,
    ),
    span=st.tuples(st.integers(0, 40), st.integers(0, 40)),
)
def test_counts_at_sorted_positions_equal_a_pairwise_scan(values, radii, span):
    # the side-by-side branch-free searches: any n (not only whole groups of
    # four), any sub-range of positions, ties, radii equal to a gap (0.2 and
    # 0.3 - 0.1 differ in the last bit), negative, infinite and NaN radii
    n = len(values)
    values = values + 0.0  # hypothesis may give -0.0
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    radii = np.array(radii[:n])
    q_lo, q_hi = sorted((min(span[0], n), min(span[1], n)))
    out = np.full(q_hi - q_lo, -7, dtype=np.int64)
    counts_at_positions(sorted_values, order, radii, q_lo, q_hi, out)
    for q in range(q_lo, q_hi):
        i = order[q]
        expected = np.sum(np.abs(values - values[i]) <= radii[i]) - 1 if radii[i] >= 0 else 0
        assert out[q - q_lo] == expected


def test_counts_at_positions_from_windows_around_each_query():
    # n well above _NEAR: searches from windows around the queries' own
    # positions, widened for the wide intervals (at the ends too), with ties
    # and radii equal to a distance
    rng = np.random.default_rng(9)
    n = 3000
    values = np.round(rng.standard_normal(n) * 200) / 200
    order = np.argsort(values, kind="stable")
    sorted_values = values[order]
    radii = rng.choice([0.0, 0.005, 0.01, 0.05, 0.3, 2.0, 10.0], n) * rng.uniform(0.5, 1.5, n)
    radii[::7] = np.abs(values[::7] - values[::-7][: len(values[::7])])  # an existing distance
    out = np.empty(n, dtype=np.int64)
    counts_at_positions(sorted_values, order, radii, 0, n, out)
    want = (np.abs(values[None, :] - sorted_values[:, None]) <= radii[order][:, None]).sum(1) - 1
    np.testing.assert_array_equal(out, want)


def test_strict_counts_at_the_exact_radius():
    # A radius equal to an existing distance: the inclusive count includes that
    # neighbour, the strict one (nextafter towards -inf) excludes it.
    values = np.array([0.0, 0.5, 1.0, 1.5])
    order = np.arange(4)
    radii = np.full(4, 0.5)
    inclusive = count_within_sorted(values, order, radii)
    strict = count_within_sorted(values, order, _neighbors.strictly_below(radii))
    np.testing.assert_array_equal(inclusive, [1, 2, 2, 1])
    np.testing.assert_array_equal(strict, [0, 0, 0, 0])


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("ties", [False, True])
def test_grid_from_sorted_columns_equals_the_searched_grid(d, ties):
    # walking the sorted columns along the edges must place every point in the
    # cell the binary search gives, values equal to an edge included
    P = _points(3000, d, seed=d, ties=ties)
    orders = np.argsort(P.T, axis=1, kind="stable")
    values = np.take_along_axis(P.T, orders, axis=1)
    inner = np.ascontiguousarray(values[:, 100::211][:, :-1])  # edges taken from the data
    if ties:
        assert np.isin(inner, P).all()  # some points sit on an edge
    expected = build_grid(P, inner)
    # the columns in another row order, reached through ``rows``
    got = build_grid_sorted(P, inner, values[::-1].copy(), orders[::-1].copy(), np.arange(d)[::-1])
    for e, g in zip(expected, got, strict=True):
        np.testing.assert_array_equal(e, g)


def test_grid_with_one_cell_and_outliers():
    # Few points (one cell) and far outliers: the search must still terminate
    # and be exact, since border faces of the grid are open.
    P = np.array([[0.0, 0.0], [1e6, -1e6], [1.0, 1.0], [2.0, 0.5], [-1e9, 3.0]])
    inner, grid = _grid(P)
    dist, _ = knn_grid(P, 2, inner, *grid)
    np.testing.assert_array_equal(dist, _reference_knn_dist(P, 2))


def test_neighbor_extent():
    P = _points(200, 3, seed=3)
    _, idx = knn_brute(np.ascontiguousarray(P.T), 3)
    ref = np.array([np.abs(P[idx[i]] - P[i]).max() for i in range(len(P))])
    np.testing.assert_array_equal(neighbor_extent(P, idx), ref)


@pytest.mark.parametrize("rule", [RADIUS_KTH_STRICT, RADIUS_EXTENT])
def test_fused_kernel_matches_separate_passes(rule):
    P = _points(300, 6, seed=7, ties=True)
    x, y = np.ascontiguousarray(P[:, :2]), np.ascontiguousarray(P[:, 2:])
    dist, idx, n_x, n_y = knn_with_marginal_counts(
        np.ascontiguousarray(x.T), np.ascontiguousarray(y.T), 3, rule
    )
    np.testing.assert_array_equal(dist, _reference_knn_dist(P, 3))
    if rule == RADIUS_EXTENT:
        r_x, r_y = neighbor_extent(x, idx), neighbor_extent(y, idx)
    else:
        r_x = r_y = _neighbors.strictly_below(dist[:, -1])
    np.testing.assert_array_equal(n_x, _reference_counts(x, r_x))
    np.testing.assert_array_equal(n_y, _reference_counts(y, r_y))


@pytest.mark.parametrize(
    ("n", "d", "purpose", "kind"),
    [
        (100, 3, "knn", "brute"),
        (5000, 2, "knn", "grid"),
        (5000, 7, "knn", "probe"),
        (5000, 12, "knn", "probe"),
        (5000, 1, "count", "sorted"),
        (5000, 1, "knn", "sorted"),
        (50_000, 2, "count", "grid"),
        (50_000, 3, "count", "probe"),
        (50_000, 3, "knn", "grid"),
        (50_000, 4, "knn", "probe"),
        (5000, 8, "count", "probe"),
    ],
)
def test_dispatcher_choices_are_exact(n, d, purpose, kind):
    # Every structure the dispatcher can pick gives the reference answer.
    assert _neighbors.choose_structure(n, d, purpose) == kind
    P = _points(300, d, seed=n % 97 + d, ties=True)
    forced = ["tree", "brute"] if kind == "probe" else [kind]
    for structure in forced:
        index = NeighborIndex(P, purpose, kind=structure)
        if purpose == "knn":
            np.testing.assert_array_equal(index.knn(3)[0], _reference_knn_dist(P, 3))
        else:
            radii = np.random.default_rng(0).uniform(0, 1.5, len(P))
            np.testing.assert_array_equal(index.count_within(radii), _reference_counts(P, radii))


def test_probe_keeps_the_tree_only_where_it_prunes():
    rng = np.random.default_rng(0)
    n = 4000
    # 32 columns driven by 2 latent ones: a tree prunes; 32 independent ones: it does not
    latent = rng.standard_normal((n, 2)) @ rng.standard_normal((2, 32))
    wide = rng.standard_normal((n, 32))
    assert NeighborIndex(latent, "knn").kind == "tree"
    assert NeighborIndex(wide, "knn").kind == "brute"


@pytest.mark.parametrize("rule", ["kth_strict", "extent"])
@pytest.mark.parametrize(
    "kinds",
    [("tree", "grid"), ("grid", "grid"), ("brute", "grid"), ("brute", "probe"), ("tree", "probe")],
)
def test_knn_and_marginal_counts_paths_agree(rule, kinds, monkeypatch):
    # Whatever structures answer, the joint distances and counts are the same.
    P = _points(500, 4, seed=1, ties=True)
    x, y = P[:, :3], P[:, 3:]
    ref_dist = _reference_knn_dist(P, 3)
    joint_kind, marginal_kind = kinds
    monkeypatch.setattr(
        _neighbors,
        "choose_structure",
        lambda n, d, purpose: (
            joint_kind if purpose == "knn" else "sorted" if d == 1 else marginal_kind
        ),
    )
    dist, n_x, n_y = knn_and_marginal_counts(x, y, 3, rule)
    np.testing.assert_array_equal(dist, ref_dist)
    _, idx = knn_brute(np.ascontiguousarray(P.T), 3)
    if rule == "extent":
        r_x, r_y = neighbor_extent(x, idx), neighbor_extent(y, idx)
    else:
        r_x = r_y = _neighbors.strictly_below(dist[:, -1])
    np.testing.assert_array_equal(n_x, _reference_counts(x, r_x))
    np.testing.assert_array_equal(n_y, _reference_counts(y, r_y))


# -- new search structures against the brute-force reference, ties included --------


def _point_sets():
    """Small point sets: integer grids (many tied distances and repeated rows),
    wide-ranging floats, and near-duplicates that float32 cannot tell apart."""
    # up to 12 columns: the float32 rows fold four coordinates a pass from 5 on
    shapes = st.tuples(st.integers(6, 60), st.integers(1, 12))
    integers = shapes.flatmap(
        lambda s: arrays(np.float64, s, elements=st.integers(-3, 3).map(float))
    )
    floats = shapes.flatmap(
        lambda s: arrays(np.float64, s, elements=st.floats(-1e6, 1e6, width=64))
    )
    close = shapes.flatmap(
        lambda s: arrays(np.float64, s, elements=st.integers(0, 5)).map(
            lambda a: 1000.0 + a * 1e-5  # differences below float32's resolution at 1000
        )
    )
    return st.one_of(integers, floats, close)


def _brute_knn(P, k):
    return knn_brute(np.ascontiguousarray(P.T), k)


@settings(max_examples=60, deadline=None)
@given(P=_point_sets(), k=st.integers(1, 4), leaf=st.integers(1, 9))
@pytest.mark.parametrize("leaves", ["float32", "float64"])
def test_kdtree_equals_brute_force(P, k, leaf, leaves):
    k = min(k, len(P) - 1)
    P = np.ascontiguousarray(P)
    tree = build_kdtree(P, leaf)
    order, tp, *rest = tree
    if leaves == "float32":
        tp_t, delta = np.ascontiguousarray(tp.T, dtype=np.float32), float32_error_bound(P)
    else:  # the path for coordinates beyond float32's range
        tp_t, delta = np.ascontiguousarray(tp.T), 0.0
    dist, idx = knn_kdtree(P, order, tp, tp_t, *rest, k, delta, 2)
    ref_dist, ref_idx = _brute_knn(P, k)
    np.testing.assert_array_equal(dist, ref_dist)
    np.testing.assert_array_equal(idx, ref_idx)  # ties broken by index, as the scan does
    # radii that sit exactly on existing distances, and just below them
    radii = np.concatenate([dist[:, -1], _neighbors.strictly_below(dist[:, -1])])[: len(P)]
    radii[::7] = -1.0
    expected = np.where(radii < 0, 0, _reference_counts(P, radii))
    counts = count_within_kdtree(order, tp, tp_t, *rest, radii, delta, 2)
    np.testing.assert_array_equal(counts, expected)
    assert knn_kdtree_cost(*tree, k, 2, 3) > 0


@pytest.mark.parametrize("k", [3, 20])
def test_kdtree_float32_ties_beyond_the_slack_stay_exact(k):
    # Integer values jittered below float32's resolution (KSG's default tie
    # breaking on integer data): float32 sees hundreds of points tied at the
    # k-th distance, more than the candidate list holds, so those queries are
    # searched again in float64 through the tree (not by a scan of all n).
    rng = np.random.default_rng(2)
    n = 3000
    P = rng.integers(0, 8, (n, 4)) + 1e-10 * rng.standard_normal((n, 4))
    index = NeighborIndex(P, "knn", kind="tree")
    tree = index.structure
    assert tree.leaves_t.dtype == np.float32
    ref_dist, ref_idx = _brute_knn(P, k)
    for n_tasks in (1, 2, 5):
        order, tp, *rest = tree.tree
        dist, idx = knn_kdtree(P, order, tp, tree.leaves_t, *rest, k, tree.delta, n_tasks)
        np.testing.assert_array_equal(dist, ref_dist)
        np.testing.assert_array_equal(idx, ref_idx)


def test_neighbor_index_tree_beyond_float32_range_stays_exact():
    # coordinates beyond float32's range: the tree falls back to float64 leaves
    rng = np.random.default_rng(0)
    P = rng.standard_normal((300, 5)) * 1e300
    index = _neighbors.NeighborIndex(P, "knn", kind="tree")
    assert index.structure.leaves_t.dtype == np.float64
    ref_dist, ref_idx = _brute_knn(P, 3)
    dist, idx = index.knn(3)
    np.testing.assert_array_equal(dist, ref_dist)
    np.testing.assert_array_equal(idx, ref_idx)


@settings(max_examples=60, deadline=None)
@given(
    P=_point_sets(),
    k=st.integers(1, 4),
    rule=st.sampled_from([RADIUS_KTH_STRICT, RADIUS_EXTENT]),
    split=st.integers(0, 6),
    where=st.tuples(st.booleans(), st.booleans()),
)
def test_blocked_float32_sweep_equals_float64_reference(P, k, rule, split, where):
    k = min(k, len(P) - 1)
    split = min(split, P.shape[1])
    x, y = np.ascontiguousarray(P[:, :split]), np.ascontiguousarray(P[:, split:])
    if x.shape[1] == 0:
        x, y = y, x
    count_x, count_y = where
    count_y = count_y and y.shape[1] > 0
    dist, idx, r_x, r_y, n_x, n_y = knn_counts_blocked(
        np.ascontiguousarray(x.T, dtype=np.float32),
        np.ascontiguousarray(y.T, dtype=np.float32),
        x,
        y,
        k,
        rule,
        count_x,
        count_y,
        float32_error_bound(x, y),
        2,
    )
    ref_dist, ref_idx = _brute_knn(np.hstack([x, y]), k)
    np.testing.assert_array_equal(dist, ref_dist)
    np.testing.assert_array_equal(idx, ref_idx)
    if rule == RADIUS_EXTENT:
        np.testing.assert_array_equal(r_x, neighbor_extent(x, ref_idx))
    else:
        np.testing.assert_array_equal(r_x, _neighbors.strictly_below(ref_dist[:, -1]))
    if count_x:
        np.testing.assert_array_equal(n_x, _reference_counts(x, r_x))
    if count_y:
        np.testing.assert_array_equal(n_y, _reference_counts(y, r_y))


@pytest.mark.parametrize("d", [*range(1, 14), 64, 65, 66, 67])
def test_float32_distance_rows_equal_numpy_bit_for_bit(d):
    # the folded kernels (fastmath "nnan", four coordinates a pass, a short
    # first group that repeats a coordinate) must give exactly numpy's max-norm
    rng = np.random.default_rng(d)
    P = (rng.standard_normal((77, d)) * 10.0 ** rng.integers(-3, 4, d)).astype(np.float32)
    P[5] = P[6]  # a duplicate row: distance exactly 0
    P_t = np.ascontiguousarray(P.T)
    ref = np.abs(P[:, None, :] - P[None, :, :]).max(axis=2)
    tile = np.full((11, 80), np.nan, dtype=np.float32)
    _tile(P_t, 3, 11, 2, 73, tile, 4)  # 11 queries: two groups of four and three alone
    np.testing.assert_array_equal(tile[:, 4:77], ref[3:14, 2:75])
    assert np.isnan(tile[:, :4]).all() and np.isnan(tile[:, 77:]).all()
    out = np.empty(70, dtype=np.float32)
    row_distances(P_t, 9, 7, out)
    np.testing.assert_array_equal(out, ref[9, 7:77])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bounds_rounded_to_the_row_dtype_keep_every_comparison(dtype):
    # the counts compare float32 rows with float32 bounds: v < low and v <= high
    # must come out as with the float64 bounds, for every float32 v
    rng = np.random.default_rng(7)
    f32 = np.float32
    exact = [0.0, 1.0, 0.1, 1e-45, 3.0e38, 3.5e38, 1e39, -1e39, np.inf, -np.inf]
    bounds = np.concatenate([exact, rng.standard_normal(200) * 10.0 ** rng.integers(-30, 30, 200)])
    for low in bounds:
        with np.errstate(over="ignore"):
            near = np.float32(low) if np.isfinite(np.float32(low)) else f32(3.0e38)
        v = np.array(
            [np.nextafter(near, f32(-np.inf)), near, np.nextafter(near, f32(np.inf)), 0, 1],
            dtype=dtype,
        )
        v = v[np.isfinite(v)]
        lo, hi = _bounds_in(v, low, low)
        np.testing.assert_array_equal(v < lo, v.astype(np.float64) < low)
        np.testing.assert_array_equal(v <= hi, v.astype(np.float64) <= low)
        assert _n_below(v, lo) == np.sum(v.astype(np.float64) < low)


def test_settled_count_rechecks_only_the_float32_band():
    # a float32 row off by at most delta from the float64 distances; the count
    # <= r must be the float64 one, including points a float32 rounding puts
    # on the wrong side of r
    rng = np.random.default_rng(3)
    points = rng.standard_normal((300, 3)) * 1e3
    dist64 = np.abs(points - points[7]).max(axis=1)
    row = dist64.astype(np.float32)
    delta = float32_error_bound(points)
    for r in [dist64[11], np.nextafter(dist64[11], -np.inf), np.median(dist64), 0.0]:
        lo, hi = _bounds_in(row, r - delta, r + delta)
        assert count_settled(points, 7, row, 0, r, lo, hi) == np.sum(dist64 <= r)


def test_blocked_sweep_counts_nothing_in_an_empty_y_block():
    # asked to count y when y has no column: no row to read, zero counts
    x = _points(40, 6, seed=2, ties=False)
    y = np.empty((40, 0))
    dist, idx, _, _, n_x, n_y = knn_counts_blocked(
        np.ascontiguousarray(x.T, dtype=np.float32),
        np.empty((0, 40), dtype=np.float32),
        x,
        y,
        2,
        RADIUS_KTH_STRICT,
        True,
        True,
        float32_error_bound(x),
        2,
    )
    ref_dist, ref_idx = _brute_knn(x, 2)
    np.testing.assert_array_equal(dist, ref_dist)
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_array_equal(n_y, 0)
    np.testing.assert_array_equal(
        n_x, _reference_counts(x, _neighbors.strictly_below(ref_dist[:, -1]))
    )


def test_float32_bound_refuses_values_beyond_float32():
    assert float32_error_bound(np.array([[1e300, 0.0]])) == np.inf
    assert 0 < float32_error_bound(np.array([[3.0, -4.0]])) < 1e-5


def test_blocked_sweep_uses_several_tiles_and_threads():
    # more points than one tile of _POINTS and queries than one block
    P = _points(2500, 3, seed=4, ties=True)
    x, y = np.ascontiguousarray(P[:, :2]), np.ascontiguousarray(P[:, 2:])
    dist, idx, r_x, _, n_x, n_y = knn_counts_blocked(
        np.ascontiguousarray(x.T, dtype=np.float32),
        np.ascontiguousarray(y.T, dtype=np.float32),
        x,
        y,
        3,
        RADIUS_KTH_STRICT,
        True,
        True,
        float32_error_bound(x, y),
        numba.get_num_threads(),
    )
    ref = knn_with_marginal_counts(np.ascontiguousarray(x.T), np.ascontiguousarray(y.T), 3, 0)
    for a, b in zip((dist, idx, n_x, n_y), ref, strict=True):
        np.testing.assert_array_equal(a, b)


def _reference_ksg1_pair(a, b, k):
    """KSG 1 of two 1-D columns from full pairwise distance matrices."""
    n = len(a)
    dx = np.abs(a[:, None] - a[None, :])
    dy = np.abs(b[:, None] - b[None, :])
    joint = np.maximum(dx, dy)
    np.fill_diagonal(joint, np.inf)
    radius = np.sort(joint, axis=1)[:, k - 1]
    n_x = (dx < radius[:, None]).sum(axis=1) - 1
    n_y = (dy < radius[:, None]).sum(axis=1) - 1
    return digamma(k) + digamma(n) - np.mean(digamma(n_x + 1) + digamma(n_y + 1))


def test_ksg1_pairs_1d_matches_its_reference():
    rng = np.random.default_rng(0)
    n, k = 400, 3
    columns = rng.standard_normal((3, n))
    columns[1] += columns[0]
    columns[2] = np.round(columns[2] * 2) + 1e-9 * rng.standard_normal(n)  # near-ties
    orders = np.argsort(columns, axis=1)
    sorted_columns = np.take_along_axis(columns, orders, axis=1)
    psi = digamma(np.arange(n + 1, dtype=np.float64))
    pairs = np.array([[0, 1], [1, 2], [2, 0]])
    got = ksg1_pairs_1d(columns, sorted_columns, orders, pairs, k, psi, 8)
    want = [_reference_ksg1_pair(columns[a], columns[b], k) for a, b in pairs]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    # one pair, its queries split over threads (1, 2, 3 and more tasks than fit)
    for n_tasks in (1, 2, 3, 7):
        for (a, b), value in zip(pairs, want, strict=True):
            one = ksg1_pair_1d_threaded(columns, sorted_columns, orders, a, b, k, psi, 8, n_tasks)
            np.testing.assert_allclose(one, value, rtol=0, atol=1e-12)


def _pair_grid_of(a, b, n_cells):
    columns = np.vstack([a, b])
    orders = np.argsort(columns, axis=1)
    sorted_columns = np.take_along_axis(columns, orders, axis=1)
    return _pair_grid(columns, sorted_columns, orders, 0, 1, n_cells)


@pytest.mark.parametrize("n_cells", [1, 3, 8])
def test_pair_grid_is_the_grid_of_the_two_columns(n_cells):
    # the same cells, slots and edges as build_grid (binary searches over the
    # edges) on the pair's points, edges at the quantile positions; ties too
    rng = np.random.default_rng(6)
    n = 300
    a = np.round(rng.standard_normal(n) * 2) / 2
    b = rng.standard_t(2, n)
    inner, start, order, cell_points = _pair_grid_of(a, b, n_cells)
    positions = (np.arange(1, n_cells) * n) // n_cells
    want_inner = np.vstack([np.sort(a)[positions], np.sort(b)[positions]])
    np.testing.assert_array_equal(inner, want_inner)
    want = build_grid(np.column_stack([a, b]), want_inner)
    np.testing.assert_array_equal(start, want[0])
    np.testing.assert_array_equal(order, want[1])
    np.testing.assert_array_equal(cell_points, want[2])


def test_group_end_fills_the_lanes():
    # the widest run of columns from lo0 whose points fit the lanes, one
    # column at least, against NumPy's cumulative sums of the column sizes
    rng = np.random.default_rng(7)
    n_cells = 9
    sizes = rng.poisson(4, (n_cells, n_cells))
    sizes[3, 4] = 3 * _LANES  # one column alone overfills the lanes
    start = np.concatenate([[0], np.cumsum(sizes.ravel())])
    for lo1, hi1 in ((0, 1), (2, 3), (8, 8)):
        columns = sizes[lo1 : hi1 + 1].sum(axis=0)
        for lo0 in range(n_cells):
            fits = np.cumsum(columns[lo0:]) <= _LANES
            want = lo0 + max(int(np.sum(np.cumprod(fits))) - 1, 0)
            assert _group_end(start, lo0, lo1, hi1, n_cells) == want, (lo1, lo0)


def _blocks_around(g0, g1, n_cells):
    """Blocks of cells (lo0, hi0, lo1, hi1) holding cell (g0, g1): square,
    lopsided and clipped at the grid's border."""
    for below, above in ((1, 1), (1, 2), (0, 3), (2, 0)):
        yield (
            max(g0 - below, 0),
            min(g0 + above, n_cells - 1),
            max(g1 - above, 0),
            min(g1 + below, n_cells - 1),
        )


def _block_grid(seed):
    rng = np.random.default_rng(seed)
    n, n_cells = 300, 7
    a = np.round(rng.standard_normal(n) * 3) / 3  # ties along x
    b = rng.standard_t(2, n)
    grid = _pair_grid_of(a, b, n_cells)
    cell = np.repeat(np.arange(n_cells * n_cells), np.diff(grid[1]))
    return grid, cell % n_cells, cell // n_cells, n_cells


def _in_block(g0, g1, block):
    lo0, hi0, lo1, hi1 = block
    return (g0 >= lo0) & (g0 <= hi0) & (g1 >= lo1) & (g1 <= hi1)


def _smallest_in_block(cell_points, g0, g1, q, block, k):
    near = _in_block(g0, g1, block)
    near[q] = False
    d = np.sort(np.abs(cell_points[near] - cell_points[q]).max(axis=1))
    return np.concatenate([d, np.full(3, np.inf)])[:k]


@pytest.mark.parametrize("k", [1, 2, 3])
def test_kth_in_block_matches_a_scan_of_the_block(k):
    # the k-th distance from each query to the other points of a block of
    # cells holding its home cell, against NumPy over the same points
    grid, g0, g1, n_cells = _block_grid(3)
    inner, start, _, cell_points = grid
    for q in range(len(g0)):
        for block in _blocks_around(g0[q], g1[q], n_cells):
            want = _smallest_in_block(cell_points, g0, g1, q, block, k)[-1]
            got = _kth_in_block(q, k, start, cell_points, block, n_cells)
            assert got == want, (q, block)
            # no point outside the block is nearer than the gap
            gap = _gap_outside_cells(inner, cell_points[q], block)
            outside = ~_in_block(g0, g1, block)
            if outside.any():
                assert np.abs(cell_points[outside] - cell_points[q]).max(axis=1).min() >= gap


def test_kth_in_lanes_matches_a_scan_of_the_block():
    # the three smallest distances of up to _LANES queries at once, the
    # lanes past the last query repeating it
    grid, g0, g1, n_cells = _block_grid(4)
    _, start, _, cell_points = grid
    lanes = np.empty(6 * _LANES)
    for used in (1, 5, _LANES):
        for first in range(0, len(g0) - used, 37):
            slots = np.arange(first, first + used)
            block = (max(g0[first] - 1, 0), n_cells - 1, max(g1[first] - 2, 0), g1[first])
            _load_lanes(lanes, cell_points, slots, 0, used)
            _kth_in_lanes(lanes, start, cell_points, block, n_cells)
            got = lanes[3 * _LANES :].reshape(3, _LANES).T
            for lane in range(_LANES):
                q = slots[min(lane, used - 1)]
                want = _smallest_in_block(cell_points, g0, g1, q, block, 3)
                np.testing.assert_array_equal(got[lane], want, err_msg=f"{q} {block}")


def test_cells_within_hold_every_point_within_the_bound():
    # the grown block holds every point within the bound, and every point
    # outside it is farther than the bound
    grid, g0, g1, n_cells = _block_grid(5)
    inner, _, _, cell_points = grid
    for q in range(0, len(g0), 7):
        for bound in (0.0, 0.05, 0.3, 2.0, np.inf):
            block = (g0[q], g0[q], g1[q], g1[q])
            lo0, hi0, lo1, hi1 = _cells_within(inner, cell_points[q], bound, block)
            d = np.abs(cell_points - cell_points[q]).max(axis=1)
            assert _in_block(g0, g1, (lo0, hi0, lo1, hi1))[d <= bound].all(), (q, bound)
            gap = _gap_outside_cells(inner, cell_points[q], (lo0, hi0, lo1, hi1))
            assert gap > bound or gap == np.inf


@pytest.mark.parametrize("k", [1, 2, 3, 4])
@pytest.mark.parametrize("n_cells", [1, 3, 8, 20])
def test_pair_radii_are_the_strict_kth_distances(k, n_cells):
    # block searches (k <= 3), their fallback to the ring search, and the ring
    # search alone (k = 4), on a grid of every density
    rng = np.random.default_rng(k)
    n = 400
    a = np.round(rng.standard_normal(n) * 4) / 4 + 1e-9 * rng.standard_normal(n)
    b = a + rng.standard_cauchy(n)
    grid = _pair_grid_of(a, b, n_cells)
    radius = np.empty(n)
    _pair_radii(grid, k, 0, n, radius, n_cells)
    joint = np.maximum(np.abs(a[:, None] - a), np.abs(b[:, None] - b))
    np.fill_diagonal(joint, np.inf)
    want = np.nextafter(np.sort(joint, axis=1)[:, k - 1], -np.inf)
    np.testing.assert_array_equal(radius, want)


def test_ksg1_pair_split_over_threads_is_bitwise_the_per_pair_value():
    # mutual_info_regression on one feature takes the split kernel only when
    # there are more threads than pairs: its value must not depend on the
    # thread count, not even in the last bit.
    rng = np.random.default_rng(5)
    n, k = 1000, 3
    columns = rng.standard_normal((2, n))
    columns[1] += columns[0]
    orders = np.argsort(columns, axis=1)
    sorted_columns = np.take_along_axis(columns, orders, axis=1)
    psi = digamma(np.arange(n + 1, dtype=np.float64))
    want = ksg1_pairs_1d(columns, sorted_columns, orders, np.array([[0, 1]]), k, psi, 8)[0]
    for n_tasks in (1, 2, 3, 7):
        one = ksg1_pair_1d_threaded(columns, sorted_columns, orders, 0, 1, k, psi, 8, n_tasks)
        assert one == want, (n_tasks, one - want)


def test_values_beyond_float32_take_the_float64_paths():
    # Coordinates near 1e300 overflow float32: the sweep and the k-NN fall back
    # to the float64 kernels and stay exact.
    P = _points(300, 12, seed=8, ties=True) * 1e300
    x, y = P[:, :6], P[:, 6:]
    dist, n_x, n_y = knn_and_marginal_counts(x, y, 3, "kth_strict")
    np.testing.assert_array_equal(dist, _reference_knn_dist(P, 3))
    r = _neighbors.strictly_below(dist[:, -1])
    np.testing.assert_array_equal(n_x, _reference_counts(x, r))
    np.testing.assert_array_equal(n_y, _reference_counts(y, r))
    np.testing.assert_array_equal(
        NeighborIndex(P, "knn", kind="brute").knn(3)[0], _reference_knn_dist(P, 3)
    )
