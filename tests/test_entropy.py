"""skmi.entropy: each right value from a closed form or an exact pmf, computed here."""

import warnings

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import betaln, digamma
from scipy.stats import poisson

from skmi import MIResult, entropy
from skmi._entropy import (
    chao_shen_entropy,
    grassberger_entropy,
    miller_madow_entropy,
    nsb_entropy,
    plugin_entropy,
)
from skmi.exceptions import SkmiWarning

N = 10_000


def gaussian_entropy(cov):
    cov = np.atleast_2d(cov)
    return 0.5 * np.linalg.slogdet(2 * np.pi * np.e * cov)[1]


def student_t_entropy(nu):
    """Differential entropy of a standard Student-t with nu degrees of freedom."""
    return (
        (nu + 1) / 2 * (digamma((nu + 1) / 2) - digamma(nu / 2))
        + 0.5 * np.log(nu)
        + betaln(nu / 2, 0.5)
    )


def exact_entropy(p):
    p = np.asarray(p, dtype=np.float64)
    p = p[p > 0]
    return float(-np.sum(p * np.log(p)))


CORRELATED = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, 0.3], [0.2, 0.3, 1.0]])


# -- k-NN (Kozachenko-Leonenko, max-norm) on closed forms at n = 10,000 ------------------
# 16 samples each, relative error mean (sd): Gaussian d = 1 +0.2 % (0.8 %),
# d = 3 -0.4 % (0.4 %), uniform d = 1 0.0 % (0.3 %), d = 2 +0.3 % (0.2 %),
# Student-t(5) -0.2 % (0.8 %, one sample at -2.2 %): the test averages four
# samples, whose mean has half that spread.


@pytest.mark.parametrize(
    ("name", "sample", "truth"),
    [
        ("gaussian-1d", lambda r: r.standard_normal(N), gaussian_entropy(1.0)),
        (
            "gaussian-3d",
            lambda r: r.multivariate_normal(np.zeros(3), CORRELATED, N),
            gaussian_entropy(CORRELATED),
        ),
        ("uniform-1d", lambda r: r.uniform(0, 10, N), np.log(10.0)),
        ("uniform-2d", lambda r: r.uniform(0, 1, (N, 2)) * [10.0, 5.0], np.log(50.0)),
        ("student-t5", lambda r: r.standard_t(5, N), student_t_entropy(5)),
    ],
)
def test_knn_entropy_matches_closed_forms(name, sample, truth):
    estimates = []
    for seed in range(4):
        result = entropy(sample(np.random.default_rng(seed)), random_state=0)
        assert isinstance(result, MIResult)
        assert result.method == "knn"
        assert result.x_kind == "continuous"
        estimates.append(result.estimate)
    assert np.mean(estimates) == pytest.approx(truth, rel=0.02)


def test_student_t_closed_form():
    # the truth above against scipy's own
    from scipy.stats import t

    assert student_t_entropy(5) == pytest.approx(t(5).entropy(), rel=1e-10)


def test_gaussian_closed_form_is_that_of_the_sample_covariance():
    X = np.random.default_rng(1).multivariate_normal(np.zeros(3), CORRELATED, 2000)
    result = entropy(X, method="gaussian")
    assert result.estimate == pytest.approx(gaussian_entropy(np.cov(X, rowvar=False)), rel=1e-12)
    big = np.random.default_rng(2).multivariate_normal(np.zeros(3), CORRELATED, 50_000)
    assert entropy(big, "gaussian").estimate == pytest.approx(
        gaussian_entropy(CORRELATED), rel=0.005
    )


def test_histogram_estimate_of_a_density():
    X = np.random.default_rng(3).standard_normal(N)
    result = entropy(X, method="binned")
    assert result.estimate == pytest.approx(gaussian_entropy(1.0), rel=0.02)
    assert "histogram" in result.notes[0]


