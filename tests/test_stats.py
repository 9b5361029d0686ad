"""permutation_test and bootstrap_ci: calibration, power, and the right
resampling for each estimator."""

import numpy as np
import pytest
from scipy import stats

from skmi import (
    BinnedMutualInfo,
    GaussianMutualInfo,
    KSGMutualInfo,
    bootstrap_ci,
    permutation_test,
)
from skmi.datasets import make_gaussian


def _null_p_values(estimator, n_datasets, seed):
    data, permutation_seeds = np.random.default_rng(seed), np.random.default_rng(seed + 1)
    p_values = []
    for _ in range(n_datasets):
        X, y = data.standard_normal((150, 2)), data.standard_normal(150)
        result = permutation_test(
            estimator, X, y, n_permutations=39, random_state=permutation_seeds.integers(2**31)
        )
        p_values.append(result.p_value)
    return np.array(p_values)


@pytest.mark.parametrize(
    "estimator",
    [GaussianMutualInfo(), BinnedMutualInfo(4, strategy="quantile")],
    ids=["gaussian", "binned"],
)
def test_p_values_are_uniform_under_independence(estimator):
    p_values = _null_p_values(estimator, 60, seed=0)
    # Kolmogorov-Smirnov against U(0, 1); p-values live on the grid k / 40
    assert stats.kstest(p_values, "uniform").pvalue > 0.01


def test_ksg_test_keeps_its_level():
    # Exchangeability makes any permutation test valid; KSG's p-values came
    # out slightly conservative (mean 0.52 against 0.51 over 300 datasets,
    # NPEET's KSG alike), so the check is on the level, not on uniformity.
    p_values = _null_p_values(KSGMutualInfo(random_state=0), 60, seed=2)
    assert np.mean(p_values <= 0.1) <= 0.2 and np.mean(p_values) > 0.4


def test_p_values_are_small_under_dependence():
    X, y, _ = make_gaussian(500, correlation=0.6, random_state=0)  # MI 0.22 nats
    result = permutation_test(
        KSGMutualInfo(random_state=0), X, y, n_permutations=99, random_state=0
    )
    assert result.p_value == pytest.approx(0.01)  # no permutation reached the estimate
    assert result.null_distribution.shape == (99,)


def test_shuffle_adjustment_removes_bias_on_independent_data():
    rng = np.random.default_rng(1)
    raw, adjusted = [], []
    for _ in range(15):
        X, y = rng.standard_normal((100, 3)), rng.standard_normal((100, 3))
        result = permutation_test(
            GaussianMutualInfo(), X, y, n_permutations=30, random_state=rng.integers(1e9)
        )
        raw.append(result.estimate)
        adjusted.append(result.adjusted_estimate)
    assert np.mean(raw) > 0.03  # the plug-in is biased up with 9 correlations at n = 100
    assert abs(np.mean(adjusted)) < 0.3 * np.mean(raw)


def test_refit_false_scores_a_fitted_estimator():
    X, y, _ = make_gaussian(400, correlation=0.5, random_state=0)
    est = GaussianMutualInfo().fit(X, y)
    result = permutation_test(est, X, y, n_permutations=20, refit=False, random_state=0)
    assert result.estimate == est.mi_ and result.p_value < 0.1


@pytest.mark.parametrize(
    ("estimator", "method"),
    [
        (KSGMutualInfo(random_state=0), "subsample"),
        (GaussianMutualInfo(), "bootstrap"),
        (BinnedMutualInfo(), "bootstrap"),
    ],
)
def test_default_resampling_per_estimator(estimator, method):
    X, y, truth = make_gaussian(800, correlation=0.6, random_state=0)
    ci = bootstrap_ci(estimator, X, y, n_resamples=30, random_state=0)
    assert ci.method == method and ci.low < ci.estimate < ci.high
    assert len(ci.replicates) == 30


def test_gaussian_interval_coverage():
    # The closed form has no bias worth the name at n = 500: its basic
    # bootstrap interval should cover the truth most of the time.
    covered = 0
    for seed in range(30):
        X, y, truth = make_gaussian(500, correlation=0.5, random_state=seed)
        ci = bootstrap_ci(GaussianMutualInfo(), X, y, n_resamples=60, random_state=seed)
        covered += ci.low <= truth <= ci.high
    assert covered >= 24  # nominal 95 %: 28.5 of 30 expected, binomial sd 1.2


