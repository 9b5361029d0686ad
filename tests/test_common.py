"""The contract every skmi estimator keeps, driven by the one list in conftest.

scikit-learn's common checks first; then what they do not catch (inputs
mutated, ``score`` before ``fit``, seeding, pickling, units) and the one
bad-input suite: a clear error naming the argument, for every MI estimator.
"""

import inspect
import pickle
import re
import warnings

import numpy as np
import pytest
from conftest import ENTRIES, MI_ESTIMATORS, estimator_id, is_neural
from sklearn.base import BaseEstimator, clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

import skmi
from skmi.datasets import make_gaussian
from skmi.exceptions import SkmiWarning

_EXPECTED = {id(e.estimator): dict(e.expected_failed_checks) for e in ENTRIES}


@parametrize_with_checks(
    [e.estimator for e in ENTRIES], expected_failed_checks=lambda est: _EXPECTED[id(est)]
)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        # the checks feed integer and tiny data on purpose: ties and ceilings
        warnings.simplefilter("ignore", SkmiWarning)
        check(estimator)


def test_every_public_estimator_is_in_the_list():
    listed = {type(e.estimator) for e in ENTRIES}
    public = {
        obj
        for name in skmi.__all__
        if inspect.isclass(obj := getattr(skmi, name)) and issubclass(obj, BaseEstimator)
    }
    try:
        import torch  # noqa: F401
    except ImportError:  # pragma: no cover
        public = {c for c in public if not c.__module__.startswith(("skmi._neural", "skmi.probe"))}
        public.discard(skmi.LayerMIProbe)
    missing = {c.__name__ for c in public - listed}
    assert not missing, f"public estimators missing from tests/conftest.py: {missing}"


@pytest.fixture(scope="module")
def data():
    X, y, _ = make_gaussian(300, 2, 1, correlation=0.7, random_state=0)
    return X, y


def _entry_data(entry, data):
    """The data an entry takes: a class-only estimator gets y cut into two classes."""
    X, y = data
    if entry.kind == "class-mi":
        y = (y > np.median(y)).astype(np.int64)
    return X, y


def _fit_entry(entry, X, y):
    est = clone(entry.estimator)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkmiWarning)
        if entry.kind in ("unsupervised-mi", "transformer"):
            return est.fit(X.astype(np.float32))
        return est.fit(X, y)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: estimator_id(e.estimator))
def test_inputs_are_never_modified(entry, data):
    data = _entry_data(entry, data)
    X, y = (a.copy() for a in data)
    est = _fit_entry(entry, X, y)
    X32 = X.astype(np.float32)
    X32_before = X32.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkmiWarning)
        if entry.kind in ("mi", "class-mi"):
            est.score(X, y)
            if hasattr(est, "pointwise_mi"):
                est.pointwise_mi(X, y)
        elif entry.kind == "unsupervised-mi":
            est.score(X32)
        elif entry.kind == "transformer":
            est.transform(X32)
        else:
            est.transform(X)
    np.testing.assert_array_equal(X, data[0])
    np.testing.assert_array_equal(y, data[1])
    np.testing.assert_array_equal(X32, X32_before)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: estimator_id(e.estimator))
def test_fitted_estimator_survives_pickling(entry, data):
    data = _entry_data(entry, data)
    est = _fit_entry(entry, *data)
    restored = pickle.loads(pickle.dumps(est))
    if entry.kind in ("mi", "class-mi"):
        assert restored.score(*data) == est.score(*data)
    if hasattr(est, "mi_"):
        assert restored.mi_ == est.mi_


# -- the MI-estimator contract -------------------------------------------------------

mi_estimators = pytest.mark.parametrize("estimator", MI_ESTIMATORS, ids=estimator_id)


@mi_estimators
def test_score_before_fit_raises(estimator, data):
    with pytest.raises(NotFittedError):
        clone(estimator).score(*data)
    if hasattr(estimator, "pointwise_mi"):
        with pytest.raises(NotFittedError):
            clone(estimator).pointwise_mi(*data)


