"""The same estimator as infomeasure and ennemi, on the same data, gives the same value.

Where the algorithm is the same the values agree to 1e-10 or closer once both
sides see the same points: skmi with ``standardize=False, jitter=0`` (no
scaling but an exact power of two, no noise), infomeasure with
``noise_level=0`` (its MI and TE estimators do not normalise by default),
ennemi with ``preprocess=False``. Where the definitions differ, each test
says how, checks the peer against the definition it does implement, and the
measured differences are in ``doc/user_guide/time_series.rst`` ("Agreement
with other libraries").

Definitions that differ (infomeasure 0.6.3, ennemi 1.5.0):

* Preprocessing. skmi's KSG standardises every column and adds noise of
  1e-10 standard deviations by default; ennemi's ``preprocess=True`` does the
  same (its own seed); infomeasure adds noise (``noise_level`` 1e-10 for MI,
  1e-8 for TE) but does not standardise. ``TransferEntropy`` standardises
  each *embedded* column (y_t and y_{t-1} over their own rows): on the raw
  series here (variances about 1.3 and 2.7) it differs from infomeasure's
  raw-scale TE by up to 0.008 nats, on the same series standardised
  beforehand by up to 4e-4 (n = 3000, k = 3 and 4, histories 1 and 2).
* ennemi's digamma is an asymptotic series, ~1e-5 off at small arguments:
  its KSG values differ from the exact ones by up to 2e-5 (measured 5e-7);
  with ``scipy.special.digamma`` in its place they agree to 1e-15.
* infomeasure's ``ksg_id=2`` is not Kraskov et al.'s algorithm 2: it counts,
  self included, the points within the *joint* k-th distance in each
  marginal, where KSG 2 uses each marginal's extent of the k neighbours
  (skmi ``variant=2``). Measured 0.27 to 0.37 nats apart.
* Grassberger: infomeasure implements the 1988 form
  ``G(n) = psi(n) + (-1)^n / (n + 1)``, skmi the 2003 form
  ``G(n) = psi(n) + (-1)^n / 2 (psi((n + 1) / 2) - psi(n / 2))``.
* NSB: infomeasure 0.6.3 integrates beta over [0, log K] only, weights each
  symbol's log-likelihood term by its count, leaves the K - K_observed unseen
  symbols out of the posterior mean, returns NaN when the given K is not
  below n ("no coincidences") and overflows to NaN at n = 1000. skmi's value
  is the NSB posterior mean: it matches an independent quadrature to 1e-9.
* Theiler windows: neither infomeasure 0.6.3 nor ennemi 1.5.0 has one (JIDT
  has, ``DYN_CORR_EXCL``, but is Java; IDTxl is not on PyPI and its KSG
  estimators call JIDT through JPype), so a window has no peer to agree with
  here; ``tests/test_theiler.py`` checks it against its definition.
"""

import logging

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.spatial import cKDTree
from scipy.special import digamma, gammaln, polygamma

import skmi
from skmi import KSGMutualInfo, TransferEntropy
from skmi._entropy import nsb_entropy

im = pytest.importorskip("infomeasure")
logging.getLogger("infomeasure").setLevel(logging.ERROR)


def raw_ksg(**params):
    """skmi's KSG on the points as given: an exact power-of-two scale, no noise."""
    return KSGMutualInfo(standardize=False, jitter=0.0, **params)


def sample(n, d, seed):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d))
    A[:, 1:] += 0.8 * A[:, :1] + 0.3 * A[:, :1] ** 2  # dependent, non-Gaussian
    return A


def coupled_series(n, seed):
    """y follows x with one step of delay; both autocorrelated."""
    rng = np.random.default_rng(seed)
    e, f = rng.standard_normal((2, n))
    x, y = np.zeros(n), np.zeros(n)
    for t in range(1, n):
        x[t] = 0.5 * x[t - 1] + e[t]
        y[t] = 0.4 * y[t - 1] + 0.8 * x[t - 1] + f[t]
    return x, y


