"""estimate_mi: the method it picks for each kind of data, and its result."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from skmi import estimate_mi
from skmi.auto import choose_method
from skmi.datasets import (
    make_class_mixture,
    make_discrete_continuous,
    make_gaussian,
    make_relu_atoms,
    make_student_t,
    make_transformed_gaussian,
    relu_atom_mi,
)


def test_the_rules():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 500)
    X_low, y_low, _ = make_gaussian(500, 2, 2, random_state=0)
    X_high, y_high, _ = make_gaussian(3000, 10, 10, random_state=0)
    X_atoms, y_atoms, _ = make_discrete_continuous(500, atom_probability=0.3, random_state=0)
    X_codes, y_smooth, _ = make_discrete_continuous(500, random_state=0)
    assert choose_method(labels.reshape(-1, 1), labels)[0] == "binned"
    assert choose_method(X_low, labels)[0] == "ksg-copula"
    assert choose_method(labels.reshape(-1, 1), y_low)[0] == "ksg-copula"
    assert choose_method(X_atoms, y_atoms)[0] == "class-atoms"
    assert choose_method(X_codes, y_smooth)[0] == "ksg-copula"  # Ross: codes, no atoms
    assert choose_method(X_low[:, :1], y_low)[0] == "t-copula-or-ksg"
    assert choose_method(X_low, y_low)[0] == "t-copula-or-ksg"
    assert choose_method(X_high, y_high)[0] == "t-copula-or-ksg"


def test_larger_of_takes_the_gaussian_copula_on_gaussian_data():
    X, y, truth = make_gaussian(3000, 10, 10, mi=1.5, random_state=0)
    result = estimate_mi(X, y, method="larger", random_state=0)
    assert result.method == "larger" and result.estimator.chosen_ == "GaussianMutualInfo"
    assert result.estimate == pytest.approx(truth, abs=0.05)


def test_auto_is_near_truth_on_a_skewed_pair():
    X, y, truth = make_transformed_gaussian(4000, transform="exp", correlation=0.8, random_state=0)
    result = estimate_mi(X, y, random_state=0)
    assert result.method == "t-copula-or-ksg" and "continuous" in result.reason
    assert result.estimate == pytest.approx(truth, abs=0.05)
    assert float(result) == result.estimate


def test_discrete_x_with_continuous_y_swaps_roles():
    X, y, truth = make_class_mixture(3000, 3, 1, random_state=0)
    forward = estimate_mi(X, y, random_state=0)
    backward = estimate_mi(y.reshape(-1, 1), X[:, 0], random_state=0)
    assert forward.method == backward.method == "ksg-copula"
    assert backward.estimate == pytest.approx(forward.estimate, abs=1e-12)
    assert forward.estimate == pytest.approx(truth, abs=0.04)


def test_uncertainty_on_request_and_units():
    X, y, truth = make_gaussian(600, correlation=0.7, random_state=0)
    result = estimate_mi(
        X,
        y,
        method="gaussian",
        ci=True,
        p_value=True,
        n_permutations=20,
        units="bits",
        random_state=0,
    )
    assert result.units == "bits" and result.method == "gaussian"
    low, high = result.ci
    assert low < result.estimate < high and low < truth / np.log(2) < high
    assert result.p_value < 0.1 and result.adjusted_estimate < result.estimate


def test_unknown_method():
    with pytest.raises(ValueError, match="method"):
        estimate_mi(np.ones((10, 1)), np.arange(10), method="magic")


# -- issue 15: trustworthy defaults (each input with its value from theory) ---------


def _gaussian_mi(correlation, pairs):
    return -0.5 * pairs * np.log(1 - correlation**2)


def test_interval_contains_its_estimate_and_the_truth():
    # was 0.419 with (-0.477, -0.202): the k-NN part bootstrapped with duplicates
    X, y, _ = make_gaussian(2000, 3, 3, correlation=0.5, random_state=1)
    truth = _gaussian_mi(0.5, 3)  # 0.4315
    result = estimate_mi(X, y, ci=True, random_state=0)
    low, high = result.ci
    assert 0 <= low <= result.estimate <= high
    assert low < truth < high
    # the chosen part is resampled by its own declared scheme: the t-copula
    # (a plug-in of ranks) by the bootstrap, k-NN by subsamples
    chosen = result.estimator.chosen_
    scheme = "bootstrap" if chosen == "TCopulaMutualInfo" else "subsamples"
    assert scheme in result.ci_method and "percentile" in result.ci_method
    assert chosen in result.ci_method


def test_binary_against_integer_valued_independent_is_zero():
    # was 0.15-0.24 nats (the mixed estimator); truth 0
    for seed in range(3):
        rng = np.random.default_rng(seed)
        s = rng.integers(0, 2, 442).astype(float)
        y = np.round(150 + 75 * rng.standard_normal(442))
        result = estimate_mi(s[:, None], y, random_state=0)
        assert result.x_kind == "discrete" and result.y_kind == "continuous"
        assert result.method != "ksg-mixed"
        assert abs(result.raw_estimate) < 0.05


def _information_of_a_noisy_code(values, noise):
    """I(P; P + noise N) for P uniform on ``values``, by quadrature on a fine grid."""
    from scipy.stats import norm

    values = np.asarray(values, dtype=float)
    q = np.concatenate([np.linspace(v - 8 * noise, v + 8 * noise, 801) for v in values])
    q = np.unique(q)
    dq = np.gradient(q)
    densities = norm.pdf(q[None, :], values[:, None], noise)  # p(q | p)
    mixture = densities.mean(axis=0)
    ratio = np.where(densities > 0, densities / np.maximum(mixture, 1e-300), 1.0)
    return float(np.mean(np.sum(densities * np.log(ratio) * dq, axis=1)))


def test_integer_codes_with_one_outlier_are_not_classes():
    # was nan (every value a class of one); truth 4.376 nats
    P = np.r_[np.arange(100), 1000]
    truth = _information_of_a_noisy_code(P, 0.3)
    assert truth == pytest.approx(4.376, abs=2e-3)
    Q = P + 0.3 * np.random.default_rng(0).standard_normal(101)
    # at n = 101 the noise swaps no neighbours: the ranks of Q are those of P
    with pytest.warns(UserWarning, match="reflects only the sample size"):
        result = estimate_mi(P[:, None], Q, random_state=0)
    assert result.x_kind == "continuous" and np.isfinite(result.estimate)
    # k-NN cannot reach an MI near log(n) = 4.6 from 101 samples: it says so (above)
    assert 2.5 < result.estimate < truth


def test_finely_rounded_integers_are_continuous():
    # was 0.566 (round(1000 z) taken as 2000 classes); truth 0.5 log 5 = 0.805
    rng = np.random.default_rng(0)
    Z = rng.standard_normal(2000)
    Xi = np.round(1000 * Z).astype(int)
    y = Z + 0.5 * rng.standard_normal(2000)
    result = estimate_mi(Xi[:, None], y, random_state=0)
    assert result.x_kind == "continuous"
    assert result.estimate == pytest.approx(0.5 * np.log(5), abs=0.05)


@pytest.mark.parametrize("dtype", [np.int64, np.uint64])
def test_id_targets_give_a_number_not_nan(dtype):
    # was nan: 200 singleton classes dropped until nothing was left; truth 0
    X = np.random.default_rng(0).standard_normal((200, 2))
    result = estimate_mi(X, np.arange(200, dtype=dtype) * 7, random_state=0)
    assert result.y_kind == "continuous" and abs(result.raw_estimate) < 0.1


def test_declared_discrete_on_unique_values_is_an_error_not_nan():
    X = np.random.default_rng(0).standard_normal((50, 1))
    with pytest.raises(ValueError, match="occurs once"):
        estimate_mi(X, np.arange(50), y_kind="discrete")


def test_discrete_estimate_within_the_entropy_bound():
    # was 0.7431 > ln 2 (Miller-Madow past H(y)); truth H(y) = ln 2
    y = np.r_[np.ones(5, int), np.zeros(5, int)]
    result = estimate_mi(y[:, None], y)
    assert result.method == "binned"
    assert result.estimate == pytest.approx(np.log(2), abs=1e-12)
    assert result.raw_estimate > np.log(2) and "entropy" in result.notes[0]


def _class_latent_truth():
    """I(y; Z) for y ~ Bernoulli(1/2), Z_0 | y ~ N(2y - 1, 1): a 1-D integral."""
    from scipy.integrate import quad
    from scipy.stats import norm

    def integrand(z):
        p1, p0 = norm.pdf(z, 1, 1), norm.pdf(z, -1, 1)
        m = 0.5 * (p1 + p0)
        return 0.5 * p1 * np.log(p1 / m) + 0.5 * p0 * np.log(p0 / m)

    return quad(integrand, -12, 12)[0]


@pytest.mark.parametrize("d", [10, 100])
def test_class_against_a_high_dimensional_latent(d):
    # was 0.250 (d = 10) and 0.045 (d = 100): Ross's k-NN whatever the dimension
    truth = _class_latent_truth()
    assert truth == pytest.approx(0.3368, abs=1e-4)
    rng = np.random.default_rng(d)
    y = rng.integers(0, 2, 1000)
    Z = rng.standard_normal((1000, d))
    Z[:, 0] += 2 * y - 1
    result = estimate_mi(Z, y, random_state=0)
    assert result.method == "classifiers" and "held-out" in result.reason
    # a lower bound; at n / d = 10 it reads up to about 20 % low, and says so
    assert 0.75 * truth < result.estimate < truth + 0.05
    assert any("lower" in note or "below the MI" in note for note in result.notes)


def test_identical_continuous_variables_warn_once_at_the_caller():
    # was a silent 5.65 at n = 1000; the truth is infinite
    import warnings

    x = np.random.default_rng(0).standard_normal(1000)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = estimate_mi(x[:, None], x, random_state=0)
    monotone = [w for w in caught if "monotone" in str(w.message)]
    assert len(monotone) == 1 and monotone[0].filename == __file__
    assert any("infinite" in note for note in result.notes)


def test_knn_in_high_dimension_warns():
    X, y, _ = make_gaussian(500, 8, 8, correlation=0.5, random_state=0)
    with pytest.warns(UserWarning, match="16 dimensions"):
        estimate_mi(X, y, method="ksg", random_state=0)


@pytest.mark.parametrize("n_permutations", [-5, 0, 2.5, True])
def test_bad_n_permutations(n_permutations):
    # was p = -0.25 (-5) and p = 1.0 with a NaN adjusted estimate (0)
    X, y, _ = make_gaussian(100, correlation=0.5, random_state=0)
    with pytest.raises((ValueError, TypeError), match="n_permutations"):
        estimate_mi(X, y, p_value=True, n_permutations=n_permutations)


def test_p_value_at_its_floor_reads_as_a_bound():
    X, y, _ = make_gaussian(500, correlation=0.6, random_state=0)
    result = estimate_mi(X, y, p_value=True, n_permutations=19, random_state=0)
    assert result.min_p_value == pytest.approx(1 / 20)
    assert result.p_value == result.min_p_value and result.p_value_text() == "p <= 0.05"


def test_one_dimensional_arrays_and_series_just_work():
    # was a 75-line array dump (1-D) and "Expected a 2-dimensional container" (Series)
    pd = pytest.importorskip("pandas")
    X, y, truth = make_gaussian(1000, correlation=0.6, random_state=0)
    two_d = estimate_mi(X, y, random_state=0).estimate
    assert estimate_mi(X[:, 0], y, random_state=0).estimate == two_d
    assert estimate_mi(pd.Series(X[:, 0]), pd.Series(y), random_state=0).estimate == two_d
    assert two_d == pytest.approx(truth, abs=0.05)


def test_the_kind_table():
    """data kind -> method (the table the docs print)."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 600)
    cont1, cont8 = rng.standard_normal((600, 1)), rng.standard_normal((600, 8))
    relu = np.maximum(rng.standard_normal((600, 1)), 0)
    assert choose_method(labels, labels)[0] == "binned"
    assert choose_method(cont1, labels)[0] == "ksg-copula"
    assert choose_method(cont8, labels)[0] == "classifiers"
    assert choose_method(relu, labels)[0] == "class-atoms"
    assert choose_method(relu, cont1)[0] == "atoms"
    assert choose_method(relu, relu)[0] == "ksg-mixed"  # atoms on both sides
    assert choose_method(cont1, cont1[:, 0] + 1)[0] == "t-copula-or-ksg"
    assert choose_method(cont8, cont1)[0] == "t-copula-or-ksg"


