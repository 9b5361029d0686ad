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
    make_relu_atoms,
    make_spiral,
    make_student_t,
    make_transformed_gaussian,
    relu_atom_mi,
    spiral,
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
    for make in [
        make_gaussian,
        make_student_t,
        make_class_mixture,
        make_discrete_continuous,
        make_spiral,
        make_relu_atoms,
    ]:
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
        (lambda: make_student_t(10, transform="log"), "transform"),
        (lambda: make_spiral(10, 1, 3), "n_features_x"),
        (lambda: make_relu_atoms(10, 0), "n_features"),
        (lambda: make_relu_atoms(10, noise=0.0), "noise"),
    ],
)
def test_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- issue 17 families ----------------------------------------------------------


@pytest.mark.parametrize("noise", [0.2, 0.5, 2.0])
def test_relu_atom_truth_monte_carlo(noise):
    # log p(y|x)/p(y) with the atom at 0 (P(y=0|x) = Phi(-x/s), P(y=0) = 1/2)
    # and the Gaussian densities above it, from scipy.stats on 200,000 pairs
    rng = np.random.default_rng(1)
    x = rng.standard_normal(N)
    y = np.maximum(x + noise * rng.standard_normal(N), 0.0)
    total = np.sqrt(1 + noise**2)
    terms = np.where(
        y == 0,
        np.log(2 * stats.norm.cdf(-x / noise)),
        stats.norm.logpdf(y, x, noise) - stats.norm.logpdf(y, 0, total),
    )
    _within_4_standard_errors(terms, relu_atom_mi(noise))


def test_relu_atoms_sampler():
    X, y, truth = make_relu_atoms(20_000, 5, noise=0.5, random_state=0)
    assert truth == pytest.approx(5 * relu_atom_mi(0.5))
    assert (y >= 0).all() and (y == 0).mean() == pytest.approx(0.5, abs=0.01)
    np.testing.assert_array_equal(y > 0, y != 0)


def test_spiral_is_invertible_and_keeps_the_gaussian_truth():
    rng = np.random.default_rng(0)
    V = rng.standard_normal((100, 4))
    twisted = spiral(V, 1.3)
    np.testing.assert_allclose(np.linalg.norm(twisted, axis=1), np.linalg.norm(V, axis=1))
    np.testing.assert_allclose(spiral(twisted, -1.3), V, atol=1e-12)
    assert not np.allclose(twisted, V)
    X, y, truth = make_spiral(500, 3, 5, mi=0.7, random_state=2)
    G_X, G_y, g_truth = make_gaussian(500, 3, 5, mi=0.7, structure="sparse", random_state=2)
    assert truth == pytest.approx(g_truth) and truth == pytest.approx(0.7)
    np.testing.assert_allclose(spiral(X, -1.0), G_X, atol=1e-12)
    X, y, _ = make_spiral(500, normal_cdf=True, random_state=2)
    assert ((X > 0) & (X < 1)).all() and ((y > 0) & (y < 1)).all()


@pytest.mark.parametrize(("df", "d"), [(1.0, 2), (2.0, 3), (3.0, 5)])
def test_student_t_identity_dispersion_and_asinh(df, d):
    # identity dispersion: the MI depends only on df and dimensions (checked
    # against Monte Carlo for the untransformed sampler above); asinh, a
    # monotone map per coordinate, changes the sample but not the truth
    X, y, truth = make_student_t(300, d, d, df=df, correlation=0.0, random_state=4)
    A, b, t_truth = make_student_t(
        300, d, d, df=df, correlation=0.0, transform="asinh", random_state=4
    )
    np.testing.assert_allclose(A, np.arcsinh(X))
    np.testing.assert_allclose(b, np.arcsinh(y))
    assert t_truth == truth


@pytest.mark.parametrize("d", [10, 100])
def test_binary_label_against_a_latent_truth(d):
    # issue 15/17: y ~ Bernoulli(1/2), Z ~ N(0, I_d), Z[:, 0] += 2y - 1 has
    # MI 0.3368 nats for every d; make_class_mixture with separation 2 is
    # the same distribution shifted by e_1. Monte Carlo of log p(z0|y)/p(z0).
    X, y, truth = make_class_mixture(1000, 2, d, separation=2.0, random_state=0)
    assert X.shape == (1000, d) and truth == pytest.approx(0.3368, abs=5e-5)
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, N)
    z0 = rng.standard_normal(N) + 2 * labels - 1
    own = stats.norm.logpdf(z0, 2 * labels - 1)
    mix = np.logaddexp(stats.norm.logpdf(z0, -1), stats.norm.logpdf(z0, 1)) - np.log(2)
    _within_4_standard_errors(own - mix, truth)


# -- the stress generator ---------------------------------------------------------


@pytest.mark.parametrize("base", ["gaussian", "student-t", "classes", "relu-atoms"])
@pytest.mark.parametrize("bijection", ["monotone", "rotation", "layer-tanh", "spiral"])
def test_stress_bijections_are_invertible(base, bijection):
    # MI is kept only if each side's map is invertible: recover the base
    # sample from the transformed one (same seed draws the same base).
    from skmi.datasets import make_stress

    X0, y0, t0 = make_stress(400, base, "identity", random_state=7)
    X1, y1, t1 = make_stress(400, base, bijection, random_state=7)
    assert t0 == t1
    for before, after in ((X0, X1), (y0, y1)):
        before = np.asarray(before, dtype=float).reshape(400, -1)
        after = np.asarray(after, dtype=float).reshape(400, -1)
        if np.array_equal(before, after):
            continue
        # distinct rows stay distinct (an injective map)
        assert np.unique(after, axis=0).shape[0] == np.unique(before, axis=0).shape[0]
        if bijection in ("monotone",):
            from scipy.stats import spearmanr

            for c in range(before.shape[1]):
                assert abs(spearmanr(before[:, c], after[:, c]).statistic) == pytest.approx(1.0)


def test_stress_truths_from_independent_computations():
    from scipy.special import logsumexp
    from scipy.stats import poisson

    from skmi.datasets import make_stress

    # four classes N(1.5 e_c, I_4): Monte Carlo with its own draws
    rng = np.random.default_rng(99)
    means = 1.5 * np.eye(4)
    c = rng.integers(0, 4, 200_000)
    X = means[c] + rng.standard_normal((200_000, 4))
    ll = -0.5 * ((X[:, None, :] - means[None]) ** 2).sum(-1)
    mc = np.mean(ll[np.arange(len(c)), c] - logsumexp(ll, axis=1)) + np.log(4)
    assert make_stress(10, "classes", random_state=0)[2] == pytest.approx(mc, abs=0.005)
    k = np.arange(300)
    p25, p5 = poisson.pmf(k, 25), poisson.pmf(k, 5)
    exact = -np.sum(p25 * np.log(p25)) + np.sum(p5[p5 > 0] * np.log(p5[p5 > 0]))
    assert make_stress(10, "counts", random_state=0)[2] == pytest.approx(exact, abs=1e-9)
    p = np.array([0.7, 0.1, 0.1, 0.1])
    assert make_stress(10, "discrete", random_state=0)[2] == pytest.approx(
        np.log(4) + np.sum(p * np.log(p))
    )


def test_stress_refuses_unknown_names():
    from skmi.datasets import make_stress

    with pytest.raises(ValueError, match="base"):
        make_stress(10, "lognormal")
    with pytest.raises(ValueError, match="bijection"):
        make_stress(10, "gaussian", "flow")
