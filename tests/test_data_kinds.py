"""Data kinds by values, not dtype: the one classification estimate_mi, the
command line and the drop-in functions share."""

import numpy as np
import pytest

from skmi._data_kinds import classify, classify_column, discrete_columns


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (np.arange(200), "continuous"),  # IDs: integers, all distinct
        (np.arange(200, dtype=np.uint64), "continuous"),
        (np.round(1000 * np.random.default_rng(0).standard_normal(2000)), "continuous"),
        (np.round(150 + 75 * np.random.default_rng(0).standard_normal(442)), "continuous"),
        (np.array([0.0, 1.0] * 50), "discrete"),  # a float column with two values
        (np.random.default_rng(0).integers(0, 5, 300), "discrete"),
        (np.array(["a", "b", "c"] * 20), "discrete"),
        (np.array([True, False] * 20), "discrete"),
        (np.random.default_rng(0).standard_normal(500), "continuous"),
        (np.maximum(np.random.default_rng(0).standard_normal(500), 0), "mixed"),  # ReLU zeros
    ],
    ids=[
        "ids",
        "uint64",
        "round-1000z",
        "rounded-normal",
        "binary-float",
        "five-codes",
        "strings",
        "bool",
        "normal",
        "relu",
    ],
)
def test_column_kinds(values, kind):
    assert classify_column(values)[0] == kind


def test_a_side_of_several_kinds_is_mixed_and_the_override_wins():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 2, 100), rng.standard_normal(100)])
    found = classify(X, "X")
    assert found.kind == "mixed" and found.columns == ("discrete", "continuous")
    assert "X" in found.reason
    assert classify(X, "X", "continuous").kind == "continuous"
    assert discrete_columns(X).tolist() == [True, False]
    with pytest.raises(ValueError, match="x_kind"):
        classify(X, "x", "categorical")
    with pytest.raises(ValueError, match="non-numeric"):
        classify(np.array(["a", "b"] * 5), "y", "continuous")


def test_rounded_reals_are_ordered_numbers_on_a_grid():
    from skmi._data_kinds import classify_column, dither_steps, lattice_step

    rng = np.random.default_rng(0)
    z = rng.standard_normal(2000)
    rounded = np.round(z, 1)
    assert lattice_step(rounded) == pytest.approx(0.1)
    kind, reason = classify_column(rounded)
    assert kind == "continuous" and "grid of step 0.1" in reason
    # no grid: distinct reals, ReLU atoms, a censored normal, few levels
    assert lattice_step(z) == 0.0
    assert lattice_step(np.maximum(z, 0.0)) == 0.0
    assert lattice_step(np.minimum(z, 1.0)) == 0.0
    relu = np.column_stack([rounded, np.maximum(z, 0.0), rng.poisson(20, 2000)])
    assert dither_steps(relu).tolist() == pytest.approx([0.1, 0.0, 1.0])


def test_rounded_side_reads_the_mi_of_the_rounded_values():
    # y = z + N(0, 1): I(z; y) = log(2) / 2 = 0.3466; rounding z to 0.1 lowers it
    # by at most 0.5 log(1 + 0.01 / 12) < 5e-4. Counted as atoms (Gao et al.),
    # the rounded side read 0.413; dithered by the step it is a density.
    from skmi import estimate_mi

    rng = np.random.default_rng(2)
    z = rng.standard_normal(3000)
    y = z + rng.standard_normal(3000)
    result = estimate_mi(np.round(z, 1), y, random_state=0)
    assert result.x_kind == "continuous"
    assert result.estimate == pytest.approx(np.log(2) / 2, rel=0.06)


def _binned_gaussian_mi(edges):
    """I(bin(z); z + N(0, 1)) for z ~ N(0, 1) cut at ``edges``, by quadrature over y.

    p(y, bin) = phi(y / sqrt 2) / sqrt 2 * [Phi((b - y / 2) sqrt 2) - Phi((a - y / 2) sqrt 2)].
    """
    from scipy.stats import norm

    y = np.linspace(-12, 12, 48001)
    density = norm.pdf(y / np.sqrt(2)) / np.sqrt(2)
    a, b = edges[:-1, None], edges[1:, None]
    joint = density * (norm.cdf((b - y / 2) * np.sqrt(2)) - norm.cdf((a - y / 2) * np.sqrt(2)))
    reference = (norm.cdf(edges[1:]) - norm.cdf(edges[:-1]))[:, None] * density
    ok = (joint > 0) & (reference > 0)
    terms = np.where(ok, joint * np.log(np.where(ok, joint, 1) / np.where(ok, reference, 1)), 0)
    return float(np.trapezoid(terms.sum(axis=0), y))


def test_a_rounded_relu_keeps_its_atom():
    # maximum(0, round(z, 1)): half the samples at 0, the rest on a grid. Taken
    # as rounded numbers its atom was dithered away and it read 0.198 with an
    # interval that missed the truth (0.2645, quadrature below).
    from skmi import estimate_mi
    from skmi._data_kinds import classify_column

    truth = _binned_gaussian_mi(np.r_[-np.inf, 0.05 + np.arange(60) / 10, np.inf])
    assert truth == pytest.approx(0.2645, abs=1e-3)
    rng = np.random.default_rng(0)
    z = rng.standard_normal(2000)
    x = np.maximum(0.0, np.round(z, 1))
    assert classify_column(x)[0] == "mixed"
    result = estimate_mi(x, z + rng.standard_normal(2000), ci=True, random_state=0)
    assert result.method == "atoms"
    assert result.estimate == pytest.approx(truth, rel=0.1)
    assert result.ci[0] <= truth <= result.ci[1]


def test_grids_with_an_offset_an_outlier_or_heavy_tails_are_rounded():
    from skmi._data_kinds import classify_column

    rng = np.random.default_rng(0)
    z = np.round(rng.standard_normal(2000), 1)
    for column in (1e9 + z, np.r_[z[:-1], 50.0], np.round(rng.standard_t(2, 2000), 1)):
        assert classify_column(column)[1].startswith("rounded")