def test_conditional_mi_warns_for_identical_variables_and_many_conditions():
    # was a silent half of 5.65 for (x, x) given an independent z; truth infinite
    rng = np.random.default_rng(0)
    x, z = rng.standard_normal(600), rng.standard_normal(600)
    with pytest.warns(UserWarning, match="infinite"):
        estimate_mi(x, x, z, random_state=0)
    Z = rng.standard_normal((600, 5))
    a, b = Z[:, 0] + rng.standard_normal(600), Z[:, 0] + rng.standard_normal(600)
    with pytest.warns(UserWarning, match="5 conditioning dimensions"):
        result = estimate_mi(a, b, Z, p_value=True, n_permutations=9, random_state=0)
    # a and b are independent given Z: truth 0; the local permutation test agrees
    assert abs(result.raw_estimate) < 0.05 and result.p_value > 0.1


# -- the regime routes of issue 17 (benchmarks/accuracy/bench_auto.py, "proposed rule") --------
# Each truth comes from the data set's closed form / quadrature, not from skmi.


def _student_t_identity_mi(df, d_x, d_y):
    """Arellano-Valle et al. (2013): the MI of an identity-dispersion Student-t."""
    from scipy.special import digamma, gammaln

    def f(a):
        return gammaln(a / 2) - a / 2 * digamma(a / 2)

    return f(df) + f(df + d_x + d_y) - f(df + d_x) - f(df + d_y)