def test_seeds_method_for_a_neural_estimator():
    pytest.importorskip("torch")
    from skmi import NeuralMutualInfo

    X, y, _ = make_gaussian(600, 2, 2, mi=0.8, random_state=0)
    est = NeuralMutualInfo(hidden_layer_sizes=(16,), max_epochs=5, random_state=0)
    ci = bootstrap_ci(est, X, y, n_resamples=3)
    assert ci.method == "seeds" and len(set(ci.replicates)) == 3 and ci.low < ci.high


def test_bad_arguments():
    X, y, _ = make_gaussian(50, random_state=0)
    with pytest.raises(ValueError, match="inconsistent"):
        permutation_test(GaussianMutualInfo(), X, y[:-1])
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_ci(GaussianMutualInfo(), X, y, confidence=1.5)
    with pytest.raises(ValueError, match="random_state"):
        bootstrap_ci(GaussianMutualInfo(), X, y, method="seeds")


# -- issue 15 / 13 / 14: declared resampling, honest intervals, one warning ---------


def test_resampling_follows_the_declared_traits_and_composites_take_the_strictest():
    from skmi._traits import get_traits
    from skmi.auto import LargerOfMutualInfo

    larger = LargerOfMutualInfo([KSGMutualInfo(), GaussianMutualInfo()])
    assert get_traits(larger).resampling == "subsample"
    assert get_traits(GaussianMutualInfo()).resampling == "bootstrap"
    X, y, _ = make_gaussian(600, 2, 2, correlation=0.5, random_state=0)
    ci = bootstrap_ci(larger, X, y, n_resamples=20, random_state=0)
    assert ci.method == "subsample" and ci.low <= ci.estimate <= ci.high


def test_binned_interval_contains_its_estimate():
    # was 0.2587 with [0.1314, 0.2467]: the basic interval reflected the
    # bootstrap's upward bias of the plug-in through the estimate
    X, y, _ = make_gaussian(2000, correlation=0.5, random_state=1)
    ci = bootstrap_ci(BinnedMutualInfo(), X, y, n_resamples=40, random_state=0)
    assert ci.low <= ci.estimate <= ci.high and ci.high >= 0
    assert ci.resample_shift > 0  # the bias the interval leaves out, stated
    assert "percentile" in ci.description


def test_interval_never_lies_wholly_below_zero():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((300, 1)), rng.standard_normal(300)
    ci = bootstrap_ci(KSGMutualInfo(random_state=0), X, y, n_resamples=30, random_state=0)
    assert ci.high >= 0 and ci.low <= ci.estimate <= ci.high


def test_class_targets_are_resampled_within_classes():
    # a resample that drops a class used to fail with "y has a single class"
    rng = np.random.default_rng(0)
    y = np.r_[np.zeros(60, int), np.ones(3, int)]
    X = rng.standard_normal((63, 2)) + y[:, None]
    for method in ("bootstrap", "subsample"):
        ci = bootstrap_ci(
            BinnedMutualInfo(discrete_target=True),
            X,
            y,
            method=method,
            n_resamples=40,
            random_state=0,
        )
        assert ci.stratified and np.isfinite(ci.replicates).all()


def test_one_warning_per_call_at_the_callers_line():
    # was 51 to 101 TiesWarnings pointing into stats.py / _base.py
    import warnings

    from skmi.exceptions import TiesWarning

    rng = np.random.default_rng(0)
    x = np.round(rng.standard_normal(300), 1)
    y = x + rng.standard_normal(300)
    for call in (
        lambda: bootstrap_ci(KSGMutualInfo(), x[:, None], y, n_resamples=20, random_state=0),
        lambda: permutation_test(KSGMutualInfo(), x[:, None], y, n_permutations=20),
    ):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        ties = [w for w in caught if issubclass(w.category, TiesWarning)]
        assert len(ties) == 1 and ties[0].filename == __file__


@pytest.mark.parametrize("bad", [0, -5, True, 2.5])
def test_permutation_count_is_validated(bad):
    X, y, _ = make_gaussian(50, random_state=0)
    with pytest.raises((ValueError, TypeError), match="n_permutations"):
        permutation_test(GaussianMutualInfo(), X, y, n_permutations=bad)


def test_smallest_attainable_p_value_is_reported():
    X, y, _ = make_gaussian(400, correlation=0.6, random_state=0)
    result = permutation_test(GaussianMutualInfo(), X, y, n_permutations=49, random_state=0)
    assert result.min_p_value == pytest.approx(0.02) and result.p_value_text() == "p <= 0.02"


