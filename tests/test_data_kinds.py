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
