"""TCopulaMutualInfo against the closed-form MI of Student-t and Gaussian families."""

import warnings

import numpy as np
import pytest

from skmi import GaussianMutualInfo, TCopulaMutualInfo
from skmi.datasets import make_gaussian, make_student_t
from skmi.exceptions import SkmiWarning


@pytest.mark.parametrize(("df", "d"), [(1.0, 2), (2.0, 3), (3.0, 5)])
def test_student_t_identity_dispersion_within_eight_percent(df, d):
    # issue 17: auto was 27-51 % low here. The truth depends only on df and
    # the dimensions (Arellano-Valle et al. 2013; checked by Monte Carlo in
    # test_datasets). Measured sd of the estimate at n = 3000: <= 2.5 %.
    X, y, truth = make_student_t(3000, d, d, df=df, correlation=0.0, random_state=0)
    est = TCopulaMutualInfo().fit(X, y)
    assert est.mi_ == pytest.approx(truth, rel=0.08)
    assert est.df_ == pytest.approx(df, rel=0.25)


def test_invariant_to_monotone_maps_such_as_asinh():
    X, y, truth = make_student_t(1000, 2, 2, df=2.0, correlation=0.3, random_state=1)
    plain = TCopulaMutualInfo().fit(X, y).mi_
    assert TCopulaMutualInfo().fit(np.arcsinh(X), np.exp(y / 10)).mi_ == pytest.approx(
        plain, abs=1e-12
    )


def test_gaussian_copula_limit_equals_the_bias_corrected_gaussian_copula():
    # df = inf is the Gaussian copula: normal scores, their correlation, and
    # the same closed-form log-determinant correction
    X, y, _ = make_gaussian(800, 3, 2, correlation=0.6, random_state=0)
    t_inf = TCopulaMutualInfo(df=np.inf).fit(X, y).mi_
    gauss = GaussianMutualInfo(copula=True, bias_correction=True).fit(X, y).mi_
    assert t_inf == pytest.approx(gauss, abs=1e-9)


def test_gaussian_data_choose_large_df_and_the_gaussian_truth():
    X, y, truth = make_gaussian(3000, 10, 10, mi=1.5, random_state=0)
    est = TCopulaMutualInfo().fit(X, y)
    assert est.df_ >= 30
    assert est.mi_ == pytest.approx(truth, abs=0.06)  # sd measured ~0.02


def test_parts_and_units():
    X, y, _ = make_student_t(500, 2, 1, df=2.0, correlation=0.4, random_state=0)
    nats = TCopulaMutualInfo().fit(X, y)
    bits = TCopulaMutualInfo(units="bits").fit(X, y)
    assert nats.gaussian_part_ + nats.tail_part_ == pytest.approx(nats.mi_)
    assert bits.mi_ == pytest.approx(nats.mi_ / np.log(2))
    assert nats.dispersion_.shape == (3, 3)
    np.testing.assert_allclose(np.diag(nats.dispersion_), 1.0)


def test_too_few_samples_and_bad_parameters():
    X, y, _ = make_gaussian(6, 3, 3, random_state=0)
    with pytest.raises(ValueError, match="n_samples"):
        TCopulaMutualInfo().fit(X, y)
    X, y, _ = make_gaussian(100, random_state=0)
    with pytest.raises(ValueError, match="df"):
        TCopulaMutualInfo(df=-1.0).fit(X, y)
    est = TCopulaMutualInfo().fit(X, y)
    est.set_params(df=0.0)
    with pytest.raises(ValueError, match="df"):
        est.score(X, y)


def test_deterministic_and_collinear_inputs():
    X, y, _ = make_gaussian(300, 2, 1, correlation=0.5, random_state=0)
    with pytest.warns(SkmiWarning, match="infinite"):
        assert TCopulaMutualInfo().fit(X, np.exp(X[:, 1])).mi_ == np.inf
    with pytest.raises(ValueError, match="Columns of X are collinear"):
        TCopulaMutualInfo().fit(np.column_stack([X[:, 0], X[:, 0] ** 3]), y)


@pytest.mark.parametrize("param", ["df", "max_iter", "tol"])
def test_booleans_are_refused_by_name(param):
    X, y, _ = make_gaussian(60, random_state=0)
    with pytest.raises(TypeError, match=param):
        TCopulaMutualInfo(**{param: True}).fit(X, y)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_degenerate_fit_is_said(seed):
    # 101 near-monotone integer codes: truth 4.376 nats (the quadrature of
    # tests/test_auto.py). The t fit reads 18 nats with df below 1; its
    # R is more extreme than the pair's Kendall tau allows an elliptical
    # copula (rho = sin(pi tau / 2)), which is what is wrong with it.
    rng = np.random.default_rng(seed)
    P = np.arange(101.0)
    Q = P + 0.3 * rng.standard_normal(101)
    with pytest.warns(SkmiWarning, match="degenerate"):
        est = TCopulaMutualInfo().fit(P[:, None], Q)
    assert "Kendall's tau" in est.degenerate_