def test_heavy_tails_take_the_t_copula():
    # auto was 27-51 % low on these (issue 17); truth 0.2914 nats
    X, y, truth = make_student_t(800, 3, 3, df=2.0, correlation=0.0, random_state=0)
    assert truth == pytest.approx(_student_t_identity_mi(2.0, 3, 3), abs=1e-9)
    result = estimate_mi(X, y, random_state=0)
    assert result.method == "t-copula-or-ksg"
    assert result.estimator.chosen_ == "TCopulaMutualInfo"
    assert "heavy tails, df_ = " in result.reason and result.estimator.df_ < 5
    assert result.estimate == pytest.approx(truth, rel=0.2)


@pytest.mark.parametrize("swap", [False, True])
def test_relu_atoms_take_the_zero_pattern_chain_rule(swap):
    # auto (ksg-mixed) was 28 % low at d = 5; truth d times the 1-D quadrature
    X, y, truth = make_relu_atoms(1000, 3, noise=0.5, random_state=0)
    assert truth == pytest.approx(3 * relu_atom_mi(0.5))
    if swap:  # the atoms in X: MI is symmetric, the estimator takes them as y
        X, y = y, X
    result = estimate_mi(X, y, random_state=0)
    assert result.method == "atoms"
    assert ("X has one value in" if swap else "y has one value in") in result.reason
    assert result.estimate == pytest.approx(truth, rel=0.1)