@mi_estimators
def test_same_random_state_same_estimate(estimator, data):
    first = _fit_entry_mi(estimator, data).mi_
    second = _fit_entry_mi(estimator, data).mi_
    assert first == second  # bit for bit


@mi_estimators
def test_score_on_training_data_is_mi(estimator, data):
    if is_neural(estimator):
        pytest.skip("a neural mi_ is the bound on the held-out split, not on all the data")
    # No trained model: score re-estimates with the same parameters (and
    # the same seed), so on the training data it is mi_.
    est = _fit_entry_mi(estimator, data)
    assert est.score(*data) == est.mi_


@mi_estimators
def test_pointwise_terms_average_to_the_estimate(estimator, data):
    if not hasattr(estimator, "pointwise_mi"):
        pytest.skip(f"{type(estimator).__name__} has no pointwise terms")
    est = _fit_entry_mi(estimator, data)
    terms = est.pointwise_mi(*data)
    assert terms.shape == (len(data[0]),)
    if getattr(est, "shrinkage", None) is not None:
        # Documented exception: under a shrunk covariance the log density
        # ratios average to the resubstitution estimate, which differs from
        # the closed form by O(d^2 / n).
        assert np.mean(terms) == pytest.approx(est.mi_, abs=0.1)
    elif is_neural(estimator):
        assert np.mean(terms) == pytest.approx(est.score(*data), abs=1e-5)
    else:
        assert np.nanmean(terms) == pytest.approx(est.mi_, abs=1e-12)


@mi_estimators
def test_bits_are_nats_over_log2(estimator, data):
    nats = _fit_entry_mi(estimator, data).mi_
    bits = _fit_entry_mi(clone(estimator).set_params(units="bits"), data).mi_
    # neural training runs in float32: the same seed, rounding in the last bits
    rel = 1e-5 if is_neural(estimator) else 1e-12
    assert bits == pytest.approx(nats / np.log(2), rel=rel)


def _fit_entry_mi(estimator, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkmiWarning)
        return clone(estimator).fit(*data)


# -- bad input: a clear error that names the argument (the one suite) ---------------

_rng = np.random.default_rng(0)
_X = _rng.standard_normal((50, 2))
_y = _rng.standard_normal(50)


def _with(a, index, value, dtype=None):
    a = a.astype(dtype) if dtype else a.copy()
    a[index] = value
    return a


def _frame(**columns):
    pd = pytest.importorskip("pandas")
    return pd.DataFrame({"a": _X[:, 0], **columns})


def _pandas_cases():
    pd = pytest.importorskip("pandas")
    nullable = pd.array(_rng.integers(0, 3, 50), dtype="Int64")
    nullable[4] = pd.NA
    dates = pd.Series(pd.date_range("2020-01-01", periods=50))
    dates_nat = dates.copy()
    dates_nat[7] = pd.NaT
    categories = pd.Categorical(_rng.choice(["u", "v"], 50))
    return {
        "pd.NA in Int64 X": (lambda: (_frame(b=nullable), _y), ValueError, r"Input X contains NaN"),
        "pd.NA in Int64 y": (lambda: (_X, pd.Series(nullable)), ValueError, r"Input y contains"),
        "datetime X": (lambda: (_frame(b=dates), _y), ValueError, r"X column 'b' holds dates"),
        "NaT in X": (lambda: (_frame(b=dates_nat), _y), ValueError, r"Input X contains NaN"),
        "datetime y": (lambda: (_X, dates), ValueError, r"y holds dates"),
        "categorical X": (lambda: (_frame(b=categories), _y), ValueError, r"X column 'b'"),
    }