def test_a_large_mi_in_many_dimensions_is_no_fault():
    # Issue 26, case 2: ten coordinate pairs with correlation 0.999, y cubed
    # (a monotone map: the copula is Gaussian), n = 5000. Truth
    # -10/2 log(1 - 0.999^2) = 31.08 nats, far above log n = 8.5: a
    # parametric fit over 20 columns may show it, and must not be refused.
    rng = np.random.default_rng(0)
    r, n = 0.999, 5000
    X = rng.standard_normal((n, 10))
    y = (r * X + np.sqrt(1 - r * r) * rng.standard_normal((n, 10))) ** 3
    truth = -10 * 0.5 * np.log(1 - r * r)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SkmiWarning)
        est = TCopulaMutualInfo().fit(X, y)
    assert est.degenerate_ == ""
    assert est.mi_ == pytest.approx(truth, rel=0.02)


def test_an_ordinary_fit_is_not_degenerate():
    X, y, _ = make_student_t(2000, 2, 2, df=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SkmiWarning)
        TCopulaMutualInfo().fit(X, y)


def _bivariate_normal(n, rho, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    y = rho * x + np.sqrt(1 - rho**2) * rng.normal(size=n)
    return x[:, None], y


def test_t_copula_warns_on_binary_columns():
    # signs of correlated normals: I = log 2 - H(p), p = 1/2 + arcsin(rho) / pi
    # (Sheppard), 0.086 nats at rho = 0.6; the t fit reports several nats.
    from skmi import TCopulaMutualInfo
    from skmi.exceptions import SkmiWarning

    x, y = _bivariate_normal(500, 0.6, 0)
    with pytest.warns(SkmiWarning, match="discrete"):
        TCopulaMutualInfo().fit(x > 0, y > 0)


# -- sides of lower rank: injective layers of a few coordinates (issue 26) -------------


def _layer(V, width, activation, rng):
    """``act(V W + b)``: an injective layer of V (W of full row rank), act increasing."""
    W = rng.standard_normal((V.shape[1], width))
    return activation(V @ W + rng.standard_normal(width))


@pytest.mark.parametrize("seed", [11, 12])
def test_student_t_through_injective_layers_keeps_its_mi(seed):
    # MI is unchanged by an injective map of either side; the truth is the
    # Student-t closed form of the base law. Counting the layer's columns in
    # the tail term read +36 to +100 %.
    from skmi import estimate_mi
    from skmi.datasets import make_student_t

    rng = np.random.default_rng(seed)
    X, y, truth = make_student_t(3000, 2, 2, df=3, correlation=0.5, random_state=seed)
    TX = _layer(X, 12, np.tanh, rng)
    Ty = _layer(y, 9, lambda a: np.where(a > 0, a, 0.1 * a), rng)  # leaky ReLU
    est = TCopulaMutualInfo().fit(TX, Ty)
    assert est.n_components_ == (2, 2)
    assert est.mi_ == pytest.approx(truth, rel=0.12)
    # invariance: what the fit on the base law itself reads (within 0.03 nats
    # on nine seeds), not only the truth
    assert est.mi_ == pytest.approx(TCopulaMutualInfo().fit(X, y).mi_, abs=0.03)
    counted = TCopulaMutualInfo(reduce_rank=False).fit(TX, Ty)
    assert counted.n_components_ == (12, 9) and counted.mi_ > 1.2 * truth
    assert estimate_mi(TX, Ty, random_state=0).estimate == pytest.approx(truth, rel=0.12)


@pytest.mark.parametrize("seed", [21, 22])
@pytest.mark.parametrize("noise", [0.005, 0.01, 0.05])
def test_a_noisy_layer_stays_below_the_mi_of_its_input(seed, noise):
    # T = layer(X) + noise is a function of (X, noise), so I(T; Y) <= I(X; Y)
    # (data processing), the Student-t closed form. Noise makes each side
    # full-dimensional; counting its columns in the tail term read 0.84-0.99
    # against 0.40. Small noise loses little, hence the lower bound.
    from skmi.datasets import make_student_t

    rng = np.random.default_rng(seed)
    X, y, bound = make_student_t(2000, 2, 2, df=3, correlation=0.5, random_state=seed)

    def noisy(V, activation):
        T = _layer(V, 20, activation, rng)
        return T + noise * T.std(axis=0) * rng.standard_normal(T.shape)

    est = TCopulaMutualInfo().fit(noisy(X, np.tanh), noisy(y, lambda a: np.maximum(a, 0.1 * a)))
    assert est.mi_ <= bound + 0.05  # about 2.5 standard deviations at n = 2000
    assert est.mi_ >= 0.75 * bound


def test_a_small_informative_direction_under_noise_is_kept():
    # the noisy version of the test below: (x, x + 0.05 z) plus 0.1 % noise is
    # full-dimensional, and its small direction carries z, which y depends on
    rng = np.random.default_rng(1)
    x, z, e = rng.standard_normal((3, 3000))
    X = np.column_stack([x, x + 0.05 * z]) + 0.001 * rng.standard_normal((3000, 2))
    truth_without_noise = 0.5 * np.log(1 + 1 / 0.25)  # I(z; z + 0.5 e)
    est = TCopulaMutualInfo().fit(X, z + 0.5 * e)
    assert est.n_components_ == (2, 1)
    assert est.mi_ > 0.8 * truth_without_noise


def test_gaussian_through_a_layer_reduces_to_its_base():
    from skmi.datasets import make_gaussian

    rng = np.random.default_rng(3)
    X, y, truth = make_gaussian(3000, 3, 2, random_state=3)
    layer = TCopulaMutualInfo().fit(_layer(X, 15, np.tanh, rng), y)
    assert layer.n_components_ == (3, 2)
    assert layer.mi_ == pytest.approx(truth, rel=0.06)


def test_a_small_direction_that_is_a_dimension_of_its_own_is_kept():
    # X = (x, x + 0.05 z) spans two dimensions, one small, and y depends on z:
    # reducing X to its large direction would lose the information.
    rng = np.random.default_rng(0)
    x, z, e = rng.standard_normal((3, 3000))
    X = np.column_stack([x, x + 0.05 * z])
    est = TCopulaMutualInfo().fit(X, z + 0.5 * e)
    assert est.n_components_ == (2, 1)
    assert est.mi_ == TCopulaMutualInfo(reduce_rank=False).fit(X, z + 0.5 * e).mi_


def test_two_nn_dimension_of_known_manifolds():
    from skmi._collinear import two_nn_dimension

    rng = np.random.default_rng(0)
    plane = rng.standard_normal((3000, 2)) @ rng.standard_normal((2, 10))  # a plane in 10-D
    curve = np.column_stack([np.cos(t := rng.uniform(0, 6, 3000)), np.sin(t), t])  # a helix
    assert two_nn_dimension(plane) == pytest.approx(2, abs=0.3)
    assert two_nn_dimension(curve) == pytest.approx(1, abs=0.2)
    assert two_nn_dimension(rng.standard_normal((3000, 5))) == pytest.approx(5, abs=0.6)


@pytest.mark.parametrize("n", [13, 15])
def test_too_few_samples_for_the_reduction_keep_the_documented_error(n):
    # the reduction's eigen-solvers raised numpy's LinAlgError at such n
    rng = np.random.default_rng(n * 100 + 10)
    V = rng.standard_normal((n, 2))
    X = np.tanh(V @ rng.standard_normal((2, 10)))
    y = V[:, 0] + 0.5 * rng.standard_normal(n)
    for reduce_rank in (True, False):
        with pytest.raises(ValueError, match="collinear") as caught:
            TCopulaMutualInfo(reduce_rank=reduce_rank).fit(X, y)
        assert not isinstance(caught.value, np.linalg.LinAlgError)


def test_a_singular_em_iterate_is_a_degenerate_fit_not_a_linalg_error():
    # found by tests/test_fuzz.py through LargerOfMutualInfo: ten rows with ties
    # and values from 1e-277 to 1e6; the EM reached a singular dispersion and
    # np.linalg.inv raised a bare LinAlgError
    X = np.array(
        [
            [-2.63215545e5, -2.05661487e5],
            [7.90756826e5, 1.93104011e5],
            [-7.10612662e5, -8.87578242e4],
            [2.16916157e5, -2.63215545e5],
            [-6.83085735e-199, -2.63215545e5],
            [-2.63215545e5, 1.05832330e-277],
            [-7.96163986e5, -4.33367585e5],
            [-2.63215545e5, 5.15790774e-092],
            [3.94389305e5, -2.63215545e5],
            [-4.69445404e5, -1.00000000e6],
        ]
    )
    y = X[:, 0] + np.random.default_rng(74).standard_normal(10)
    with pytest.warns(SkmiWarning, match="degenerate"):
        est = TCopulaMutualInfo().fit(X, y)
    assert est.degenerate_


def test_distinct_levels_of_pseudo_observations_equal_numpys_unique():
    from scipy.stats import rankdata

    from skmi._tcopula import _distinct_levels

    rng = np.random.default_rng(11)
    A = rng.standard_normal((800, 3))
    samples = {
        "continuous": A,
        "ties": np.round(A, 1),
        "bootstrap": A[rng.integers(0, 800, 800)],
        "constant": np.ones((6, 2)),
    }
    for name, data in samples.items():
        uniform = rankdata(data, axis=0) / (len(data) + 1)
        values, inverse = _distinct_levels(uniform)
        expected_values, expected_inverse = np.unique(uniform, return_inverse=True)
        assert np.array_equal(values, expected_values), name
        assert np.array_equal(
            inverse.reshape(uniform.shape), expected_inverse.reshape(uniform.shape)
        )
        # C order as numpy's: later sums over the quantiles add in the same order
        assert inverse.reshape(uniform.shape).flags.c_contiguous
    other = rng.random((50, 2))  # not ranks over n + 1: np.unique's answer all the same
    values, inverse = _distinct_levels(other)
    assert np.array_equal(values[inverse.reshape(other.shape)], other)
    assert np.array_equal(values, np.unique(other))