def embed(x, y, target_history, source_history):
    """(source past, target now, target past): lags 1.. of each, delay 1."""
    start = max(target_history, source_history)
    t = np.arange(start, len(x))
    source_past = np.column_stack([x[t - j] for j in range(1, source_history + 1)])
    target_past = np.column_stack([y[t - j] for j in range(1, target_history + 1)])
    return source_past, y[t], target_past


# -- KSG mutual information ------------------------------------------------------------


@pytest.mark.parametrize("k", [3, 4])
@pytest.mark.parametrize("dims", [(1, 1), (2, 1), (3, 2)])
def test_ksg_mi_equals_infomeasure(k, dims):
    A = sample(2000, sum(dims), seed=k + sum(dims))
    x, y = A[:, : dims[0]], A[:, dims[0] :]
    ours = raw_ksg(n_neighbors=k).fit(x, y).mi_
    theirs = im.mutual_information(
        x, y, approach="ksg", k=k, noise_level=0, minkowski_p=np.inf, base="e"
    )
    assert ours == pytest.approx(theirs, abs=1e-10)


@pytest.mark.parametrize("k", [3, 4])
def test_conditional_ksg_equals_infomeasure(k):
    A = sample(2000, 4, seed=10 + k)
    x, y, z = A[:, :1], A[:, 1:2], A[:, 2:]
    ours = raw_ksg(n_neighbors=k).fit(x, y, z=z).mi_
    theirs = im.conditional_mutual_information(
        x, y, cond=z, approach="ksg", k=k, noise_level=0, base="e"
    )
    assert ours == pytest.approx(theirs, abs=1e-10)


@pytest.mark.parametrize("k", [3, 4])
def test_infomeasure_ksg2_is_a_joint_radius_count(k):
    # infomeasure's ksg_id=2: inclusive counts (self included) within the
    # joint k-th distance in each marginal -- not KSG 2's marginal extents.
    A = sample(1500, 2, seed=20 + k)
    x, y = A[:, :1], A[:, 1:]
    theirs = im.mutual_information(x, y, approach="ksg", k=k, ksg_id=2, noise_level=0, base="e")
    eps = cKDTree(A).query(A, k=k + 1, p=np.inf)[0][:, -1]
    c_x = cKDTree(x).query_ball_point(x, eps, p=np.inf, return_length=True)
    c_y = cKDTree(y).query_ball_point(y, eps, p=np.inf, return_length=True)
    joint_radius = digamma(k) - 1 / k + digamma(len(A)) - np.mean(digamma(c_x) + digamma(c_y))
    assert theirs == pytest.approx(joint_radius, abs=1e-10)
    ksg2 = raw_ksg(n_neighbors=k, variant=2).fit(x, y).mi_
    assert abs(ksg2 - theirs) > 0.05


# -- ennemi ----------------------------------------------------------------------------


@pytest.mark.parametrize("k", [3, 4])
def test_ksg_equals_ennemi(k, monkeypatch):
    ennemi = pytest.importorskip("ennemi")
    estimators = pytest.importorskip("ennemi._entropy_estimators")
    A = sample(2000, 3, seed=30 + k)  # unit-scale data: ennemi's eps - 1e-12 is "strictly below"
    x, y, z = A[:, 0], A[:, 1], A[:, 2]
    mi = raw_ksg(n_neighbors=k).fit(x[:, None], y).mi_
    cmi = raw_ksg(n_neighbors=k).fit(x[:, None], y, z=z).mi_

    def ennemi_values():
        plain = ennemi.estimate_mi(y, x, k=k, preprocess=False)
        conditional = ennemi.estimate_mi(y, x, cond=z, k=k, preprocess=False)
        return float(np.squeeze(plain)), float(np.squeeze(conditional))

    # ennemi's own digamma is an asymptotic series (error ~1/(240 n^8), 1.6e-5 at n = 2)
    assert ennemi_values() == pytest.approx((mi, cmi), abs=2e-5)
    # with the exact digamma the algorithms are the same
    monkeypatch.setattr(estimators, "_psi", lambda a: digamma(np.asarray(a, dtype=np.float64)))
    assert ennemi_values() == pytest.approx((mi, cmi), abs=1e-12)
    # both defaults standardise and add 1e-10 noise (different seeds)
    default = float(np.squeeze(ennemi.estimate_mi(y, x, k=k)))
    assert KSGMutualInfo(n_neighbors=k, random_state=0).fit(x[:, None], y).mi_ == pytest.approx(
        default, abs=1e-4
    )