def test_the_atoms_interval_includes_the_consistent_within_pattern_reading():
    # Given its pattern a ReLU side is truncated, and the Gaussian within a
    # pattern reads low (d = 1, noise 0.3: -4.6 % at n = 1000, -6.3 % at
    # 5000 against the quadrature truth); the interval must also include
    # what the consistent k-NN within patterns reads, and say so.
    from skmi import AtomDecompositionMutualInfo

    X, y, truth = make_relu_atoms(1000, 1, noise=0.3, random_state=2)
    assert truth == pytest.approx(relu_atom_mi(0.3))
    result = estimate_mi(X, y, ci=True, random_state=0)
    assert result.method == "atoms"
    consistent = clone(result.estimator).set_params(within_estimator="auto").fit(X, y).mi_
    assert isinstance(result.estimator, AtomDecompositionMutualInfo)
    assert result.ci[0] <= consistent <= result.ci[1]
    assert "k-NN reading within atom patterns" in result.ci_method
    assert any("truncates the side" in note for note in result.notes)
    # no stretch where no model is assumed within patterns (class labels)
    labels = (X[:, 0] > 0).astype(int)
    other = estimate_mi(y, labels, ci=True, random_state=0)
    assert "k-NN reading" not in other.ci_method


@pytest.mark.parametrize("shift", [3.0, -1.5])
def test_shifted_relu_atoms_keep_the_route_and_the_value(shift):
    # MI is invariant to a shift of a side; the atom then sits away from 0.
    # The atoms route read 1.668 (truth 1.767) and a layer plus 3 went to
    # Gao et al.'s counting, which read 1.500
    X, y, truth = make_relu_atoms(2000, 3, noise=0.5, random_state=0)
    plain = estimate_mi(X, y, random_state=0)
    for a, b in ((X, y + shift), (y + shift, X)):
        shifted = estimate_mi(a, b, random_state=0)
        assert shifted.method == plain.method == "atoms"
        assert shifted.estimate == plain.estimate
    assert plain.estimate == pytest.approx(truth, rel=0.1)


def test_binary_label_against_a_10d_latent_takes_the_classifier_bounds():
    # Ross's k-NN was 24-87 % low at d = 10-100 (truth 0.3368 at every d)
    X, y, truth = make_class_mixture(1000, 2, 10, separation=2.0, random_state=0)
    assert truth == pytest.approx(_class_latent_truth(), abs=1e-6)
    result = estimate_mi(X, y, random_state=0)
    assert result.method == "classifiers" and "d = 10" in result.reason
    assert result.estimate == pytest.approx(truth, abs=0.05)


def test_gaussian_takes_the_t_copula_near_the_gaussian_copula():
    X, y, truth = make_gaussian(800, 3, 3, mi=1.0, random_state=0)
    result = estimate_mi(X, y, random_state=0)
    assert result.method == "t-copula-or-ksg"
    assert result.estimator.chosen_ == "TCopulaMutualInfo"
    assert result.estimate == pytest.approx(truth, rel=0.1)


def test_non_elliptical_dependence_takes_ksg():
    # y = x^2 + noise: the t-copula sees (almost) nothing, k-NN does
    rng = np.random.default_rng(0)
    x = rng.standard_normal(800)
    y = x**2 + 0.3 * rng.standard_normal(800)
    result = estimate_mi(x, y, random_state=0)
    assert result.method == "t-copula-or-ksg" and result.estimator.chosen_ == "KSGMutualInfo"
    assert "not elliptical" in result.reason and result.estimate > 0.5


def test_regime_composites_declare_the_strictest_resampling():
    from skmi._traits import get_traits
    from skmi.auto import make_estimator

    assert get_traits(make_estimator("t-copula-or-ksg")).resampling == "subsample"
    assert get_traits(make_estimator("atoms")).resampling == "subsample"
    assert get_traits(make_estimator("gaussian-classes")).discrete_target


def test_t_copula_df_profiled_on_a_subsample_at_large_n():
    # above 10,000 rows df is profiled on 10,000 of them, R fitted on all
    X, y, truth = make_student_t(12_000, 2, 2, df=2.0, correlation=0.0, random_state=1)
    assert truth == pytest.approx(_student_t_identity_mi(2.0, 2, 2), abs=1e-9)
    result = estimate_mi(X, y, random_state=0)
    assert result.estimator.chosen_ == "TCopulaMutualInfo"
    assert 1.5 < result.estimator.df_ < 2.7
    assert result.estimate == pytest.approx(truth, rel=0.1)


def test_a_constant_side_is_named():
    with pytest.raises(ValueError, match="X is constant"):
        estimate_mi(np.ones(50), np.arange(50.0))


@pytest.mark.parametrize("seed", [1, 2])
def test_near_monotone_codes_never_exceed_what_n_samples_show(seed):
    # Attack on issue 17's routing: the t-copula read 18 nats on 101
    # near-monotone integer codes (truth 4.376, the issue-15 quadrature); no
    # estimate from n samples may exceed log n = 4.615 nats.
    rng = np.random.default_rng(seed)
    P = np.arange(101)
    Q = P + 0.3 * rng.standard_normal(101)
    result = estimate_mi(P[:, None], Q, random_state=0)
    assert result.estimate <= np.log(101)
    assert result.estimate > 2.5  # k-NN on normal scores: 3.3 here, below the truth


# -- issue 26: honest on data the benchmark grid does not contain --------------------
# Each truth is computed here from the law (Monte Carlo of the exact posterior,
# closed forms, exact sums over a pmf), never from skmi.


