"""Theiler windows in the k-NN counts, against an O(n^2) NumPy reference.

The reference is the definition, written out: for sample i, every j with
``|i - j| <= w`` is left out of the joint k-NN search (max-norm) and of the
marginal counts; KSG's ``psi(n)`` becomes ``psi(n - b_i)``, b_i the rows so
hidden from i. Every structure (sorted arrays, grid, k-d tree, brute force)
must give it exactly: the counts equal, the terms to 1e-12.
"""

import numpy as np
import pytest
from scipy.signal import lfilter
from scipy.special import digamma

from skmi import KSGMutualInfo, _neighbors
from skmi._neighbors import NeighborIndex, knn_and_marginal_counts
from skmi._numba import knn_brute
from skmi._numba.band import count_in_band, first_outside_band

# -- the reference ---------------------------------------------------------------------


def maxnorm_distances(A):
    d = np.zeros((len(A), len(A)))
    for column in A.T:
        np.maximum(d, np.abs(column[:, None] - column[None, :]), out=d)
    return d


def band_mask(n, w):
    t = np.arange(n)
    return np.abs(t[:, None] - t[None, :]) <= w


def reference_knn(A, k, w):
    """The k nearest points outside the band, by (distance, index)."""
    d = np.where(band_mask(len(A), w), np.inf, maxnorm_distances(A))
    order = np.argsort(d, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(d, order, axis=1), order


def reference_counts(A, radii, w, strict):
    d = maxnorm_distances(A)
    inside = d < radii[:, None] if strict else d <= radii[:, None]
    return (inside & ~band_mask(len(A), w)).sum(axis=1)


def visible(n, w):
    """n - b_i: the samples i sees, itself included."""
    t = np.arange(n)
    return n - np.minimum(t, w) - np.minimum(n - 1 - t, w)


def reference_ksg_terms(x, y, k, w, variant):
    dist, idx = reference_knn(np.hstack([x, y]), k, w)
    n = len(x)
    if variant == 1:
        r = dist[:, -1]
        n_x = reference_counts(x, r, w, strict=True)
        n_y = reference_counts(y, r, w, strict=True)
        return digamma(k) + digamma(visible(n, w)) - digamma(n_x + 1) - digamma(n_y + 1)
    rows = np.arange(n)[:, None]
    r_x = maxnorm_distances(x)[rows, idx].max(axis=1)
    r_y = maxnorm_distances(y)[rows, idx].max(axis=1)
    n_x = reference_counts(x, r_x, w, strict=False)
    n_y = reference_counts(y, r_y, w, strict=False)
    return digamma(k) - 1.0 / k + digamma(visible(n, w)) - digamma(n_x) - digamma(n_y)


def reference_conditional_terms(x, y, z, k, w):
    dist, _ = reference_knn(np.hstack([x, y, z]), k, w)
    r = dist[:, -1]
    n_xz = reference_counts(np.hstack([x, z]), r, w, strict=True)
    n_yz = reference_counts(np.hstack([y, z]), r, w, strict=True)
    n_z = reference_counts(z, r, w, strict=True)
    return digamma(k) - digamma(n_xz + 1) - digamma(n_yz + 1) + digamma(n_z + 1)


def autocorrelated(n, d, seed, phi=0.9):
    """d AR(1) columns: the regime a window is for (near rows are near points)."""
    rng = np.random.default_rng(seed)
    return lfilter([1.0], [1.0, -phi], rng.standard_normal((n + 200, d)), axis=0)[200:]


def raw_ksg(**params):
    # standardize=False divides by one power of two (exact) and jitter=0 adds
    # nothing, so the estimator sees the reference's points
    return KSGMutualInfo(standardize=False, jitter=0.0, **params)


# -- the kernels -------------------------------------------------------------------------


@pytest.mark.parametrize("w", [1, 4, 30])
def test_kernels_against_the_reference(w):
    P = autocorrelated(300, 3, seed=0)
    k = 3
    dist, idx = reference_knn(P, k, w)
    got = knn_brute(np.ascontiguousarray(P.T), k, w)
    np.testing.assert_array_equal(got[0], dist)
    np.testing.assert_array_equal(got[1], idx)
    wide_d, wide_i = knn_brute(np.ascontiguousarray(P.T), k + 2 * w)
    kept = first_outside_band(wide_d, wide_i, k, w)
    np.testing.assert_array_equal(kept[0], dist)
    np.testing.assert_array_equal(kept[1], idx)
    radii = dist[:, -1]
    in_band = reference_counts(P, radii, 0, strict=False) - reference_counts(
        P, radii, w, strict=False
    )
    np.testing.assert_array_equal(count_in_band(P, radii, w), in_band)
    # a negative radius counts nothing, as in the structures
    assert count_in_band(P, np.full(len(P), -1.0), w).sum() == 0


@pytest.mark.parametrize("kind", ["sorted", "grid", "tree", "brute"])
@pytest.mark.parametrize("w", [1, 7])
def test_every_structure_honours_the_window(kind, w, monkeypatch):
    d = 1 if kind == "sorted" else 3
    P = autocorrelated(2500, d, seed=1)
    k = 4
    dist, _ = reference_knn(P, k, w)
    radii = dist[:, -1] * 0.9
    for ratio in (0.0, 1e12):  # k + 2 w neighbours from the structure; the scan
        monkeypatch.setattr(_neighbors, "_BAND_BRUTE_RATIO", ratio)
        got, _ = NeighborIndex(P, "knn", kind=kind).knn(k, theiler_window=w)
        np.testing.assert_array_equal(got, dist)
    counts = NeighborIndex(P, "count", kind=kind).count_within(radii, theiler_window=w)
    np.testing.assert_array_equal(counts, reference_counts(P, radii, w, strict=False))


@pytest.mark.parametrize(
    "n, dims, rule",
    [
        (60, (1, 1), "kth_strict"),
        (60, (6, 5), "extent"),
        (2500, (1, 1), "extent"),  # sorted marginals, grid joint
        (2500, (2, 1), "kth_strict"),  # grid
        (2500, (3, 3), "kth_strict"),  # probe: tree or scan
        (2500, (6, 5), "extent"),  # high-dimensional scan
    ],
)
def test_dispatcher_counts_are_the_reference(n, dims, rule):
    P = autocorrelated(n, sum(dims), seed=n + sum(dims))
    x, y = P[:, : dims[0]], P[:, dims[0] :]
    k, w = 3, 5
    dist, n_x, n_y = knn_and_marginal_counts(x, y, k, rule, theiler_window=w)
    ref_dist, idx = reference_knn(P, k, w)
    np.testing.assert_array_equal(dist, ref_dist)
    if rule == "kth_strict":
        r_x = r_y = dist[:, -1]
    else:
        rows = np.arange(n)[:, None]
        r_x = maxnorm_distances(x)[rows, idx].max(axis=1)
        r_y = maxnorm_distances(y)[rows, idx].max(axis=1)
    strict = rule == "kth_strict"
    np.testing.assert_array_equal(n_x, reference_counts(x, r_x, w, strict))
    np.testing.assert_array_equal(n_y, reference_counts(y, r_y, w, strict))


# -- the estimator --------------------------------------------------------------------------


KSG_CASES = [
    (n, dims, k, w, variant)
    for n in (50, 400)
    for dims in ((1, 1), (2, 2), (4, 3))
    for k in (1, 4)
    for w in (1, 10)
    for variant in (1, 2)
] + [(2200, dims, 4, w, variant) for dims, w in (((1, 1), 10), ((4, 3), 3)) for variant in (1, 2)]


@pytest.mark.parametrize("n, dims, k, w, variant", KSG_CASES)
def test_ksg_terms_equal_the_reference(n, dims, k, w, variant):
    P = autocorrelated(n, sum(dims), seed=7 * n + k + w)
    x, y = P[:, : dims[0]], P[:, dims[0] :]
    est = raw_ksg(n_neighbors=k, variant=variant, theiler_window=w).fit(x, y)
    expected = reference_ksg_terms(x, y, k, w, variant)
    np.testing.assert_allclose(est.pointwise_mi(x, y), expected, rtol=0, atol=1e-12)
    assert est.mi_ == pytest.approx(expected.mean(), abs=1e-12)


CONDITIONAL_CASES = [
    (n, dims, k, w)
    for n in (50, 400)
    for dims in ((1, 1, 1), (1, 1, 2), (2, 1, 3))
    for k in (2, 4)
    for w in (1, 10)
] + [(2200, (1, 1, 1), 3, 10), (2200, (2, 1, 3), 4, 2)]


@pytest.mark.parametrize("n, dims, k, w", CONDITIONAL_CASES)
def test_conditional_terms_equal_the_reference(n, dims, k, w):
    P = autocorrelated(n, sum(dims), seed=3 * n + k + w)
    x, y, z = np.split(P, np.cumsum(dims)[:-1], axis=1)
    est = raw_ksg(n_neighbors=k, theiler_window=w).fit(x, y, z=z)
    expected = reference_conditional_terms(x, y, z, k, w)
    np.testing.assert_allclose(est.pointwise_mi(x, y, z), expected, rtol=0, atol=1e-12)


def test_window_zero_is_the_plain_estimator():
    P = autocorrelated(500, 3, seed=2)
    for variant in (1, 2):
        plain = KSGMutualInfo(variant=variant, random_state=0).fit(P[:, :2], P[:, 2])
        zero = KSGMutualInfo(variant=variant, theiler_window=0, random_state=0)
        assert zero.fit(P[:, :2], P[:, 2]).mi_ == plain.mi_
    plain = KSGMutualInfo(random_state=0).fit(P[:, :1], P[:, 1], z=P[:, 2])
    zero = KSGMutualInfo(theiler_window=0, random_state=0).fit(P[:, :1], P[:, 1], z=P[:, 2])
    assert zero.mi_ == plain.mi_


# -- right values from theory ------------------------------------------------------------------


def test_independent_iid_pairs_stay_unbiased_under_any_window():
    # True MI 0. A window hides b_i = 2 w rows from each sample; with KSG's
    # psi(n) unchanged (JIDT's form) the estimate would rise by
    # mean(psi(n) - psi(n - b_i)), 0.21 nats here. psi(n - b_i) removes it:
    # 10 pairs at n = 2000, w = 200 averaged +0.001 (sd of the mean 0.005).
    n, w = 2000, 200
    rng = np.random.default_rng(1)
    estimates = [
        KSGMutualInfo(theiler_window=w, random_state=0)
        .fit(rng.standard_normal((n, 1)), rng.standard_normal(n))
        .mi_
        for _ in range(10)
    ]
    jidt_offset = np.mean(digamma(n) - digamma(visible(n, w)))
    assert jidt_offset > 0.2
    assert abs(np.mean(estimates)) < 0.02


def test_window_removes_the_bias_of_autocorrelated_independent_pairs():
    # Two independent AR(1) series (phi = 0.95), each embedded in 2-D
    # (x_t, x_{t-1}): the MI is 0. Without a window the nearest joint
    # neighbours are the neighbours in time, close in both embeddings at
    # once, and KSG reads them as dependence. 8 pairs at n = 4000: w = 0
    # +0.035 (sd 0.011), w = 50 (about 2.5 autocorrelation times of the
    # embedding's decay to 0.08) -0.010 (sd 0.012). The remaining
    # offset shrinks with n (n = 64,000: +0.004 without, +0.0001 with).
    plain, windowed = [], []
    for seed in range(8):
        rng = np.random.default_rng(seed)
        x, y = lfilter([1.0], [1.0, -0.95], rng.standard_normal((2, 6000)), axis=1)[:, 2000:]
        X, Y = np.column_stack([x[1:], x[:-1]]), np.column_stack([y[1:], y[:-1]])
        plain.append(KSGMutualInfo(random_state=0).fit(X, Y).mi_)
        windowed.append(KSGMutualInfo(theiler_window=50, random_state=0).fit(X, Y).mi_)
    assert np.mean(plain) > 0.02
    assert abs(np.mean(windowed)) < 0.02
    assert abs(np.mean(windowed)) < np.mean(plain) / 2


# -- refusals --------------------------------------------------------------------------------


def test_unsupported_paths_refuse_the_window():
    P = autocorrelated(300, 2, seed=3)
    labels = (P[:, 1] > 0).astype(int)
    with pytest.raises(ValueError, match=r"theiler_window=2 is not supported with a class"):
        KSGMutualInfo(theiler_window=2).fit(P[:, :1], labels)
    with pytest.raises(ValueError, match=r'theiler_window=2 is not supported with ties="mixed"'):
        KSGMutualInfo(theiler_window=2, ties="mixed").fit(P[:, :1], P[:, 1])
    with pytest.raises(ValueError, match=r"theiler_window.*torch backend"):
        knn_and_marginal_counts(
            P[:, :1], P[:, 1:], 3, "kth_strict", backend="torch", theiler_window=1
        )


def test_too_few_samples_for_the_window():
    P = autocorrelated(12, 2, seed=4)
    with pytest.raises(ValueError, match=r"at least 14 samples.*2 \* theiler_window = 14"):
        KSGMutualInfo(n_neighbors=3, theiler_window=5).fit(P[:, :1], P[:, 1])
    with pytest.raises(ValueError, match=r"n_neighbors \+ 2 \* theiler_window = 13 points; got 12"):
        NeighborIndex(P, "knn").knn(3, theiler_window=5)
    with pytest.raises(ValueError, match=r"theiler_window"):
        KSGMutualInfo(theiler_window=-1).fit(P[:, :1], P[:, 1])
