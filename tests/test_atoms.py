"""AtomDecompositionMutualInfo against the ReLU-atom family's quadrature truth."""

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import norm

from skmi import AtomDecompositionMutualInfo, GaussianMutualInfo, KSGMutualInfo
from skmi._traits import get_traits
from skmi.datasets import make_gaussian, make_relu_atoms
from skmi.exceptions import SkmiWarning


def _pattern_truth(noise):
    # I(x; 1[x + s e > 0]) = log 2 - E_x[h(Phi(-x / s))], h the binary entropy
    def h(p):
        return 0.0 if p <= 0 or p >= 1 else -p * np.log(p) - (1 - p) * np.log1p(-p)

    inner = integrate.quad(lambda x: norm.pdf(x) * h(norm.cdf(-x / noise)), -12, 12, epsabs=1e-12)
    return np.log(2) - inner[0]


@pytest.mark.parametrize("d", [3, 5])
def test_relu_atoms_within_eight_percent(d):
    # issue 17: the mixed k-NN estimator was 28 % low at d = 5, noise 0.5.
    # Measured at n = 3000 over seeds: errors within 4 %.
    X, y, truth = make_relu_atoms(3000, d, noise=0.5, random_state=2)
    est = AtomDecompositionMutualInfo(random_state=0).fit(X, y)
    assert est.mi_ == pytest.approx(truth, rel=0.08)
    assert est.pattern_mi_ == pytest.approx(d * _pattern_truth(0.5), rel=0.08)
    assert est.n_patterns_ == 2**d and est.skipped_fraction_ == 0.0
    assert est.pattern_mi_ + est.within_mi_ == pytest.approx(est.mi_)


def test_without_atoms_it_is_the_within_estimator():
    X, y, _ = make_gaussian(400, 2, 2, correlation=0.5, random_state=0)
    est = AtomDecompositionMutualInfo().fit(X, y)
    assert est.pattern_mi_ == 0.0 and est.n_patterns_ == 1
    assert est.mi_ == pytest.approx(GaussianMutualInfo(bias_correction=True).fit(X, y).mi_)


def test_other_atom_values_and_units():
    X, y, truth = make_relu_atoms(2000, 2, noise=0.5, random_state=0)
    nats = AtomDecompositionMutualInfo(random_state=0).fit(X, y).mi_
    shifted = AtomDecompositionMutualInfo(atom=-1.0, random_state=0).fit(X, y - 1.0).mi_
    bits = AtomDecompositionMutualInfo(units="bits", random_state=0).fit(X, y).mi_
    assert shifted == pytest.approx(nats)
    assert bits == pytest.approx(nats / np.log(2))


def test_rare_patterns_are_left_out_with_a_warning():
    X, y, _ = make_relu_atoms(150, 8, noise=0.5, random_state=0)
    with pytest.warns(SkmiWarning, match="too rare"):
        est = AtomDecompositionMutualInfo(random_state=0).fit(X, y)
    assert est.skipped_fraction_ > 0.05


def test_traits_are_the_strictest_of_the_parts():
    assert get_traits(AtomDecompositionMutualInfo()).resampling == "subsample"
    both_closed_form = AtomDecompositionMutualInfo(pattern_estimator=GaussianMutualInfo())
    assert get_traits(both_closed_form).resampling == "bootstrap"


def test_atom_share_diagnostic():
    from skmi._atoms import atom_share

    X, y, _ = make_relu_atoms(4000, 3, noise=0.5, random_state=0)
    np.testing.assert_allclose(atom_share(y), 0.5, atol=0.03)
    assert atom_share(X).max() == 0.0
    assert atom_share(X, atom=None).max() == pytest.approx(1 / 4000)


def test_a_gaussian_pattern_estimator_sees_one_hot_patterns():
    X, y, _ = make_relu_atoms(1500, 2, noise=0.5, random_state=0)
    est = AtomDecompositionMutualInfo(pattern_estimator=GaussianMutualInfo()).fit(X, y)
    codes = np.unique(y != 0, axis=0, return_inverse=True)[1].reshape(-1)
    expected = GaussianMutualInfo(discrete_target=True).fit(X, codes).mi_
    assert est.pattern_mi_ == pytest.approx(expected)


def test_boolean_atom_is_refused_by_name():
    X, y, _ = make_relu_atoms(60, 2, random_state=0)
    with pytest.raises(TypeError, match="atom"):
        AtomDecompositionMutualInfo(atom=True).fit(X, y)