def _four_gaussian_classes(n, seed):
    rng = np.random.default_rng(seed)
    means = 1.5 * np.eye(4)
    y = rng.integers(0, 4, n)
    return means[y] + rng.standard_normal((n, 4)), y, means


def _posterior_mi(means, m=200_000, seed=123):
    """I(X; y) of equiprobable classes X | y=c ~ N(mu_c, I): E[log p(y|X) + log K]."""
    from scipy.special import logsumexp

    rng = np.random.default_rng(seed)
    c = rng.integers(0, len(means), m)
    X = means[c] + rng.standard_normal((m, means.shape[1]))
    log_lik = -0.5 * ((X[:, None, :] - means[None]) ** 2).sum(axis=-1)
    log_post = log_lik[np.arange(m), c] - logsumexp(log_lik, axis=1)
    return float(np.mean(log_post) + np.log(len(means)))


@pytest.mark.parametrize("layer", ["tanh", "leaky_relu", "softplus"])
def test_a_class_label_against_an_injective_layer(layer):
    # Issue 26, case 1: the one-hot Gaussian read 0.772 (+22 %) with an
    # interval excluding the truth on tanh(X W + b), W 4 -> 32 of full rank:
    # an injective layer, so I(T; y) = I(X; y).
    X, y, means = _four_gaussian_classes(3000, 0)
    truth = _posterior_mi(means)
    assert truth == pytest.approx(0.633, abs=0.01)
    rng = np.random.default_rng(1)
    W, b = rng.standard_normal((4, 32)), 0.5 * rng.standard_normal(32)
    A = X @ W + b
    layers = {"tanh": np.tanh, "softplus": lambda a: np.logaddexp(0, a)}
    layers["leaky_relu"] = lambda a: np.where(a > 0, a, 0.1 * a)
    T = layers[layer](A)
    assert np.linalg.matrix_rank(W) == 4
    on_x = estimate_mi(X, y, random_state=0).estimate
    on_t = estimate_mi(T, y, random_state=0)
    assert on_t.estimate == pytest.approx(truth, rel=0.10)
    assert on_t.estimate == pytest.approx(on_x, rel=0.10)
    assert "held-out" in on_t.reason


def test_the_class_route_is_invariant_to_monotone_maps_of_columns():
    X, y, truth = make_class_mixture(1000, 2, 8, separation=2.0, random_state=3)
    rng = np.random.default_rng(0)
    signs = rng.choice([-1.0, 1.0], 8)
    mapped = np.column_stack(
        [np.exp(X[:, 0]), X[:, 1] ** 3, np.tanh(X[:, 2]), *(signs[3:] * X[:, 3:]).T]
    )
    a = estimate_mi(X, y, random_state=0).estimate
    b = estimate_mi(mapped, y, random_state=0).estimate
    assert b == pytest.approx(a, rel=0.02)
    assert a == pytest.approx(truth, rel=0.15)


def test_a_large_parametric_mi_is_not_thrown_away():
    # Issue 26, case 2: ten coordinate pairs with correlation 0.999, y cubed,
    # n = 5000: truth 31.08 nats. The t-copula found 30.94 and a guard
    # ("exceeds log n = 8.52") replaced it with k-NN's 6.84 (-78 %).
    rng = np.random.default_rng(0)
    r, n = 0.999, 5000
    X = rng.standard_normal((n, 10))
    y = (r * X + np.sqrt(1 - r * r) * rng.standard_normal((n, 10))) ** 3
    truth = -10 * 0.5 * np.log(1 - r * r)
    assert truth == pytest.approx(31.08, abs=0.01)
    result = estimate_mi(X, y, random_state=0)
    assert result.estimate == pytest.approx(truth, rel=0.02)


@pytest.mark.parametrize("relation", ["square", "abs_sine", "product"])
def test_a_many_to_one_function_is_infinite_mi_with_no_interval(relation):
    # Issue 26, case 3: y = x^2 on 5001 points returned 5.75 with the interval
    # (5.73, 5.76). A deterministic relation has infinite MI: no interval, no
    # p-value, one warning.
    rng = np.random.default_rng(0)
    if relation == "square":
        X = np.linspace(-1, 1, 5001)[:, None]
        y = X[:, 0] ** 2
    elif relation == "abs_sine":
        X = rng.standard_normal((3000, 1))
        y = np.abs(np.sin(3 * X[:, 0]))
    else:
        X = rng.standard_normal((3000, 2))
        y = X[:, 0] * X[:, 1]
    with pytest.warns(UserWarning, match="infinite") as caught:
        result = estimate_mi(X, y, ci=True, p_value=True, n_permutations=9, random_state=0)
    assert len([w for w in caught if "infinite" in str(w.message)]) == 1
    assert result.infinite and result.ci is None and result.p_value is None


def test_a_monotone_pair_at_ten_samples_gets_no_p_value():
    x = np.arange(10.0)
    with pytest.warns(UserWarning, match="infinite"):
        result = estimate_mi(x, 2 * x, ci=True, p_value=True, n_permutations=9, random_state=0)
    assert result.infinite and result.ci is None and result.p_value is None


