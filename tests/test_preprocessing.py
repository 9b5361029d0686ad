"""skmi._preprocessing: the one home for data kinds and column scaling."""

import numpy as np
import pytest

from skmi._preprocessing import (
    ColumnStats,
    column_stats,
    is_discrete,
    is_discrete_dtype,
    standardize,
)


@pytest.mark.parametrize("scale", [5e-324 * 2**60, 1e-300, 1e-165, 1.0, 1e155, 1e300])
def test_standardize_is_exact_at_every_scale(scale):
    # columns [1, 2, 3] * scale: mean 2 scale, population std sqrt(2/3) scale,
    # so the standardised column is [-1, 0, 1] * sqrt(3/2) whatever the scale
    A = np.array([[1.0], [2.0], [3.0]]) * scale
    expected = np.array([[-1.0], [0.0], [1.0]]) * np.sqrt(1.5)
    np.testing.assert_allclose(standardize(A), expected, rtol=1e-12, atol=1e-12)


def test_standardize_never_modifies_its_input_and_handles_constants():
    A = np.array([[1e308, 5.0], [-1e308, 5.0]])
    before = A.copy()
    out = standardize(A)
    np.testing.assert_array_equal(A, before)
    np.testing.assert_array_equal(out, [[1.0, 0.0], [-1.0, 0.0]])  # constant -> 0


def test_training_statistics_transform_new_data():
    train = np.array([[0.0], [2.0], [4.0]]) * 1e200
    stats = column_stats(train)
    assert isinstance(stats, ColumnStats)
    new = np.array([[2.0], [6.0]]) * 1e200
    # mean 2e200 and std sqrt(8/3) e200: (new - mean) / std
    np.testing.assert_allclose(standardize(new, stats).ravel(), [0.0, 4 / np.sqrt(8 / 3)])


def test_discrete_kinds():
    pd = pytest.importorskip("pandas")
    assert is_discrete_dtype(np.int8) and is_discrete_dtype(bool) and is_discrete_dtype("U3")
    assert not is_discrete_dtype(np.float32) and not is_discrete_dtype(np.complex128)
    assert is_discrete(pd.Series(["a", "b"], dtype="category"))
    assert is_discrete(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
    assert not is_discrete(pd.DataFrame({"a": [1, 2], "b": [0.5, 1.0]}))
    assert is_discrete([[1, 2]]) and not is_discrete([[1.5]])