def test_counts_are_dithered_to_their_shannon_entropy():
    # floor(x + u) = x: the dithered counts' differential entropy is the
    # Shannon entropy of the counts (3 seeds: within 0.7 %)
    pmf = poisson(20).pmf(np.arange(200))
    x = np.random.default_rng(4).poisson(20, N)
    result = entropy(x, random_state=0)
    assert result.method == "knn"
    assert result.estimate == pytest.approx(exact_entropy(pmf), rel=0.02)
    assert "dithered" in result.notes[0]


def test_bits():
    X = np.random.default_rng(5).standard_normal(1000)
    nats = entropy(X, random_state=0).estimate
    assert entropy(X, units="bits", random_state=0).estimate == pytest.approx(nats / np.log(2))
    assert entropy(X, random_state=0).estimate == nats  # seeded: repeatable


def test_atoms_warn():
    rng = np.random.default_rng(6)
    z = np.where(rng.random(1000) < 0.5, 0.0, rng.standard_normal(1000))
    with pytest.warns(SkmiWarning, match="atoms"):
        entropy(z, method="knn")


# -- symbols --------------------------------------------------------------------------------

PMFS = {
    "dyadic": [0.5, 0.25, 0.125, 0.125],
    "geometric": 0.7 ** np.arange(10) / np.sum(0.7 ** np.arange(10)),
    "uniform": np.full(6, 1 / 6),
}


@pytest.mark.parametrize("pmf", list(PMFS))
@pytest.mark.parametrize("method", ["binned", "miller-madow", "grassberger", "chao-shen", "nsb"])
def test_count_methods_converge_to_the_exact_entropy(pmf, method):
    p = np.asarray(PMFS[pmf])
    x = np.random.default_rng(7).choice(len(p), 20_000, p=p)
    result = entropy(x, method, n_symbols=len(p) if method == "nsb" else None)
    assert result.estimate == pytest.approx(exact_entropy(p), abs=0.02)
    assert result.x_kind == "discrete"


def test_auto_takes_grassberger_for_symbols():
    x = np.random.default_rng(8).choice(["a", "b", "c"], 3000)
    result = entropy(x)
    assert result.method == "grassberger"
    assert "Grassberger" in result.reason
    assert result.estimate == pytest.approx(np.log(3), abs=0.01)


def test_small_sample_bias_ordering():
    # geometric pmf over 10 symbols, n = 30, 400 samples: the plug-in is
    # biased low (measured -0.159 nats), Miller-Madow less (-0.049),
    # Grassberger least (+0.007); NSB with K = 10 and Chao-Shen in between.
    p = np.asarray(PMFS["geometric"])
    truth = exact_entropy(p)
    rng = np.random.default_rng(9)
    draws = [np.bincount(rng.choice(10, 30, p=p), minlength=10) for _ in range(400)]
    bias = {
        name: np.mean([f(c) for c in draws]) - truth
        for name, f in {
            "plugin": plugin_entropy,
            "miller-madow": miller_madow_entropy,
            "grassberger": grassberger_entropy,
            "chao-shen": chao_shen_entropy,
            "nsb": lambda c: nsb_entropy(c, 10),
        }.items()
    }
    assert bias["plugin"] < -0.1
    assert abs(bias["miller-madow"]) < abs(bias["plugin"]) / 2
    assert abs(bias["grassberger"]) < abs(bias["miller-madow"])
    assert abs(bias["chao-shen"]) < abs(bias["miller-madow"])
    assert abs(bias["nsb"]) < abs(bias["miller-madow"])


def test_undersampled_uniform_nsb_and_chao_shen_beat_the_plug_in():
    # n = 20 draws from 50 equiprobable symbols: mostly singletons
    truth = np.log(50)
    rng = np.random.default_rng(10)
    estimates = {"binned": [], "chao-shen": [], "nsb": [], "nsb-chao1": []}
    for _ in range(100):
        x = rng.integers(0, 50, 20)
        estimates["binned"].append(entropy(x, "binned").estimate)
        estimates["chao-shen"].append(entropy(x, "chao-shen").estimate)
        estimates["nsb"].append(entropy(x, "nsb", n_symbols=50).estimate)
        estimates["nsb-chao1"].append(entropy(x, "nsb").estimate)
    error = {name: abs(np.mean(v) - truth) for name, v in estimates.items()}
    assert error["chao-shen"] < error["binned"]
    assert error["nsb"] < error["binned"]
    assert error["nsb-chao1"] < error["binned"]
    # and one sample at a time, for the first draw
    assert abs(estimates["nsb"][0] - truth) < abs(estimates["binned"][0] - truth)
    assert abs(estimates["chao-shen"][0] - truth) < abs(estimates["binned"][0] - truth)