def test_patterns_all_too_rare_is_an_error_not_nan():
    # five samples in four columns: every zero pattern is a singleton, so the
    # pattern term cannot be estimated (it was NaN)
    rng = np.random.default_rng(16)
    X, y = rng.standard_normal((5, 4)), np.maximum(rng.standard_normal((5, 4)), 0)
    y[:, 0] = np.arange(1, 6)  # one column without atoms, so y is not all-constant
    y[[0, 1, 2], 1] = 0.0
    y[[3, 4], 1] = [1.0, 2.0]
    y[:, 2] = [0, 1, 0, 2, 3]
    y[:, 3] = [0, 0, 1, 2, 0]
    codes = np.unique(y != 0, axis=0, return_inverse=True)[1]
    assert len(np.unique(codes)) == 5
    with pytest.raises(ValueError, match="too rare"):
        AtomDecompositionMutualInfo(random_state=0).fit(X, y)


# -- atoms at any value, against class labels (issue 26: the class-vs-atoms cell) ---------


def _class_atoms_truth(m, p):
    """``make_discrete_continuous``'s law, split as the chain rule splits it.

    B = the atom y sits at (y = x exactly, with probability p) or
    "continuous". Given X, whether y is an atom is a coin of bias p and the
    atom is X itself, so ``I(X; B) = H(B) - H(B | X) = p log m``; on the
    continuous part ``y = X + U(0, 2)`` with X uniform on m values, whose MI
    is ``log m - (m - 1)/m log 2``.
    """
    pattern = p * np.log(m)
    within = np.log(m) - (m - 1) / m * np.log(2.0)
    return pattern, within


def test_class_labels_against_repeated_atoms_follow_the_chain_rule():
    from skmi.datasets import make_discrete_continuous

    X, y, truth = make_discrete_continuous(4000, 4, atom_probability=0.3, random_state=1)
    pattern, within = _class_atoms_truth(4, 0.3)
    assert pattern + 0.7 * within == pytest.approx(truth, rel=1e-12)
    est = AtomDecompositionMutualInfo(atom="repeated", discrete_target=True, random_state=0)
    est.fit(y.reshape(-1, 1), X[:, 0])  # the variable with atoms as X, the labels as y
    assert est.discrete_target_
    # sd over data sets at n = 4000: about 0.007 (pattern) and 0.008 (total)
    assert est.pattern_mi_ == pytest.approx(pattern, abs=0.03)
    assert est.mi_ == pytest.approx(truth, abs=0.03)
    assert est.n_patterns_ == 5  # four atoms and the continuous part


def test_repeated_atoms_equal_a_named_atom():
    # y with one atom at 7.0 (30 %) and a continuous part: "repeated" finds the atom
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2000, 1))
    y = X[:, 0] + rng.standard_normal(2000)
    y[rng.random(2000) < 0.3] = 7.0
    named = AtomDecompositionMutualInfo(atom=7.0, random_state=0).fit(X, y)
    found = AtomDecompositionMutualInfo(atom="repeated", random_state=0).fit(X, y)
    assert found.mi_ == named.mi_ and found.n_patterns_ == named.n_patterns_ == 2


def test_estimate_mi_takes_the_chain_rule_for_classes_against_atoms():
    from skmi import estimate_mi
    from skmi.datasets import make_discrete_continuous

    X, y, truth = make_discrete_continuous(3000, 4, atom_probability=0.3, random_state=2)
    for a, b in ((X, y), (y, X[:, 0])):  # the class side on either side
        result = estimate_mi(a, b, random_state=0)
        assert result.method == "class-atoms"
        assert result.estimate == pytest.approx(truth, abs=0.035)  # sd about 0.01


def test_within_auto_uses_knn_for_small_patterns():
    # Given its pattern a ReLU output's X is a truncated Gaussian: the
    # Gaussian within-pattern MI keeps a bias that n does not shrink, which
    # k-NN (consistent) avoids in low dimension. Truth: the family's quadrature.
    X, y, truth = make_relu_atoms(5000, 1, noise=0.3, random_state=7)
    gaussian = AtomDecompositionMutualInfo(random_state=0).fit(X, y).mi_
    auto = AtomDecompositionMutualInfo(within_estimator="auto", random_state=0).fit(X, y).mi_
    assert abs(auto - truth) < abs(gaussian - truth)
    assert auto == pytest.approx(truth, rel=0.03)  # sd about 0.7 % at this n
    est = AtomDecompositionMutualInfo(within_estimator="auto")
    assert isinstance(est._small_or_large(4), KSGMutualInfo)
    assert isinstance(est._small_or_large(5), GaussianMutualInfo)
    assert get_traits(est).resampling == "subsample"
