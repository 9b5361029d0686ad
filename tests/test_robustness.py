"""Every estimator against awkward input: a correct answer or a clear error
naming the argument, and the input left untouched -- plus fuzzing."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.base import clone

from skmi import BinnedMutualInfo, GaussianMutualInfo, KernelMutualInfo, KSGMutualInfo
from skmi.datasets import make_gaussian
from skmi.exceptions import SkmiWarning

ESTIMATORS = {
    "ksg": KSGMutualInfo(random_state=0),
    "ksg-mixed": KSGMutualInfo(ties="mixed"),
    "gaussian": GaussianMutualInfo(),
    "binned": BinnedMutualInfo(5),
    "kernel": KernelMutualInfo(),
}
try:
    import torch  # noqa: F401

    from skmi import NeuralMutualInfo

    ESTIMATORS["neural"] = NeuralMutualInfo(
        hidden_layer_sizes=(8,), max_epochs=2, batch_size=32, random_state=0
    )
except ImportError:  # pragma: no cover
    pass

NAMES = list(ESTIMATORS)
X0, Y0, _ = make_gaussian(120, 2, 1, correlation=0.7, random_state=0)


def _fit(name, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkmiWarning)
        return clone(ESTIMATORS[name]).fit(X, y).mi_


def _reference(name):
    return _fit(name, X0, Y0)


# -- layouts and containers: the same answer as a C-ordered float64 array ------------

pd = pytest.importorskip("pandas")

LAYOUTS = {
    "float32": lambda X, y: (X.astype(np.float32), y.astype(np.float32)),
    "fortran": lambda X, y: (np.asfortranarray(X), y),
    "non-contiguous": lambda X, y: (np.repeat(X, 2, axis=1)[:, ::2], np.repeat(y, 2)[::2]),
    "pandas": lambda X, y: (pd.DataFrame(X, columns=["a", "b"]), pd.Series(y)),
    "lists": lambda X, y: (X.tolist(), y.tolist()),
    "column y": lambda X, y: (X, y.reshape(-1, 1)),
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_layouts_give_the_same_answer(name, layout):
    X, y = LAYOUTS[layout](X0, Y0)
    value = _fit(name, X, y)
    # float32 rounds the data, which can move a k-NN count or a bin edge
    tolerance = 0.05 if layout == "float32" else 1e-9
    if name == "neural":
        tolerance = 0.2 if layout == "float32" else 1e-4  # float32 training, same seed
    assert value == pytest.approx(_reference(name), abs=tolerance)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("scale", [1e-30, 1e30])
def test_extreme_scales(name, scale):
    tolerance = 0.2 if name == "neural" else 1e-6
    assert _fit(name, X0 * scale, Y0 * scale) == pytest.approx(_reference(name), abs=tolerance)


# -- degenerate but answerable data ------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_integer_boolean_and_duplicated_data_have_finite_answers(name):
    rng = np.random.default_rng(0)
    X_int = rng.integers(0, 5, (200, 2))
    y_bool = (X_int[:, 0] + rng.integers(0, 2, 200)) > 2
    X_dup = np.repeat(X0[:40], 3, axis=0)
    y_dup = np.repeat(Y0[:40], 3)
    for X, y in [(X_int, y_bool), (X_int.astype(bool), X_int[:, 1]), (X_dup, y_dup)]:
        value = _fit(name, X, y)
        assert np.isfinite(value)


@pytest.mark.parametrize("name", NAMES)
def test_constant_column_dropped_with_a_warning(name):
    X = np.column_stack([X0, np.full(len(X0), 3.0)])
    with pytest.warns(SkmiWarning, match="constant"):
        clone(ESTIMATORS[name]).fit(X, Y0)


# -- errors that name the argument --------------------------------------------------

ERRORS = {
    "nan in X": (lambda: (np.where(np.eye(120, 2) > 0, np.nan, X0), Y0), ValueError, "X"),
    "inf in y": (lambda: (X0, np.where(np.arange(120) == 3, np.inf, Y0)), ValueError, "y"),
    "empty": (lambda: (np.empty((0, 2)), np.empty(0)), ValueError, "X has n_samples=0"),
    "one sample": (lambda: (X0[:1], Y0[:1]), ValueError, "X has n_samples=1"),
    "3-D X": (lambda: (X0.reshape(120, 2, 1), Y0), ValueError, "X must have shape"),
    "lengths": (lambda: (X0, Y0[:-1]), ValueError, "X has 120, y has 119"),
    "constant y": (lambda: (X0, np.ones(120)), ValueError, "y is constant"),
    "dict in X": (lambda: (np.array([[{"a": 1}, 1.0]] * 120, dtype=object), Y0), TypeError, ""),
}


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("case", list(ERRORS))
def test_clear_errors(name, case):
    make, error, message = ERRORS[case]
    X, y = make()
    with pytest.raises(error, match=message):
        clone(ESTIMATORS[name]).fit(X, y)


def test_n_smaller_than_k():
    with pytest.raises(ValueError, match=r"n_samples=4.*n_neighbors \+ 1 = 6"):
        KSGMutualInfo(n_neighbors=5).fit(X0[:4], Y0[:4])


# -- fuzzing ------------------------------------------------------------------------------

_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.sampled_from([0.0, 1.0, -1.0, 1e300, -1e-300]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from([n for n in NAMES if n != "neural"]),
    X=hnp.arrays(np.float64, st.tuples(st.integers(0, 40), st.integers(1, 3)), elements=_values),
    seed=st.integers(0, 2**16),
)
def test_fuzz_never_crashes_or_mutates(name, X, seed):
    y = np.random.default_rng(seed).standard_normal(len(X))
    X_before = X.copy()
    try:
        value = _fit(name, X, y)
    except (ValueError, TypeError) as error:
        assert str(error)  # a message, always
    else:
        assert np.isfinite(value) or value == np.inf
    np.testing.assert_array_equal(X, X_before)