@pytest.mark.parametrize("r", [0.9, 0.999])
def test_strong_noisy_dependence_is_finite(r):
    # The functional check must not fire on noise: truth -1/2 log(1 - r^2).
    import warnings

    X, y, truth = make_gaussian(5000, 1, 1, correlation=r, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = estimate_mi(X, y, ci=True, random_state=0)
    assert not result.infinite and result.ci is not None
    assert result.estimate == pytest.approx(truth, rel=0.10)


def test_counts_are_numbers_not_symbols():
    # Issue 26, case 4: x ~ Poisson(20), y = x + Poisson(5), n = 300. The
    # binned plug-in read 1.04 (+27 %). Truth I = H(y) - H(y | x) =
    # H(Poisson(25)) - H(Poisson(5)), exact sums over the pmf.
    from scipy.stats import poisson

    k = np.arange(200)

    def entropy(p):
        p = p[p > 0]
        return float(-np.sum(p * np.log(p)))

    truth = entropy(poisson.pmf(k, 25)) - entropy(poisson.pmf(k, 5))
    assert truth == pytest.approx(0.8206, abs=1e-4)
    estimates = []
    for seed in range(5):
        rng = np.random.default_rng(seed)
        x = rng.poisson(20, 300)
        y = x + rng.poisson(5, 300)
        result = estimate_mi(x, y, random_state=0)
        assert result.x_kind == "continuous" and "counts" in result.reason
        estimates.append(result.estimate)
    assert np.mean(estimates) == pytest.approx(truth, rel=0.10)


def test_the_interval_allows_for_the_estimated_bias():
    # Issue 26, case 8: an interval of the estimator's spread covers its
    # mean, not the truth it is biased away from. The resamples' median
    # shift estimates the bias; the interval reaches estimate - bias.
    X, y, truth = make_class_mixture(1000, 2, 5, separation=2.0, random_state=0)
    result = estimate_mi(X, y, ci=True, random_state=0)
    low, high = result.ci
    assert result.ci_bias is not None and "bias" in result.ci_method
    assert low <= result.estimate <= high
    assert low <= result.estimate - result.ci_bias <= high


def test_a_layer_of_a_few_coordinates_is_reduced_or_noted():
    # An injective layer of a few latent coordinates: MI unchanged, but the
    # copula block spans 3 dimensions in ~20 columns. A Gaussian base is
    # reduced to its principal normal-score components (-12 % before);
    # on a Student-t base the small directions carry tail information, so
    # the columns are kept and the result says what that costs.
    from skmi.datasets import make_stress

    X, y, truth = make_stress(3000, "gaussian", "layer-tanh", random_state=0)
    result = estimate_mi(X, y, random_state=0)
    assert any("reduced X from" in note for note in result.notes)
    assert result.estimate == pytest.approx(truth, rel=0.05)
    X, y, _ = make_stress(1000, "student-t", "layer-tanh", random_state=0)
    result = estimate_mi(X, y, random_state=0)
    assert any("collinear" in note and "kept" in note for note in result.notes)
    X, y, _ = make_stress(1000, "student-t", "identity", random_state=0)
    assert not any("collinear" in note for note in estimate_mi(X, y, random_state=0).notes)


def test_a_small_direction_that_carries_the_mi_is_kept():
    # X = (x, x + 0.05 z), y = z + noise: the second direction of X's copula
    # is small (eigenvalue ~1e-3 of the largest) but carries all the MI
    # (truth -1/2 log(1 - 1/1.25) = 0.805); it must not be dropped.
    rng = np.random.default_rng(0)
    x, z = rng.standard_normal((2, 3000))
    X = np.column_stack([x, x + 0.05 * z])
    y = z + 0.5 * rng.standard_normal(3000)
    result = estimate_mi(X, y, random_state=0)
    assert not any("reduced" in note for note in result.notes)
    assert result.estimate == pytest.approx(-0.5 * np.log(1 - 1 / 1.25), rel=0.15)


def test_a_spiral_is_said_to_be_non_elliptical():
    # Issue 26, case 7: every estimator is low on spirals of a Gaussian; the
    # result says the data look non-elliptical (k-NN at or above the
    # t-copula, which on elliptical data it stays below).
    from skmi.datasets import make_spiral

    X, y, truth = make_spiral(3000, 3, 3, mi=1.0, random_state=0)
    result = estimate_mi(X, y, random_state=0)
    assert any("not elliptical" in note for note in result.notes)
    X, y, truth = make_gaussian(3000, 3, 3, mi=1.0, random_state=0)
    result = estimate_mi(X, y, random_state=0)
    assert not any("not elliptical" in note for note in result.notes)


# -- issue 27, tier 3: clear words where estimate_mi was silent or misleading ---------


def test_dask_input_is_refused_not_gathered():
    da = pytest.importorskip("dask.array")
    from skmi import bootstrap_ci, permutation_test
    from skmi._ksg import KSGMutualInfo

    X = da.random.random((200, 1), chunks=50)
    y = da.random.random(200, chunks=50)
    for call in (
        lambda: estimate_mi(X, y),
        lambda: permutation_test(KSGMutualInfo(), X, y),
        lambda: bootstrap_ci(KSGMutualInfo(), X, y),
    ):
        with pytest.raises(TypeError, match="would gather"):
            call()


def test_pandas_sides_with_different_indexes_are_said_to_pair_by_position():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    X = pd.Series(rng.standard_normal(200), index=range(200))
    y = pd.Series(rng.standard_normal(200), index=range(100, 300))
    with pytest.warns(UserWarning, match="paired by position"):
        estimate_mi(X, y, random_state=0)


def test_names_as_classes_blame_the_side_that_holds_them():
    names = np.array([f"id{i}" for i in range(300)], dtype=object)
    y = np.random.default_rng(0).standard_normal(300)
    with pytest.raises(ValueError, match="every value of X") as caught:
        estimate_mi(names, y)
    assert "discrete_target" not in str(caught.value)


def test_config_refuses_a_boolean_budget_and_unknown_devices():
    import skmi

    with pytest.raises(ValueError, match="memory_budget"):
        skmi.set_config(memory_budget=True)
    with pytest.raises(ValueError, match="device"):
        skmi.set_config(device="gpu")


def test_the_chosen_method_is_never_contradicted_by_a_ties_warning():
    # Issue 26, case 9: estimate_mi picked a method, then a TiesWarning told
    # the user to use another (diabetes' bmi column, the wine data).
    from sklearn.datasets import load_diabetes, load_wine

    from skmi.exceptions import TiesWarning

    diabetes, wine = load_diabetes(scaled=False), load_wine()
    pairs = [(diabetes.data[:, j], diabetes.target) for j in range(10)]
    pairs += [(wine.data[:, j], wine.target) for j in range(13)]
    pairs += [(wine.data[:, 12], wine.data[:, 4]), (diabetes.data[:, 2], diabetes.data[:, 8])]
    with warnings.catch_warnings():
        warnings.simplefilter("error", TiesWarning)
        for X, y in pairs:
            estimate_mi(X, y, random_state=0)


# -- input checks: missing values, dates and a constant side, by name (issue 14) ------

_MISSING = [None, pd.NA, np.nan, pd.NaT]


@pytest.mark.parametrize("missing", _MISSING, ids=["None", "NA", "nan", "NaT"])
@pytest.mark.parametrize("side", ["X", "y", "z"])
def test_estimate_mi_refuses_missing_values_in_object_columns(missing, side):
    # was 0.0146 nats: estimate_mi took None as a fourth symbol of X, while
    # every estimator refused it (issue 14: refuse missing values of every kind)
    rng = np.random.default_rng(0)
    holed = np.array([1.0, missing, 2.0, 3.0] * 25, dtype=object)
    clean = rng.standard_normal(100)
    X, y, z = clean, clean + rng.standard_normal(100), None
    if side == "X":
        X = holed
    elif side == "y":
        y = holed
    else:
        z = holed
    original = holed.copy()
    with pytest.raises(ValueError, match=f"Input {side} contains NaN"):
        estimate_mi(X, y, z)
    assert all((a is b) or (a == b) for a, b in zip(holed, original, strict=True))


def test_estimate_mi_refuses_dates_naming_the_argument():
    # was numpy's UFuncTypeError ("ufunc 'remainder' cannot use operands...")
    dates = pd.Series(pd.date_range("2020", periods=100))
    with pytest.raises(ValueError, match="X holds dates"):
        estimate_mi(dates, np.random.default_rng(0).standard_normal(100))


@pytest.mark.parametrize("side", ["X", "y"])
@pytest.mark.parametrize("constant", [np.ones(60), np.array(["a"] * 60, dtype=object)])
def test_estimate_mi_names_the_constant_side(side, constant):
    # was "y has a single class" for a constant X (X, the class side, is
    # passed to the estimator as its y)
    other = np.random.default_rng(0).standard_normal(60)
    X, y = (constant, other) if side == "X" else (other, constant)
    with pytest.raises(ValueError, match=f"^{side} is constant"):
        estimate_mi(X, y)


@pytest.mark.parametrize("side", ["X", "y"])
def test_estimate_mi_names_the_constant_side_with_a_2d_x(side):
    from skmi import estimate_mi

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(200, 1)), rng.normal(size=200)
    if side == "X":
        X = np.ones((200, 1))
    else:
        y = np.ones(200)
    with pytest.raises(ValueError, match=f"^{side} is constant"):
        estimate_mi(X, y)