# -- transfer entropy ------------------------------------------------------------------------


@pytest.mark.parametrize("k", [3, 4])
@pytest.mark.parametrize("histories", [(1, 1), (2, 2), (1, 2), (2, 1)])
def test_ksg_transfer_entropy_equals_infomeasure(k, histories):
    target_history, source_history = histories
    x, y = coupled_series(3000, seed=k)
    theirs = im.transfer_entropy(
        x,
        y,
        approach="ksg",
        k=k,
        noise_level=0,
        src_hist_len=source_history,
        dest_hist_len=target_history,
        step_size=1,
        prop_time=0,
        base="e",
    )
    # the same embedded arrays, the same counts
    source_past, target_now, target_past = embed(x, y, target_history, source_history)
    ours = raw_ksg(n_neighbors=k).fit(source_past, target_now, z=target_past).mi_
    assert ours == pytest.approx(theirs, abs=1e-10)
    # TransferEntropy standardises each embedded column: on series of unit
    # variance that moves the value by at most 4e-4 here
    xs, ys = (x - x.mean()) / x.std(), (y - y.mean()) / y.std()
    theirs_std = im.transfer_entropy(
        xs,
        ys,
        approach="ksg",
        k=k,
        noise_level=0,
        src_hist_len=source_history,
        dest_hist_len=target_history,
        base="e",
    )
    te = TransferEntropy(target_history, source_history, n_neighbors=k, random_state=0)
    assert te.fit(xs[:, None], ys).te_ == pytest.approx(theirs_std, abs=1e-3)


def test_conditional_transfer_entropy_equals_infomeasure():
    x, y = coupled_series(2500, seed=5)
    w = np.random.default_rng(5).standard_normal(2500)
    theirs = im.conditional_transfer_entropy(
        x, y, cond=w, approach="ksg", k=4, noise_level=0, base="e"
    )
    source_past, target_now, target_past = embed(x, y, 1, 1)
    ours = raw_ksg(n_neighbors=4).fit(
        source_past, target_now, z=np.column_stack([target_past, w[:-1]])
    )
    assert ours.mi_ == pytest.approx(theirs, abs=1e-10)


# -- entropies ----------------------------------------------------------------------------


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("k", [3, 4])
def test_kozachenko_leonenko_equals_infomeasure(d, k):
    # both max-norm, psi(n) - psi(k) + d <log(2 r_k)>; skmi's 1e-10 tie-breaking
    # noise moves the value by at most 5e-9 here
    X = sample(3000, d, seed=40 + d + k)
    ours = skmi.entropy(X, method="knn", k=k, random_state=0).estimate
    theirs = im.entropy(X if d > 1 else X[:, 0], approach="kl", k=k, noise_level=0, base="e")
    assert ours == pytest.approx(theirs, abs=1e-6)


def symbols(n, seed, alphabet=30):
    rng = np.random.default_rng(seed)
    return rng.choice(alphabet, size=n, p=rng.dirichlet(np.ones(alphabet)))


@pytest.mark.parametrize("n", [20, 100, 1000])
@pytest.mark.parametrize(
    "ours, theirs",
    [("binned", "discrete"), ("miller-madow", "miller_madow"), ("chao-shen", "chao_shen")],
)
def test_discrete_entropies_equal_infomeasure(n, ours, theirs):
    data = symbols(n, seed=n)
    value = skmi.entropy(data, method=ours).estimate
    assert value == pytest.approx(im.entropy(data, approach=theirs, base="e"), abs=1e-12)