def test_conditional_permutation_test_within_z_neighbourhoods():
    # x and y depend only through z: conditionally independent, while the
    # unconditional test finds the (spurious) dependence
    rng = np.random.default_rng(0)
    z = rng.standard_normal(400)
    x, y = z + 0.5 * rng.standard_normal(400), z + 0.5 * rng.standard_normal(400)
    est = GaussianMutualInfo()
    marginal = permutation_test(est, x[:, None], y, n_permutations=49, random_state=0)
    conditional = permutation_test(est, x[:, None], y, z=z, n_permutations=49, random_state=0)
    assert marginal.p_value <= 0.02 and conditional.p_value > 0.05 and conditional.conditional
    # a direct effect of x on y given z is found
    y2 = y + 0.5 * x
    direct = permutation_test(est, x[:, None], y2, z=z, n_permutations=49, random_state=0)
    assert direct.p_value <= 0.02
    with pytest.raises(ValueError, match="condition"):
        permutation_test(BinnedMutualInfo(), x[:, None], y, z=z, n_permutations=5)


def test_verbose_shows_progress_and_changes_no_value(capsys):
    # progress on long work (issues 28, 29): a bar on stderr, the same numbers
    from skmi import GaussianMutualInfo, KSGMutualInfo, bootstrap_ci, estimate_mi, permutation_test
    from skmi.datasets import make_gaussian

    X, y, _ = make_gaussian(300, random_state=0)
    quiet = permutation_test(KSGMutualInfo(random_state=0), X, y, n_permutations=7, random_state=0)
    capsys.readouterr()
    loud = permutation_test(
        KSGMutualInfo(random_state=0), X, y, n_permutations=7, random_state=0, verbose=1
    )
    assert "permutation test" in capsys.readouterr().err
    np.testing.assert_array_equal(quiet.null_distribution, loud.null_distribution)
    a = bootstrap_ci(GaussianMutualInfo(), X, y, n_resamples=9, random_state=0)
    b = bootstrap_ci(GaussianMutualInfo(), X, y, n_resamples=9, random_state=0, verbose=True)
    assert "interval resamples" in capsys.readouterr().err
    assert (a.low, a.high) == (b.low, b.high)
    r = estimate_mi(X, y, ci=True, p_value=True, n_permutations=5, random_state=0, verbose=1)
    err = capsys.readouterr().err
    assert "interval resamples" in err and "permutation test" in err
    assert r.ci == estimate_mi(X, y, ci=True, random_state=0).ci


def test_local_permutations_mix_samples_of_a_discrete_z():
    # ties in z broken at random: with a fixed tie order every sample of a group
    # had the same few neighbours and 82 % of the samples stayed in place
    from skmi.stats import _local_permutation, _z_neighbours

    rng = np.random.default_rng(0)
    z = rng.integers(0, 3, (200, 2)).astype(float)
    neighbours = _z_neighbours(z, 5, rng)
    same_z = (z[neighbours[:, 1:]] == z[:, None, :]).all(axis=2)
    assert same_z.all()  # groups of about 22: the 5 nearest share the sample's z
    stayed = np.mean(
        [(_local_permutation(neighbours, rng) == np.arange(200)).mean() for _ in range(20)]
    )
    assert stayed < 0.3


def test_local_permutations_do_not_reuse_a_fixed_seed():
    # the tie-breaking noise was drawn from seed 0: for an x drawn from seed 0 it
    # was x itself, and the permutations left x in place (p = 0.71, binary z)
    from skmi import KSGMutualInfo, permutation_test

    rng = np.random.default_rng(0)
    x = rng.standard_normal(500)
    y = x + rng.standard_normal(500)
    z = rng.integers(0, 2, (500, 1)).astype(float)
    test = permutation_test(
        KSGMutualInfo(random_state=0), x[:, None], y, z=z, n_permutations=49, random_state=0
    )
    assert test.p_value <= 0.05


# -- Besag and Clifford's sequential p-value (issue 28) --------------------------------


def test_sequential_p_values_keep_the_level_under_independence():
    # Besag & Clifford (1991): p = h / L when the h-th exceedance comes at
    # draw L, else the fixed-run value; P(p <= alpha) <= alpha. 300 data sets
    # of two independent columns, h = 5 of at most 99 permutations.
    data = np.random.default_rng(7)
    p_values, drawn = [], []
    for seed in range(300):
        X, y = data.standard_normal((40, 1)), data.standard_normal(40)
        result = permutation_test(
            GaussianMutualInfo(), X, y, n_permutations=99, stop_after=5, random_state=seed
        )
        p_values.append(result.p_value)
        drawn.append(len(result.null_distribution))
    p_values = np.array(p_values)
    se = np.sqrt(0.05 * 0.95 / 300)
    assert np.mean(p_values <= 0.05) <= 0.05 + 3 * se
    assert np.mean(p_values <= 0.2) <= 0.2 + 3 * np.sqrt(0.2 * 0.8 / 300)
    assert np.mean(drawn) < 30  # about h / p draws, not 99


