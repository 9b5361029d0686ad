"""The samplers' truths, checked independently of the code that states them.

Each truth is compared with a Monte Carlo average of the pointwise log
density ratio computed from scipy.stats densities on a large sample; the
tolerance is 4 standard errors of that average.
"""

import numpy as np
import pytest
from scipy import stats

from skmi.datasets import (
    gaussian_mi,
    make_class_mixture,
    make_discrete_continuous,
    make_gaussian,
    make_student_t,
    make_transformed_gaussian,
)

N = 200_000


def _within_4_standard_errors(terms, truth):
    se = terms.std() / np.sqrt(len(terms))
    assert abs(terms.mean() - truth) < 4 * se + 1e-12


@pytest.mark.parametrize("structure", ["paired", "dense", "sparse"])
def test_gaussian_truth_matches_the_sample_covariance(structure):
    X, y, truth = make_gaussian(N, 4, 3, correlation=0.7, structure=structure, random_state=0)
    y = y.reshape(N, -1)
    cov = np.cov(np.hstack([X, y]), rowvar=False)
    # sd of the plug-in at this n is ~0.003; 0.015 is 5 sd
    assert gaussian_mi(cov, 4) == pytest.approx(truth, abs=0.015)
    np.testing.assert_allclose(np.diag(cov), 1.0, atol=0.02)


def test_gaussian_with_requested_mi():
    for structure in ["paired", "dense", "sparse"]:
        _, _, truth = make_gaussian(10, 6, 4, mi=1.7, structure=structure, random_state=1)
        assert truth == pytest.approx(1.7, abs=1e-9)


def test_gaussian_pointwise_monte_carlo():
    X, y, truth = make_gaussian(N, correlation=0.8, random_state=0)
    joint = stats.multivariate_normal([0, 0], [[1, 0.8], [0.8, 1]])
    terms = (
        joint.logpdf(np.column_stack([X[:, 0], y]))
        - stats.norm.logpdf(X[:, 0])
        - (stats.norm.logpdf(y))
    )
    _within_4_standard_errors(terms, truth)


def test_transformed_gaussian_keeps_truth():
    _, _, a = make_gaussian(10, 2, 2, correlation=0.5, random_state=0)
    X, y, b = make_transformed_gaussian(10, 2, 2, transform="cube", correlation=0.5, random_state=0)
    assert a == b
    with pytest.raises(ValueError, match="transform"):
        make_transformed_gaussian(10, transform="square")


@pytest.mark.parametrize(("df", "correlation"), [(1.0, 0.0), (3.0, 0.6), (10.0, 0.3)])
def test_student_t_truth_monte_carlo(df, correlation):
    d_x = d_y = 2
    X, y, truth = make_student_t(N, d_x, d_y, df=df, correlation=correlation, random_state=0)
    shape = np.eye(4)
    shape[0, 2] = shape[2, 0] = shape[1, 3] = shape[3, 1] = correlation
    joint = stats.multivariate_t(np.zeros(4), shape, df=df)
    marginal = stats.multivariate_t(np.zeros(2), np.eye(2), df=df)
    terms = joint.logpdf(np.hstack([X, y])) - marginal.logpdf(X) - marginal.logpdf(y)
    _within_4_standard_errors(terms, truth)


def test_class_mixture_truth_monte_carlo():
    weights = np.array([0.5, 0.3, 0.2])
    X, y, truth = make_class_mixture(N, 3, 2, separation=1.3, weights=weights, random_state=0)
    means = 1.3 * np.arange(3)
    log_cond = stats.norm.logpdf(X[:, 0][:, None] - means)
    log_mix = np.log(np.exp(log_cond) @ weights)
    terms = log_cond[np.arange(N), y] - log_mix
    _within_4_standard_errors(terms, truth)
    assert np.bincount(y) / N == pytest.approx(weights, abs=0.005)


@pytest.mark.parametrize("atom_probability", [0.0, 0.3])
def test_discrete_continuous_truth_monte_carlo(atom_probability):
    m = 5
    X, y, truth = make_discrete_continuous(N, m, atom_probability=atom_probability, random_state=0)
    x = X[:, 0]
    atom = y == x
    # continuous part: p(x | y) = 1 / (number of values j with j <= y < j + 2)
    covering = np.minimum(np.floor(y), m - 1) - np.maximum(np.floor(y) - 1, 0) + 1
    terms = np.where(atom, np.log(m), np.log(m / covering))
    _within_4_standard_errors(terms, truth)
    assert atom.mean() == pytest.approx(atom_probability, abs=0.005)


def test_samplers_repeat_with_a_seed():
    for make in [make_gaussian, make_student_t, make_class_mixture, make_discrete_continuous]:
        a, b = make(50, random_state=3), make(50, random_state=3)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: make_gaussian(10, correlation=1.0), "correlation"),
        (lambda: make_gaussian(10, structure="banded"), "structure"),
        (lambda: make_gaussian(10, 0, 1), "n_features_x"),
        (lambda: make_student_t(10, df=0), "df"),
        (lambda: make_class_mixture(10, n_classes=1), "n_classes"),
        (lambda: make_class_mixture(10, 2, weights=[0.5, 0.6]), "weights"),
        (lambda: make_discrete_continuous(10, atom_probability=2), "atom_probability"),
    ],
)
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()
