"""Regressions found by attacking the merged issues 14 and 15 (reviewer X1)."""

import numpy as np
import pandas as pd
import pytest

from skmi import estimate_mi

_MISSING = [None, pd.NA, np.nan, pd.NaT]


@pytest.mark.parametrize("missing", _MISSING, ids=["None", "NA", "nan", "NaT"])
@pytest.mark.parametrize("side", ["X", "y", "z"])
def test_estimate_mi_refuses_missing_values_in_object_columns(missing, side):
    # was 0.0146 nats: estimate_mi took None as a fourth symbol of X, while
    # every estimator refused it (issue 14: refuse missing values of every kind)
    rng = np.random.default_rng(0)
    holed = np.array([1.0, missing, 2.0, 3.0] * 25, dtype=object)
    clean = rng.standard_normal(100)
    X, y, z = clean, clean + rng.standard_normal(100), None
    if side == "X":
        X = holed
    elif side == "y":
        y = holed
    else:
        z = holed
    original = holed.copy()
    with pytest.raises(ValueError, match=f"Input {side} contains NaN"):
        estimate_mi(X, y, z)
    assert all((a is b) or (a == b) for a, b in zip(holed, original, strict=True))


def test_estimate_mi_refuses_dates_naming_the_argument():
    # was numpy's UFuncTypeError ("ufunc 'remainder' cannot use operands...")
    dates = pd.Series(pd.date_range("2020", periods=100))
    with pytest.raises(ValueError, match="X holds dates"):
        estimate_mi(dates, np.random.default_rng(0).standard_normal(100))


@pytest.mark.parametrize(
    ("header", "separator", "width", "decimals"),
    [("", ",", 1, 18), ("a\n", ",", 1, 3), ("", "|", 2, 4), ("a|b\n", "|", 2, 4)],
)
def test_cli_reads_the_numbers_written(tmp_path, header, separator, width, decimals):
    # was: pandas' sniffer took '.', 'e' or a digit as the separator, so a
    # one-column file of numbers gave "Expected 6 fields" or two columns
    # ['', ''] under the header 'a'; a '|' file could not be read
    from skmi.cli._data import load_columns

    values = np.random.default_rng(0).standard_normal((40, width))
    path = tmp_path / "data.csv"
    np.savetxt(path, values, delimiter=separator, fmt=f"%.{decimals}e")
    path.write_text(header + path.read_text())
    read = load_columns(path, ",".join(str(c) for c in range(width)))
    assert read.shape == values.shape
    np.testing.assert_allclose(read.astype(float), values, rtol=10.0**-decimals)


@pytest.mark.parametrize("side", ["X", "y"])
@pytest.mark.parametrize("constant", [np.ones(60), np.array(["a"] * 60, dtype=object)])
def test_estimate_mi_names_the_constant_side(side, constant):
    # was "y has a single class" for a constant X (X, the class side, is
    # passed to the estimator as its y)
    other = np.random.default_rng(0).standard_normal(60)
    X, y = (constant, other) if side == "X" else (other, constant)
    with pytest.raises(ValueError, match=f"^{side} is constant"):
        estimate_mi(X, y)
