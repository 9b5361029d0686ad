"""estimate_mi's composite estimators: units, choice, and what resampling refits."""

import numpy as np
import pytest

from skmi import GaussianMutualInfo, KSGMutualInfo, LDAMutualInfo, TCopulaMutualInfo
from skmi._composites import LargerOfMutualInfo, TCopulaOrKSGMutualInfo
from skmi.auto._uncertainty import for_resampling, for_testing
from skmi.datasets import make_class_mixture, make_gaussian


@pytest.fixture(scope="module")
def gaussian():
    return make_gaussian(1500, 2, 2, correlation=0.6, random_state=0)


def test_larger_of_keeps_the_largest_part_and_reports_bits(gaussian):
    X, y, truth = gaussian
    est = LargerOfMutualInfo(random_state=0).fit(X, y)
    parts = [KSGMutualInfo(copula=True, discrete_target=False, random_state=0).fit(X, y).mi_]
    parts.append(GaussianMutualInfo(copula=True).fit(X, y).mi_)
    assert est.mi_ == pytest.approx(max(parts))
    assert est.chosen_ == ("KSGMutualInfo" if parts[0] > parts[1] else "GaussianMutualInfo")
    bits = LargerOfMutualInfo(random_state=0, units="bits").fit(X, y)
    assert bits.mi_ == pytest.approx(est.mi_ / np.log(2))
    # the parts report nats whatever units they were given: the composite converts once
    mixed = LargerOfMutualInfo([GaussianMutualInfo(copula=True, units="bits")]).fit(X, y)
    assert mixed.mi_ == pytest.approx(GaussianMutualInfo(copula=True).fit(X, y).mi_)
    assert abs(est.mi_ - truth) < 0.1


def test_larger_of_takes_class_labels_when_a_part_does():
    X, y, truth = make_class_mixture(1500, 3, 6, separation=1.5, random_state=0)
    est = LargerOfMutualInfo([LDAMutualInfo(random_state=0)]).fit(X, y)
    assert est.discrete_target_
    assert est.mi_ == pytest.approx(LDAMutualInfo(random_state=0).fit(X, y).mi_)
    assert est.mi_ < truth + 0.05  # a held-out bound


@pytest.mark.parametrize("bad", [[], [object()]])
def test_larger_of_refuses_bad_candidates(gaussian, bad):
    X, y, _ = gaussian
    with pytest.raises((ValueError, TypeError), match="estimators"):
        LargerOfMutualInfo(bad).fit(X, y)


def test_t_copula_or_ksg_chooses_the_copula_on_gaussian_data_in_any_units(gaussian):
    X, y, truth = gaussian
    est = TCopulaOrKSGMutualInfo(random_state=0).fit(X, y)
    assert est.chosen_ == "TCopulaMutualInfo"
    assert est.mi_ == pytest.approx(TCopulaMutualInfo().fit(X, y).mi_)
    assert abs(est.mi_ - truth) < 0.05
    bits = TCopulaOrKSGMutualInfo(random_state=0, units="bits").fit(X, y)
    assert bits.mi_ == pytest.approx(est.mi_ / np.log(2))
    assert f"{bits.mi_:.4g} bits" in bits.reason_


def test_t_copula_or_ksg_takes_knn_on_a_parabola():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(1500)
    y = x**2 + 0.3 * rng.standard_normal(1500)
    est = TCopulaOrKSGMutualInfo(random_state=0).fit(x[:, None], y)
    assert est.chosen_ == "KSGMutualInfo"
    assert est.non_elliptical_


def test_resampling_refits_the_chosen_part_in_the_composites_units(gaussian):
    X, y, _ = gaussian
    est = TCopulaOrKSGMutualInfo(random_state=0, units="bits").fit(X, y)
    part = for_resampling(est)
    assert isinstance(part, TCopulaMutualInfo) and part.units == "bits"
    assert part.df == est.df_
    assert part.fit(X, y).mi_ == pytest.approx(est.mi_)
    tested = for_testing(est)
    assert isinstance(tested, TCopulaOrKSGMutualInfo) and tested.df == est.df_
    larger = LargerOfMutualInfo(random_state=0, units="bits").fit(X, y)
    part = for_resampling(larger)
    assert type(part).__name__ == larger.chosen_ and part.units == "bits"
    assert part.fit(X, y).mi_ == pytest.approx(larger.mi_)


def test_larger_of_decides_class_labels_as_its_auto_candidates_do():
    from skmi import KSGMutualInfo

    rng = np.random.default_rng(0)
    x = rng.standard_normal((400, 1))
    labels = (x[:, 0] + rng.standard_normal(400) > 0).astype(int)
    alone = KSGMutualInfo(random_state=0).fit(x, labels).mi_
    est = LargerOfMutualInfo([KSGMutualInfo(random_state=0)]).fit(x, labels)
    assert est.discrete_target_ and est.mi_ == alone
    text = np.where(labels == 1, "a", "b")
    assert LargerOfMutualInfo([KSGMutualInfo(random_state=0)]).fit(x, text).mi_ == alone


@pytest.mark.parametrize("make", [LargerOfMutualInfo, TCopulaOrKSGMutualInfo])
def test_composite_score_uses_the_columns_kept_at_fit(make, gaussian):
    X, y, _ = gaussian
    with pytest.warns(UserWarning, match="constant"):
        est = make(random_state=0).fit(np.column_stack([X, np.ones(len(X))]), y)
    varied = np.column_stack([X, np.arange(len(X), dtype=float)])
    assert est.score(varied, y) == pytest.approx(make(random_state=0).fit(X, y).score(X, y))


@pytest.mark.parametrize("margin", [(np.nan, 0.0), (-1.0, 0.0), (1.0,), "x"])
def test_t_copula_or_ksg_refuses_a_bad_margin(margin, gaussian):
    X, y, _ = gaussian
    with pytest.raises(ValueError, match="margin"):
        TCopulaOrKSGMutualInfo(margin=margin).fit(X, y)
    assert TCopulaOrKSGMutualInfo(margin=np.array([1.15, 0.02])).fit(X, y).mi_ > 0


def test_chosen_estimator_before_fit_is_not_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        TCopulaOrKSGMutualInfo().chosen_estimator()


def test_estimate_mi_t_copula_or_ksg_drops_a_constant_column():
    import warnings

    from skmi import estimate_mi

    rng = np.random.default_rng(0)
    x = rng.standard_normal(300)
    y = x + rng.standard_normal(300)
    plain = estimate_mi(x, y, method="t-copula-or-ksg", random_state=0).estimate
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with_constant = estimate_mi(
            np.column_stack([x, np.ones(300)]), y, method="t-copula-or-ksg", random_state=0
        ).estimate
    assert with_constant == plain