BAD_INPUTS = {
    "nan in X": (lambda: (_with(_X, (3, 1), np.nan), _y), ValueError, r"Input X contains NaN"),
    "inf in X": (lambda: (_with(_X, (3, 1), np.inf), _y), ValueError, r"Input X contains inf"),
    "nan in y": (lambda: (_X, _with(_y, 3, np.nan)), ValueError, r"Input y contains NaN"),
    "inf in y": (lambda: (_X, _with(_y, 3, -np.inf)), ValueError, r"Input y contains inf"),
    "None in X": (lambda: (_with(_X, (3, 1), None, object), _y), ValueError, r"Input X contains"),
    "None in y": (lambda: (_X, _with(_y, 3, None, object)), ValueError, r"Input y contains NaN"),
    "None in X lists": (lambda: ([[1.0, None]] + _X[1:].tolist(), _y), ValueError, r"Input X c"),
    "None in y list": (lambda: (_X, [None] + _y[1:].tolist()), ValueError, r"Input y contains"),
    "None in string y": (lambda: (_X, ["a", None] + ["b"] * 48), ValueError, r"Input y contains"),
    "lengths differ": (lambda: (_X, _y[:-1]), ValueError, r"X has 50, y has 49"),
    "3-D X": (lambda: (_X.reshape(50, 2, 1), _y), ValueError, r"X must have shape \(n_samples, n_"),
    "3-D y": (lambda: (_X, _y.reshape(25, 2, 1)), ValueError, r"y must have shape"),
    "1-D X": (lambda: (_X[:, 0], _y), ValueError, r"X must have shape"),
    "empty X": (lambda: (np.empty((0, 2)), np.empty(0)), ValueError, r"X has n_samples=0"),
    "one sample": (lambda: (_X[:1], _y[:1]), ValueError, r"X has n_samples=1"),
    "strings in X": (lambda: (_X.astype(str).astype(object) + "a", _y), ValueError, r"convert|num"),
    "y is None": (lambda: (_X, None), ValueError, r"requires y to be passed"),
    "constant X": (lambda: (np.ones((50, 2)), _y), ValueError, r"X is constant"),
    "constant y": (lambda: (_X, np.ones(50)), ValueError, r"y is constant"),
    "ragged X": (lambda: ([[1.0, 2.0], [3.0]] * 25, _y), ValueError, r"X is ragged"),
    "dict in X": (lambda: (np.array([[{"a": 1}, 1.0]] * 50, dtype=object), _y), TypeError, ""),
}


def _bad_cases():
    cases = dict(BAD_INPUTS)
    try:
        import pandas  # noqa: F401

        cases.update(_pandas_cases())
    except ImportError:  # pragma: no cover
        pass
    return cases


BAD_CASES = _bad_cases()
# Where an estimator takes the input as valid data, the reason.
_NOT_AN_ERROR = {
    ("strings in X", "BinnedMutualInfo"): "strings are symbols for this estimator",
    ("categorical X", "BinnedMutualInfo"): "categories are symbols for this estimator",
}


@mi_estimators
@pytest.mark.parametrize("case", list(BAD_CASES))
def test_bad_input_gets_a_clear_error(estimator, case):
    make, error, message = BAD_CASES[case]
    reason = _NOT_AN_ERROR.get((case, type(estimator).__name__))
    if reason:
        pytest.skip(reason)
    X, y = make()
    with pytest.raises(error, match=message):
        _fit_entry_mi(estimator, (X, y))


@mi_estimators
def test_too_few_samples_gets_a_clear_error(estimator):
    needed = clone(estimator)._min_samples()
    with pytest.raises(ValueError, match=rf"X has n_samples={needed - 1}.*at least {needed}"):
        clone(estimator).fit(_X[: needed - 1], _y[: needed - 1])


@mi_estimators
def test_score_checks_the_number_of_features_of_x_and_y(estimator, data):
    X, y = data
    est = _fit_entry_mi(estimator, data)
    with pytest.raises(ValueError, match=re.escape("X has 1 features")):
        est.score(X[:, :1], y)
    # a wider y than at fit: refused before any kernel can index past the
    # fitted model (BinnedMutualInfo used to read garbage bin codes here)
    for method in ("score", "pointwise_mi"):
        if hasattr(est, method):
            with pytest.raises(ValueError, match=r"y has 2 features, but .* fitted with 1"):
                getattr(est, method)(X, np.column_stack([y, y]))