def test_sequential_null_is_the_prefix_of_the_fixed_one():
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((200, 1)), rng.standard_normal(200)
    estimator = KSGMutualInfo(random_state=0)
    fixed = permutation_test(estimator, X, y, n_permutations=60, random_state=1)
    early = permutation_test(estimator, X, y, n_permutations=60, stop_after=4, random_state=1)
    L = len(early.null_distribution)
    assert L < 60
    np.testing.assert_array_equal(early.null_distribution, fixed.null_distribution[:L])
    reached = early.null_distribution >= early.estimate
    assert reached.sum() == 4 and reached[-1]  # stopped at the 4th exceedance
    assert early.p_value == 4 / L
    assert early.min_p_value == fixed.min_p_value == 1 / 61


def test_sequential_test_draws_everything_under_clear_dependence():
    X, y, _ = make_gaussian(300, correlation=0.6, random_state=0)
    fixed = permutation_test(GaussianMutualInfo(), X, y, n_permutations=49, random_state=0)
    early = permutation_test(
        GaussianMutualInfo(), X, y, n_permutations=49, stop_after=10, random_state=0
    )
    assert early.p_value == fixed.p_value == 0.02
    np.testing.assert_array_equal(early.null_distribution, fixed.null_distribution)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_stop_after_is_validated(bad):
    X, y, _ = make_gaussian(50, random_state=0)
    with pytest.raises((ValueError, TypeError), match="stop_after"):
        permutation_test(GaussianMutualInfo(), X, y, stop_after=bad)


def test_sequential_p_values_below_h_over_m_are_the_fixed_ones():
    # Stopping needs h exceedances, so a stopped run has p = h / L >= h / m,
    # and the fixed run on the same draws has p >= (h + 1) / (m + 1): every
    # p-value below h / m is the fixed one, and so is every decision at a
    # level below it (size and power at 0.05 are the fixed test's).
    p_fixed, p_sequential = [], []
    for seed in range(40):
        X, y, _ = make_gaussian(100, correlation=0.2, random_state=seed)
        kwargs = dict(n_permutations=99, random_state=seed)
        p_fixed.append(permutation_test(GaussianMutualInfo(), X, y, **kwargs).p_value)
        p_sequential.append(
            permutation_test(GaussianMutualInfo(), X, y, stop_after=10, **kwargs).p_value
        )
    p_fixed, p_sequential = np.array(p_fixed), np.array(p_sequential)
    small = p_fixed < 10 / 99
    assert 5 < small.sum() < 35  # both kinds of data sets occur
    np.testing.assert_array_equal(p_sequential[small], p_fixed[small])
    assert np.all(p_sequential[~small] >= 10 / 99)


def test_stopped_early_is_reported_by_the_run_not_by_the_count():
    # Found by the attack: the note keyed on "fewer drawn than asked" was
    # wrong both ways. A 10th exceedance at the last permutation is a
    # Besag-Clifford p = 10/15 (a fixed run gives (1 + G) / 16 >= 11/16);
    # fewer circular shifts than asked (a short series) is no stopping.
    from skmi import estimate_mi

    found = False
    rng = np.random.RandomState(0)
    for seed in range(60):
        x, y = rng.randn(200), rng.randn(200)
        test = permutation_test(
            GaussianMutualInfo(),
            x[:, None],
            y,
            n_permutations=15,
            stop_after=10,
            random_state=seed,
        )
        if test.stopped_early and len(test.null_distribution) == 15:
            assert test.p_value == 10 / 15
            found = True
            break
    assert found
    rng = np.random.RandomState(3)
    x = rng.randn(60).cumsum() * 0.1 + rng.randn(60)
    y = 0.8 * x + rng.randn(60)
    result = estimate_mi(x, y, time_series=True, p_value=True, random_state=0)
    assert result.p_value == result.min_p_value
    assert not any("Besag" in note for note in result.notes)


def test_sequential_progress_is_one_bar_over_the_planned_draws(capsys):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((300, 1)), rng.standard_normal(300)
    capsys.readouterr()
    permutation_test(
        GaussianMutualInfo(), X, y, n_permutations=100, stop_after=10, random_state=0, verbose=1
    )
    err = capsys.readouterr().err
    assert "/100" in err and "/10 " not in err and "/10\n" not in err