def test_monotone_pair_prefilter_never_changes_the_answer():
    # the sampled-pairs prefilter only skips the sort where pairs of rows are both
    # concordant and discordant, which no strictly monotone relation allows
    from scipy.stats import rankdata

    from skmi._determinism import monotone_pair

    def by_ranks(X, y):
        rx, ry, n = rankdata(X, axis=0), rankdata(y, axis=0), len(X)
        return any(
            np.array_equal(a, b) or np.array_equal(a, n + 1 - b)
            for a in rx.T
            if np.unique(a).size >= 0.9 * n
            for b in ry.T
        )

    rng = np.random.default_rng(3)
    x = rng.standard_normal((2000, 2))
    cases = [
        (x, np.exp(x[:, [1]])),  # increasing
        (x, -(x[:, [0]] ** 3)),  # decreasing
        (x, x[:, [0]] + 1e-3 * rng.standard_normal((2000, 1))),  # nearly monotone
        (x, x[:, [0]] ** 2),  # many-to-one: not monotone
        (x, rng.standard_normal((2000, 3))),
    ]
    answers = [monotone_pair(X, y) for X, y in cases]
    assert answers == [by_ranks(X, y) for X, y in cases]
    assert answers[:2] == [True, True] and not any(answers[2:])


@pytest.mark.parametrize("method", ["auto", "atoms"])
def test_an_atom_away_from_zero_in_x_is_decomposed(method):
    # X = 7 with probability 0.3 (independent of z), else z; y = z + N(0, 1).
    # The atom carries nothing, the rest a Gaussian pair with rho^2 = 1/2:
    # truth 0.7 * log(2) / 2 = 0.2426 nats. method="atoms" named by the caller
    # decomposed y instead of X and read 0.085.
    rng = np.random.default_rng(1)
    z = rng.standard_normal(3000)
    x = np.where(rng.random(3000) < 0.3, 7.0, z)
    y = z + rng.standard_normal(3000)
    result = estimate_mi(x, y, method=method, random_state=0)
    assert result.method == "atoms"
    assert result.estimate == pytest.approx(0.7 * np.log(2) / 2, rel=0.1)