@mi_estimators
def test_invalid_parameter_is_named(estimator, data):
    est = clone(estimator).set_params(units="decibels")
    with pytest.raises(ValueError, match="'units' parameter"):
        est.fit(*data)


@mi_estimators
def test_parameters_are_checked_at_score_too(estimator, data):
    # set_params after fit must not slip a bad value past validation
    est = _fit_entry_mi(estimator, data).set_params(units="decibels")
    for method in ("score", "pointwise_mi"):
        if hasattr(est, method):
            with pytest.raises(ValueError, match="'units' parameter"):
                getattr(est, method)(*data)


def _integer_parameters(estimator):
    from skmi._base import _counts_only

    return [
        name
        for name, constraints in type(estimator)._parameter_constraints.items()
        if _counts_only(constraints)
    ]


@mi_estimators
def test_booleans_are_refused_for_integer_parameters(estimator, data):
    names = _integer_parameters(estimator)
    if not names:
        pytest.skip(f"{type(estimator).__name__} has no integer parameters")
    for name in names:
        with pytest.raises(TypeError, match=rf"{name} must be an integer, got bool"):
            clone(estimator).set_params(**{name: True}).fit(*data)


# -- numpydoc: every public object documents what it takes, returns and raises --------

# The numpydoc codes enforced: a docstring with a summary, every parameter
# documented and no unknown one, a Returns section; plus a Raises section
# (checked below) for every public function with parameters and fit / score /
# pointwise_mi / transform method, since each validates its input. Style codes (PR07 a
# parameter without a description line, RT02/RT03, ES01, EX01, SA01) are left
# to review: "X : array-like of shape (n, d)" is often description enough.
NUMPYDOC_CODES = {"GL08", "SS01", "PR01", "PR02", "RT01", "YD01"}
_RAISING_METHODS = ("fit", "score", "pointwise_mi", "transform")

# Objects whose docstrings their owners complete at merge (owner in brackets).
NUMPYDOC_PENDING = {
    "skmi.GaussianMutualInfo.pointwise_mi": "PR01, Raises (G, _gaussian.py)",
    "skmi.JacobianMutualInfo.fit": "Raises (C, _jacobian.py)",
    "skmi.JacobianMutualInfo.pointwise_mi": "PR01, Raises (C, _jacobian.py)",
    "skmi.JacobianMutualInfo.score": "PR01, RT01, Raises (C, _jacobian.py)",
    "skmi.LayerMIProbe.transform": "Raises (C, probe.py)",
    "skmi.LayerMIProbe.transform_layers": "PR01, RT01 (C, probe.py)",
    "skmi.LayerMIProbe.get_feature_names_out": "RT01 (C, probe.py)",
    "skmi.InformationPlane.to_frame": "RT01 (C, probe.py)",
    "skmi.MIResult": "PR01 (B, _auto.py)",
    "skmi.MINE": "PR01 (D, _neural.py)",
    "skmi.MutualInfoSelector.fit": "Raises (F, feature_selection.py)",
    "skmi.mutual_info_classif": "PR01, Raises (F, feature_selection.py)",
    "skmi.mutual_info_score_func": "Raises (F, feature_selection.py)",
    "skmi.kernel_entropy": "Raises (G, _kernel.py)",
}


def _public_objects():
    for name in skmi.__all__:
        obj = getattr(skmi, name)
        if inspect.ismodule(obj):
            continue
        yield f"skmi.{name}", obj
        if inspect.isclass(obj):
            for attr, member in inspect.getmembers(obj):
                defined_in = getattr(member, "__module__", "") or ""
                if attr.startswith("_") or not callable(member):
                    continue
                if defined_in.startswith("skmi"):
                    yield f"skmi.{name}.{attr}", member


