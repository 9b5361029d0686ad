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