@pytest.mark.parametrize("n", range(1, 12))
def test_grassberger_g_is_the_2003_integral_form(n):
    # G(n) = psi(n) + (-1)^n int_0^1 x^(n-1) / (1 + x) dx (Grassberger 2003)
    integral = quad(lambda x: x ** (n - 1) / (1 + x), 0, 1)[0]
    g = digamma(n) + (-1) ** n * integral
    # one symbol seen n times out of n: the estimate is log n - G(n)
    assert grassberger_entropy([n]) == pytest.approx(np.log(n) - g, abs=1e-10)


def test_miller_madow_and_chao_shen_by_hand():
    counts = np.array([3, 1, 1, 5])
    n = 10
    plug = -np.sum(counts / n * np.log(counts / n))
    assert plugin_entropy(counts) == pytest.approx(plug)
    assert miller_madow_entropy(counts) == pytest.approx(plug + 3 / 20)
    coverage = 1 - 2 / n
    pa = coverage * counts / n
    assert chao_shen_entropy(counts) == pytest.approx(
        -np.sum(pa * np.log(pa) / (1 - (1 - pa) ** n))
    )


def test_nsb_limits():
    assert nsb_entropy([7], 1) == 0.0
    # many samples: the posterior concentrates on the plug-in
    counts = np.array([5000, 3000, 2000])
    assert nsb_entropy(counts, 3) == pytest.approx(plugin_entropy(counts), abs=1e-3)
    with pytest.raises(ValueError, match="n_symbols=2 is below the 3 distinct symbols"):
        entropy(np.repeat([0, 1, 2], 10), "nsb", n_symbols=2)


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="Input X contains NaN"):
        entropy(np.r_[1.0, np.nan, 2.0])
    with pytest.raises(ValueError, match="X is empty"):
        entropy(np.empty(0))
    with pytest.raises(ValueError, match="non-numeric values; method='knn'"):
        entropy(np.array(["a", "b"] * 10), method="knn")
    with pytest.raises(ValueError, match="n_samples=3; method='knn' needs at least k \\+ 1 = 4"):
        entropy([0.1, 0.5, 0.9])
    with pytest.raises(ValueError, match="singular"):
        x = np.random.default_rng(0).standard_normal(100)
        entropy(np.column_stack([x, 2 * x]), method="gaussian")
    with pytest.raises(ValueError, match="'method' parameter"):
        entropy([1.0, 2.0], method="kde")
    with pytest.raises(ValueError, match="3 dimensions"):
        entropy(np.zeros((4, 2, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        entropy(np.random.default_rng(0).standard_normal(100))  # no warning on clean data


def test_one_sample_is_refused_by_name():
    with pytest.raises(ValueError, match="X has 1 sample"):
        entropy([1.0])


@pytest.mark.parametrize("method", ["binned", "miller-madow", "grassberger", "chao-shen", "nsb"])
def test_a_constant_has_entropy_zero_for_every_count_method(method):
    # a single symbol seen 50 times: H = 0 exactly (Grassberger's correction read -6.7e-5)
    result = entropy(np.full(50, 3), method=method)
    assert result.estimate == 0.0


def test_rounded_reals_read_the_entropy_of_the_values_plus_log_step():
    # round(z, 1) dithered by U[0, 0.1): H(values) + log 0.1, which tends to
    # h(z) = log(2 pi e) / 2 = 1.419 as the step shrinks. On exact ties the k-NN
    # estimate read -17.7 nats.
    z = np.random.default_rng(0).standard_normal(5000)
    result = entropy(np.round(z, 1), random_state=0)
    assert result.estimate == pytest.approx(0.5 * np.log(2 * np.pi * np.e), abs=0.05)
