"""GaussianMutualInfo against the closed form and the truth of skmi.datasets."""

import numpy as np
import pytest

from skmi import GaussianMutualInfo
from skmi.datasets import gaussian_mi, make_gaussian, make_transformed_gaussian
from skmi.exceptions import SkmiWarning


@pytest.mark.parametrize(
    ("dims", "structure", "mi"),
    [
        ((1, 1), "paired", 0.5),
        ((5, 5), "paired", 1.1),
        ((10, 4), "dense", 1.0),
        ((8, 8), "sparse", 0.8),
    ],
)
def test_within_two_percent_of_truth(dims, structure, mi):
    # Sampling sd of the estimate at n = 10,000 is about 0.8 % of these MIs, so
    # the mean of 5 seeds (sd 0.4 %) within 2 % is a 5-sd tolerance.
    estimates = []
    for seed in range(5):
        X, y, truth = make_gaussian(10_000, *dims, mi=mi, structure=structure, random_state=seed)
        estimates.append(GaussianMutualInfo().fit(X, y).mi_)
    assert np.mean(estimates) == pytest.approx(truth, rel=0.02)


def test_equals_determinant_form_of_the_sample_covariance():
    X, y, _ = make_gaussian(500, 3, 2, correlation=0.7, structure="dense", random_state=0)
    cov = np.cov(np.hstack([X, y]), rowvar=False)
    assert GaussianMutualInfo().fit(X, y).mi_ == pytest.approx(gaussian_mi(cov, 3), abs=1e-12)


def test_copula_is_invariant_to_monotone_maps():
    X, y, truth = make_gaussian(5000, 2, 2, correlation=0.6, random_state=0)
    est = GaussianMutualInfo(copula=True)
    raw = est.fit(X, y).mi_
    assert est.fit(np.exp(X), y**3).mi_ == raw  # same ranks, same number
    assert raw == pytest.approx(truth, rel=0.05)


def test_copula_recovers_truth_where_the_plain_form_fails():
    X, y, truth = make_transformed_gaussian(
        10_000, transform="exp", correlation=0.8, random_state=0
    )
    assert GaussianMutualInfo(copula=True).fit(X, y).mi_ == pytest.approx(truth, rel=0.03)
    assert GaussianMutualInfo().fit(X, y).mi_ < 0.8 * truth


@pytest.mark.parametrize("shrinkage", ["ledoit-wolf", "oas", 0.3])
def test_shrinkage_reduces_small_sample_bias(shrinkage):
    # n barely above d: the sample covariance inflates MI badly.
    X, y, truth = make_gaussian(60, 20, 20, mi=0.5, structure="dense", random_state=0)
    plain = GaussianMutualInfo().fit(X, y).mi_
    shrunk = GaussianMutualInfo(shrinkage=shrinkage).fit(X, y).mi_
    assert abs(shrunk - truth) < abs(plain - truth)


def test_exact_linear_relation_is_infinite_with_a_warning():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 2))
    y = X @ np.array([1.0, -2.0])
    with pytest.warns(SkmiWarning, match="infinite"):
        assert GaussianMutualInfo().fit(X, y).mi_ == np.inf
    assert np.isfinite(GaussianMutualInfo(shrinkage=0.1).fit(X, y).mi_)


def test_collinear_columns_within_a_block_are_harmless():
    X, y, _ = make_gaussian(1000, 2, 1, correlation=0.6, random_state=0)
    with_copy = np.column_stack([X, X[:, 0] * 3.0])
    assert GaussianMutualInfo().fit(with_copy, y).mi_ == pytest.approx(
        GaussianMutualInfo().fit(X, y).mi_, abs=1e-9
    )


def test_canonical_correlations_are_stored():
    X, y, _ = make_gaussian(20_000, 3, 3, correlation=0.6, random_state=0)
    est = GaussianMutualInfo().fit(X, y)
    np.testing.assert_allclose(est.canonical_correlations_, 0.6, atol=0.02)


@pytest.mark.parametrize("dims", [(1, 1, 1), (2, 3, 2)])
def test_conditional_mi_closed_form(dims):
    from skmi.datasets import make_conditional_gaussian

    for seed in range(3):  # each seed draws its own covariance, hence its own truth
        X, y, z, truth, _ = make_conditional_gaussian(20_000, *dims, random_state=seed)
        # measured sd of the estimate at this n: <= 0.005; 4 sd
        assert GaussianMutualInfo().fit(X, y, z=z).mi_ == pytest.approx(truth, abs=0.02)


def test_conditional_pointwise_terms_average_to_the_estimate():
    from skmi.datasets import make_conditional_gaussian

    X, y, z, _, _ = make_conditional_gaussian(2000, 2, 2, 2, random_state=0)
    est = GaussianMutualInfo().fit(X, y, z=z)
    assert np.mean(est.pointwise_mi(X, y, z=z)) == pytest.approx(est.mi_, abs=1e-10)