@pytest.mark.parametrize("n", [20, 100, 1000])
def test_grassberger_forms_differ_by_definition(n):
    data = symbols(n, seed=n)
    counts = np.unique(data, return_counts=True)[1].astype(np.float64)
    sign = (-1.0) ** counts
    g_1988 = digamma(counts) + sign / (counts + 1)
    g_2003 = digamma(counts) + 0.5 * sign * (digamma((counts + 1) / 2) - digamma(counts / 2))
    theirs = im.entropy(data, approach="grassberger", base="e")
    assert theirs == pytest.approx(np.log(n) - counts @ g_1988 / n, abs=1e-12)
    ours = skmi.entropy(data, method="grassberger").estimate
    assert ours == pytest.approx(np.log(n) - counts @ g_2003 / n, abs=1e-12)


def nsb_by_quadrature(counts, K, *, infomeasure_variant=False):
    """NSB's posterior mean of H by adaptive quadrature over beta.

    ``infomeasure_variant`` reproduces infomeasure 0.6.3's integral: beta in
    [0, log K], each symbol's likelihood term weighted by its count, the
    unseen symbols left out of the Dirichlet mean.
    """
    c = np.asarray(counts, dtype=np.float64)
    n = c.sum()
    weights = c if infomeasure_variant else np.ones_like(c)
    k_mean = len(c) if infomeasure_variant else K

    def log_weight(beta):  # log likelihood + log prior (d xi / d beta)
        like = gammaln(K * beta) - gammaln(n + K * beta)
        like += np.sum(weights * (gammaln(c + beta) - gammaln(beta)))
        return like + np.log(K * polygamma(1, K * beta + 1) - polygamma(1, beta + 1))

    def mean_entropy(beta):
        total = n + k_mean * beta
        unseen = (k_mean - len(c)) * beta * digamma(beta + 1)
        return digamma(total + 1) - (np.sum((c + beta) * digamma(c + beta + 1)) + unseen) / total

    if infomeasure_variant:
        lo, hi, to_beta, jac = 0.0, np.log(K), (lambda b: b), (lambda b: 1.0)
    else:  # over log(beta), 1e-12 .. 1e12
        lo, hi, to_beta, jac = np.log(1e-12), np.log(1e12), np.exp, np.exp
    grid = np.linspace(lo, hi, 4001)[1:]
    peak = max(log_weight(to_beta(u)) for u in grid)

    def weight(u):
        return np.exp(log_weight(to_beta(u)) - peak) * jac(u)

    num = quad(lambda u: weight(u) * mean_entropy(to_beta(u)), lo, hi, limit=500)[0]
    return num / quad(weight, lo, hi, limit=500)[0]


@pytest.mark.parametrize("n", [20, 100, 1000])
def test_nsb_is_the_posterior_mean(n):
    data = symbols(n, seed=n)
    counts = np.unique(data, return_counts=True)[1]
    for K in (len(counts), 30, 100):
        expected = nsb_by_quadrature(counts, K)
        assert nsb_entropy(counts, K) == pytest.approx(expected, abs=1e-9)
        assert skmi.entropy(data, method="nsb", n_symbols=K).estimate == pytest.approx(
            expected, abs=1e-9
        )


def test_infomeasure_nsb_is_a_different_integral():
    data = symbols(20, seed=20)
    counts = np.unique(data, return_counts=True)[1]
    for K in (len(counts), 30):
        theirs = im.entropy(data, approach="nsb", K=K, base="e")
        assert theirs == pytest.approx(
            nsb_by_quadrature(counts, K, infomeasure_variant=True), abs=1e-8
        )
        assert abs(theirs - nsb_by_quadrature(counts, K)) > 0.005  # 0.011, 0.57
