"""Numba kernels against slow, obviously-correct NumPy references."""

import numpy as np
import pytest

from skmi import _neighbors
from skmi._neighbors import NeighborIndex, knn_and_marginal_counts
from skmi._numba import (
    RADIUS_EXTENT,
    RADIUS_KTH_STRICT,
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


@pytest.mark.parametrize("ties", [False, True])
def test_sorted_knn_matches_reference(ties):
    P = _points(400, 1, seed=5, ties=ties)
    order = np.argsort(P[:, 0])
    dist, idx = knn_sorted(P[order, 0], order, 5)
    np.testing.assert_array_equal(dist, _reference_knn_dist(P, 5))
    D = _pairwise_maxnorm(P)
    np.testing.assert_array_equal(D[np.arange(len(P))[:, None], idx], dist)


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
        (5000, 7, "knn", "tree"),
        (5000, 12, "knn", "brute"),
        (5000, 1, "count", "sorted"),
        (5000, 1, "knn", "sorted"),
        (50_000, 6, "count", "tree"),
        (5000, 6, "count", "brute"),
    ],
)
def test_dispatcher_choices_are_exact(n, d, purpose, kind, monkeypatch):
    # Every structure the dispatcher can pick gives the reference answer.
    assert _neighbors.choose_structure(n, d, purpose) == kind
    monkeypatch.setattr(_neighbors, "choose_structure", lambda *_: kind)
    P = _points(300, d, seed=n % 97 + d, ties=True)
    index = NeighborIndex(P, purpose)
    if purpose == "knn":
        np.testing.assert_array_equal(index.knn(3)[0], _reference_knn_dist(P, 3))
    else:
        radii = np.random.default_rng(0).uniform(0, 1.5, len(P))
        np.testing.assert_array_equal(index.count_within(radii), _reference_counts(P, radii))


@pytest.mark.parametrize("rule", ["kth_strict", "extent"])
@pytest.mark.parametrize("structure", ["tree", "grid", "brute"])
def test_knn_and_marginal_counts_paths_agree(rule, structure, monkeypatch):
    P = _points(500, 4, seed=1)
    x, y = P[:, :2], P[:, 2:]
    monkeypatch.setattr(_neighbors, "_prefer_fused", lambda *_: True)
    fused = knn_and_marginal_counts(x, y, 3, rule)
    monkeypatch.setattr(_neighbors, "_prefer_fused", lambda *_: False)
    monkeypatch.setattr(_neighbors, "choose_structure", lambda n, d, purpose: structure)
    separate = knn_and_marginal_counts(x, y, 3, rule)
    for a, b in zip(fused, separate, strict=True):
        np.testing.assert_array_equal(a, b)