def test_a_counts_side_has_no_atoms_against_a_relu_side():
    # Poisson counts' most common value held 5 %: read as an atom, the pair
    # went to Gao et al.'s counting; counts are numbers (dithered), not atoms
    from skmi.auto import choose_method

    rng = np.random.default_rng(1)
    counts = rng.poisson(20, 2000).astype(float)
    relu = np.maximum(0.0, (counts - 20) / np.sqrt(20) + 0.5 * rng.standard_normal(2000))
    assert choose_method(counts, relu)[0] == "atoms"


def test_a_constant_z_takes_the_unconditional_route():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(500)
    y = x + rng.standard_normal(500)
    with pytest.warns(UserWarning, match="conditioning on a constant"):
        conditioned = estimate_mi(x, y, z=np.ones(500), random_state=0)
    plain = estimate_mi(x, y, random_state=0)
    assert (conditioned.method, conditioned.estimate) == (plain.method, plain.estimate)


def test_a_non_numeric_z_is_refused_by_name_without_a_z_kind_hint():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(100)
    z = np.array(["a", "b"] * 50, dtype=object)
    before = z.copy()
    with pytest.raises(ValueError, match="z must hold numbers") as caught:
        estimate_mi(x, x + rng.standard_normal(100), z=z)
    assert "z_kind" not in str(caught.value)
    assert (z == before).all()


def test_p_value_stops_early_when_clearly_not_significant():
    # Besag and Clifford's rule with h = 10: about 10 / p permutations on
    # independent data, the full 100 under clear dependence
    rng = np.random.default_rng(4)
    X, y = rng.standard_normal((500, 2)), rng.standard_normal(500)
    result = estimate_mi(X, y, p_value=True, random_state=0)
    drawn = int(round(10 / result.p_value))
    assert drawn < 100 and result.p_value > 0.05
    assert any("Besag and Clifford" in note and f"p = 10/{drawn}" in note for note in result.notes)
    X, y, _ = make_gaussian(500, correlation=0.6, random_state=0)
    dependent = estimate_mi(X, y, p_value=True, random_state=0)
    assert dependent.p_value == dependent.min_p_value == 1 / 101
    assert not any("Besag" in note for note in dependent.notes)


def test_a_knn_reading_above_the_t_copula_lifts_the_interval_to_it():
    # k-NN's bias is downward: reading at or above the t-copula, it says the
    # copula is not elliptical and the t-copula reads low (dithered Poisson
    # counts: truth 0.8206 by exact sums; the t-copula reads about 4 % low)
    from skmi.datasets import make_stress

    X, y, truth = make_stress(5000, "counts", "monotone", random_state=2)
    assert truth == pytest.approx(0.8206, abs=1e-4)
    result = estimate_mi(X, y, ci=True, random_state=2)
    composite = result.estimator
    assert composite.chosen_ == "TCopulaMutualInfo" and composite.non_elliptical_
    knn = composite.estimators_[-1].mi_
    assert knn > result.estimate
    assert result.ci[1] > knn and "k-NN reading on normal scores" in result.ci_method
    assert any("copula is not elliptical" in note for note in result.notes)
    # elliptical data: k-NN below the t-copula, the interval as the resamples give it
    X, y, _ = make_gaussian(2000, 2, 2, correlation=0.5, random_state=0)
    clean = estimate_mi(X, y, ci=True, random_state=0)
    assert not clean.estimator.non_elliptical_
    assert "k-NN reading" not in clean.ci_method


@pytest.mark.slow
def test_intervals_cover_counts_where_the_t_copula_reads_low():
    # Dithered Poisson counts: the t-copula reads about 4 % low (a model
    # bias no resample sees); k-NN on normal scores is consistent. The
    # interval is the union of both readings' intervals, so it covers the
    # truth (0.8206, exact sums) in about 95 % of data sets; reaching only
    # to the k-NN point covered about half of them (0.475 of 40 at n = 5000).
    from skmi.datasets import make_stress

    covered = []
    for seed in range(12):
        X, y, truth = make_stress(3000, "counts", "monotone", random_state=100 + seed)
        low, high = estimate_mi(X, y, ci=True, random_state=seed).ci
        covered.append(low <= truth <= high)
    assert sum(covered) >= 10, covered  # binomial(12, 0.95): P(< 10) = 0.02