def _needs_raises(qualname, obj):
    # what takes no argument has nothing to refuse
    if inspect.isclass(obj) or not inspect.signature(obj).parameters:
        return False
    return qualname.count(".") == 1 or qualname.rsplit(".", 1)[1] in _RAISING_METHODS


_PUBLIC = list(_public_objects())


@pytest.mark.parametrize(("qualname", "obj"), _PUBLIC, ids=[q for q, _ in _PUBLIC])
def test_numpydoc(qualname, obj, request):
    validate = pytest.importorskip("numpydoc.validate").validate
    if qualname in NUMPYDOC_PENDING:
        request.applymarker(pytest.mark.xfail(reason=NUMPYDOC_PENDING[qualname], strict=False))
    report = validate(qualname)
    errors = [f"{code}: {text}" for code, text in report["errors"] if code in NUMPYDOC_CODES]
    if _needs_raises(qualname, obj) and not re.search(r"\n\s*Raises\n\s*-+\n", obj.__doc__ or ""):
        errors.append("no Raises section")
    assert not errors, errors


# -- declared traits match what the estimator does ---------------------------------

# What a family declares that the test cannot read off the estimator: plug-in
# estimators are bootstrapped, neural bounds refit with new seeds.
_NEURAL = dict(resampling="seeds", neural=True, discrete_target=False, conditioning=False)
_DECLARED = {
    "GaussianMutualInfo": dict(resampling="bootstrap", conditioning=True, pointwise=True),
    "KernelMutualInfo": dict(
        resampling="bootstrap", discrete_target=True, conditioning=False, pointwise=False
    ),
    "TCopulaMutualInfo": dict(resampling="bootstrap"),
    "NeuralMutualInfo": _NEURAL,
    "MINE": _NEURAL,
    "JacobianMutualInfo": dict(resampling="bootstrap", pointwise=True, neural=False),
}
_DECLARING = [e for e in ENTRIES if e.kind in ("mi", "unsupervised-mi")]


@pytest.mark.parametrize("entry", _DECLARING, ids=lambda e: estimator_id(e.estimator))
def test_declared_traits_match_the_estimator(entry, data):
    from skmi._traits import get_traits

    estimator = entry.estimator
    if not hasattr(type(estimator), "_mi_traits"):
        pytest.xfail(f"{type(estimator).__name__} declares no traits yet (its owner adds them)")
    traits = get_traits(estimator)
    for name, value in _DECLARED.get(type(estimator).__name__, {}).items():
        assert getattr(traits, name) == value, name
    assert traits.neural == (traits.resampling == "seeds")
    assert traits.pointwise == hasattr(estimator, "pointwise_mi")
    assert traits.discrete_target == ("discrete_target" in estimator.get_params())
    X, y = data
    if entry.kind == "unsupervised-mi":  # fit(X): there is no y to condition
        assert not traits.conditioning
    elif traits.conditioning:
        z = np.random.default_rng(0).standard_normal(len(X))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkmiWarning)
            assert np.isfinite(clone(estimator).fit(X, y, z=z).mi_)
    else:
        with pytest.raises(ValueError, match="does not support conditioning"):
            clone(estimator).fit(X, y, z=X[:, 0])


def test_an_object_target_holding_floats_is_numbers_for_every_estimator():
    # DESIGN "Data kinds": object columns holding numbers are numbers, on every
    # side and in every estimator. The base class read such a y as 300 classes.
    from skmi import GaussianMutualInfo, KSGMutualInfo

    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 2))
    y = X[:, 0] + 0.5 * rng.standard_normal(300)
    as_objects = y.astype(object)
    for est in (KSGMutualInfo(random_state=0), GaussianMutualInfo()):
        on_floats = clone(est).fit(X, y)
        on_objects = clone(est).fit(X, as_objects)
        assert not on_objects.discrete_target_
        assert on_objects.mi_ == on_floats.mi_, type(est).__name__
        assert on_objects.score(X, as_objects) == on_floats.score(X, y)
