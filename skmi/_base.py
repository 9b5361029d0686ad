"""The contract every skmi mutual-information estimator keeps.

``BaseMutualInfo`` owns everything that is not "how to count": input
validation (once, at the door), constant columns, discrete targets, units,
the ``fit`` -> ``mi_`` / ``score`` contract and the scikit-learn tags.
Subclasses implement :meth:`BaseMutualInfo._estimate` (and, when fitting is
more than estimating, ``_fit`` / ``_score``) on clean float64 arrays.
"""

import copy
import numbers
import threading
import warnings

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_array, check_random_state

from skmi._dask import any_dask_collection, refuse_dask_collections
from skmi._preprocessing import side_is_discrete
from skmi._sklearn_compat import (
    Interval,
    Options,
    StrOptions,
    check_is_fitted,
    num_samples,
    validate_data,
)
from skmi._traits import get_traits
from skmi._units import from_nats
from skmi._validation import check_int, detach_tensor
from skmi._warnings import warn_at_caller
from skmi.exceptions import ConstantColumnWarning

# Makes publishing a fit atomic between threads (see BaseMutualInfo.fit).
_PUBLISH_LOCK = threading.Lock()


class BaseMutualInfo(BaseEstimator):
    """Shared base of skmi's mutual-information estimators (not public).

    Subclasses set ``_parameter_constraints`` (merged with ``units``) and
    ``_mi_traits`` (:class:`~skmi._traits.MITraits`: whether y may hold class
    labels -- then with a ``discrete_target`` parameter --, whether z is
    accepted, ...), and implement ``_estimate(X, y) -> float`` in nats.
    """

    _parameter_constraints: dict = {"units": [StrOptions({"nats", "bits"})]}
    _x_dtype = np.float64  # None: keep X's dtype (estimators that take symbols)
    _columns_fixed_at_fit = False  # True: score uses the columns kept at fit

    # -- public contract ---------------------------------------------------

    def fit(self, X, y, z=None):
        """Estimate I(X; y) -- or I(X; y | z) -- on the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_x)
            ``dask.array`` / ``dask.dataframe`` for the estimators that reduce
            per-chunk statistics on a cluster (Gaussian, binned).
        y : array-like of shape (n_samples,) or (n_samples, n_features_y)
        z : array-like of shape (n_samples,) or (n_samples, n_features_z), optional
            Condition on z: estimate the conditional mutual information
            I(X; y | z), for estimators that support it.

        Returns
        -------
        self : object
            The fitted estimator, with ``mi_`` in ``units``.

        Raises
        ------
        ValueError
            If a parameter is invalid, or X, y or z has missing or non-finite
            values, the wrong shape, too few samples or inconsistent lengths
            (the message names the argument).
        TypeError
            If a parameter has the wrong type (a bool for a count), or X holds
            values that are neither numbers nor strings.
        """
        self._validate_params()
        # Fit a private working copy and publish its fitted state at the end:
        # two threads fitting one instance never see each other's scratch
        # state, and a failed fit leaves the previous fit untouched. The copy
        # starts without public fitted attributes: an estimator that wants
        # its previous fit (a warm start) must carry it over explicitly.
        before = dict(vars(self))
        work = copy.copy(self)
        work.__dict__ = {k: v for k, v in before.items() if not _is_fitted_attribute(k)}
        if any_dask_collection(X, y, z) and hasattr(self, "_fit_dask"):
            # Estimators whose statistics add up over chunks reduce them on
            # the cluster (skmi/_dask/: statistics in, the MI in nats out);
            # every other one refuses dask input in validation instead of
            # gathering it.
            work.mi_ = work._from_nats(work._fit_dask(X, y, z))
        else:
            X, y = work._validate_xy(X, y, reset=True)
            z = work._validate_z(z, len(X), reset=True)
            work.mi_ = work._from_nats(work._fit(X, y, z))
        after = vars(work)
        # Publish every fitted attribute, as one step: comparing with the
        # snapshot by identity skipped values that are interned (True, small
        # ints), so a concurrent fit could leave another fit's
        # discrete_target_ next to this fit's mi_. Private attributes change
        # only when the fit changed them (others may set some, e.g.
        # scikit-learn's callback context).
        with _PUBLISH_LOCK:
            for stale in [k for k in before if _is_fitted_attribute(k) and k not in after]:
                vars(self).pop(stale, None)
            vars(self).update(
                {
                    k: v
                    for k, v in after.items()
                    if _is_fitted_attribute(k) or before.get(k, after) is not v
                }
            )
        return self

    def score(self, X, y, z=None):
        """The estimate of I(X; y) on the given data, in ``units``.

        For estimators without a trained model this re-estimates MI on
        ``(X, y)`` with the fitted parameters; neural estimators evaluate
        their trained critic there (a held-out bound). Higher is more
        information, so ``score`` can rank models or layers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_x)
        y : array-like of shape (n_samples,) or (n_samples, n_features_y)
        z : array-like of shape (n_samples,) or (n_samples, n_features_z), optional
            Required when the estimator was fitted with z (conditional MI).

        Returns
        -------
        mi : float

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the estimator has not been fitted.
        ValueError
            If a parameter is invalid (parameters are checked here too, since
            ``set_params`` may change them after ``fit``), or X, y or z do not
            match what ``fit`` saw (number of columns of each) or are
            invalid as in :meth:`fit`.
        TypeError
            If a parameter has the wrong type.
        """
        check_is_fitted(self)
        state = self._fitted_state()
        state._validate_params()
        X, y = state._validate_xy(X, y, reset=False)
        z = state._validate_z(z, len(X), reset=False)
        return state._from_nats(state._score(X, y, z))

    def _fitted_state(self):
        """This estimator with one fit's state, read at once.

        ``fit`` publishes its fitted attributes together (under
        ``_PUBLISH_LOCK``); ``score`` and ``pointwise_mi`` read them more
        than once -- the target's kind while validating y, the fitted model
        while estimating -- so a concurrent refit could pair one fit's
        ``discrete_target_`` with another's model (values no fit gives, or a
        crash). They read a private shallow copy taken under that lock.
        """
        with _PUBLISH_LOCK:
            state = dict(vars(self))
        snapshot = object.__new__(type(self))
        snapshot.__dict__ = state
        return snapshot

    def _validate_params(self):
        """Check every parameter against ``_parameter_constraints``.

        On top of scikit-learn's checks, a bool given for an integer
        parameter is refused (``True`` is an ``int`` in Python, and reaches
        Numba kernels as a boolean). Called by ``fit``, ``score`` and
        ``pointwise_mi``: ``set_params`` can change a parameter after ``fit``.
        """
        for name, constraints in self._parameter_constraints.items():
            value = getattr(self, name, None)
            if isinstance(value, (bool, np.bool_)) and _counts_only(constraints):
                check_int(value, name)  # raises TypeError naming the parameter
        super()._validate_params()  # scikit-learn's checks (InvalidParameterError)

    # -- what subclasses implement ------------------------------------------

    def _fit(self, X, y, z):
        return self._estimate(X, y, z)

    def _score(self, X, y, z):
        return self._estimate(X, y, z)

    def _estimate(self, X, y, z):  # pragma: no cover - abstract hook
        # Every estimator overrides this, or both _fit and _score (the neural
        # one); reaching it means a new subclass forgot to.
        raise NotImplementedError(
            f"{type(self).__name__} must implement _estimate, or _fit and _score."
        )

    def _min_samples(self):
        """Fewest samples the estimator can work with."""
        return 2

    # -- helpers for subclasses ----------------------------------------------

    def _from_nats(self, value):
        return from_nats(value, self.units)

    def _rng(self):
        """A fresh generator from ``random_state``: same seed, same draws."""
        return check_random_state(self.random_state)

    def _pointwise(self, X, y, z):
        """Validate, then return the per-sample terms in ``units`` (one fit's state)."""
        check_is_fitted(self)
        state = self._fitted_state()
        state._validate_params()
        X, y = state._validate_xy(X, y, reset=False)
        z = state._validate_z(z, len(X), reset=False)
        return state._from_nats(state._pointwise_nats(X, y, z))

    # -- validation -------------------------------------------------------------

    def _validate_xy(self, X, y, reset):
        """Validate X and y; return float64 X and y (float64, or class codes).

        Sets ``n_features_in_`` (and ``feature_names_in_``) when ``reset``,
        and ``discrete_target_`` for estimators that accept class targets.
        Constant columns are dropped with a warning; an all-constant X or y
        is an error, since its MI is trivially 0 and almost surely a mistake.
        """
        name = type(self).__name__
        if y is None:
            raise ValueError(f"{name} requires y to be passed, but the target y is None.")
        refuse_dask_collections(name, X=X, y=y)  # never gather larger-than-memory data
        X, y = detach_tensor(X), detach_tensor(y)  # a tensor with grad: numpy cannot read it
        _check_ndim(X, "X", allowed=(2,))
        _check_ndim(y, "y", allowed=(1, 2))
        X = _check_values(X, "X", name, symbols=self._x_dtype is None)
        classes = get_traits(self).discrete_target
        y = _check_values(y, "y", name, symbols=classes)
        n_x, n_y = num_samples(X), num_samples(y)
        if n_x != n_y:
            raise ValueError(
                f"X and y have inconsistent numbers of samples: X has {n_x}, y has {n_y}."
            )
        needed = self._min_samples()
        if n_x < needed:
            raise ValueError(
                f"X has n_samples={n_x}; {name} with these parameters needs at "
                f"least {needed} samples{self._min_samples_reason()}."
            )
        X = validate_data(self, X, reset=reset, dtype=self._x_dtype, ensure_min_samples=needed)
        if X.dtype == object:
            # nested lists become object arrays only here: check them again
            _check_values(X, "X", name, symbols=True)
            X = _numbers_or_symbols(X)
        if X.dtype.kind == "f":
            X = np.asarray(X, dtype=np.float64)
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y", ensure_min_samples=needed)
        if y.dtype == object:
            _check_values(y, "y", name, symbols=True)
        if y.ndim == 2 and y.shape[1] == 0:
            raise ValueError("y has 0 columns; it needs at least one.")
        self._check_width(y, "y", reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]

        discrete = False
        if classes:
            if reset:
                self.discrete_target_ = self._target_is_discrete(y)
            discrete = self.discrete_target_
        if self._drops_constant_columns("X"):
            X = self._drop_constant(X, "X", reset)
        y = _encode_classes(y) if discrete else _as_float_target(y).reshape(n_x, -1)
        if not discrete and self._drops_constant_columns("y"):
            y = self._drop_constant(y, "y", reset)
        return X, y

    def _drop_constant(self, A, arg, reset):
        """Drop the constant columns of X or y: those of this data, or of the fit.

        Estimators with a fitted model of each column (bin edges) set
        ``_columns_fixed_at_fit``: at ``score`` they keep exactly the columns
        kept at ``fit``, so the model and the data line up column by column.
        """
        if reset or not self._columns_fixed_at_fit:
            kept = _non_constant_columns(A, arg)
            if reset:
                setattr(self, f"_kept_columns_{arg}", kept)
        else:
            kept = getattr(self, f"_kept_columns_{arg}")
        return A if kept.all() else np.ascontiguousarray(A[:, kept])

    def _drops_constant_columns(self, name):
        """Whether constant columns of X / y are dropped (not for Gram matrices)."""
        return True

    def _check_width(self, A, arg, reset):
        """Record (``reset``) or check the number of columns of y or z.

        A wider y at ``score`` than at ``fit`` would make estimators with a
        fitted model (bin edges, a critic) index past what they learned; it
        is refused for every estimator. A Gram matrix's columns are samples,
        not features, so they are not checked.
        """
        attribute = f"n_features_{arg}_in_"
        width = 1 if A.ndim == 1 else A.shape[1]
        if arg == "y" and not self._drops_constant_columns("y"):
            width = None
        if reset:
            setattr(self, attribute, width)
            return
        fitted = getattr(self, attribute, None)
        if width is not None and fitted is not None and width != fitted:
            raise ValueError(
                f"{arg} has {width} features, but {type(self).__name__} was fitted with "
                f"{fitted} {arg} features."
            )

    def _min_samples_reason(self):
        return ""

    def _validate_z(self, z, n_samples, reset):
        """The conditioning block as float64 (n, d_z), or None.

        Fitting with or without z decides what the estimator measures, so
        ``score`` must be given z exactly when ``fit`` was.
        """
        name = type(self).__name__
        if reset:
            self.n_features_z_in_ = None
        if z is None:
            if self.n_features_z_in_ is not None:
                raise ValueError(
                    f"This {name} was fitted with z (conditional MI); pass z here too."
                )
            return None
        if not get_traits(self).conditioning:
            raise ValueError(f"{name} does not support conditioning on z.")
        refuse_dask_collections(name, z=z)
        if not reset and self.n_features_z_in_ is None:
            raise ValueError(f"This {name} was fitted without z; do not pass z here.")
        _check_ndim(z, "z", allowed=(1, 2))
        if num_samples(z) != n_samples:
            raise ValueError(
                f"X and z have inconsistent numbers of samples: X has {n_samples}, "
                f"z has {num_samples(z)}."
            )
        z = _check_values(z, "z", name, symbols=False)
        z = check_array(z, ensure_2d=False, dtype=np.float64, input_name="z")
        z = z.reshape(n_samples, -1)
        self._check_width(z, "z", reset)
        if reset or not self._columns_fixed_at_fit:
            varying = ~(z == z[:1]).all(axis=0)
            z = drop_constant_conditioning(z)
            if reset:  # the columns a fitted model of z belongs to (None: no z)
                self._kept_columns_z = None if z is None else varying
            return z
        return self._fitted_z_columns(z)

    def _fitted_z_columns(self, z):
        """z at ``score``, cut to the columns kept at ``fit`` (estimators with a model of z).

        Dropping this call's constant columns instead would shift the columns
        under the fitted model: fitted with z = [c, w], scored with [w, c].
        """
        kept = self._kept_columns_z
        return None if kept is None else np.ascontiguousarray(z[:, kept])

    def _target_is_discrete(self, y):
        # One rule for every side and estimator (side_is_discrete): symbols are
        # classes; object arrays holding numbers are those numbers; integer IDs,
        # counts and rounded measurements with mostly distinct values are numbers
        # (issue 15).
        if self.discrete_target == "auto":
            return side_is_discrete(y)
        return bool(self.discrete_target)

    # -- tags ---------------------------------------------------------------------

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.single_output = True
        tags.target_tags.multi_output = True
        tags.input_tags.allow_nan = False
        return tags


def _is_fitted_attribute(attribute):
    """Whether an attribute is public fitted state (``mi_``, ``n_features_in_``)."""
    return attribute.endswith("_") and not attribute.startswith("_")


def _counts_only(constraints):
    """Whether a parameter's constraints accept integers but no booleans."""
    if "boolean" in constraints:
        return False
    return any(
        isinstance(c, (Interval, Options)) and c.type is numbers.Integral for c in constraints
    )


def _check_values(A, arg, owner, symbols):
    """Refuse missing values of every kind and columns that are not numbers.

    scikit-learn catches float NaN; this catches what it lets through or
    reports without naming the argument: ``None``, ``pd.NA`` and ``NaT`` in
    object arrays, nullable pandas columns (``Int64`` with ``pd.NA``), and
    datetime columns. A pandas categorical column becomes its category codes
    where the argument may hold symbols (``symbols``), and is refused where
    it must hold numbers. Returns ``A`` (a copy where a column was recoded;
    the input is never modified).
    """
    missing = f"Input {arg} contains NaN (a missing value: None, NaN, pd.NA or NaT)."
    if isinstance(A, np.ma.MaskedArray):
        # scikit-learn reads a masked array's data and drops its mask
        if np.ma.is_masked(A):
            raise ValueError(
                f"Input {arg} is a masked array with {int(np.ma.count_masked(A))} masked "
                "entries (missing values): fill them (A.filled(value)) or drop those rows."
            )
        A = np.ma.getdata(A)
    dtypes = getattr(A, "dtypes", None)
    if dtypes is not None and hasattr(A, "columns"):  # a pandas DataFrame
        columns = list(A.columns)
        kinds = list(dtypes)
        repeated = sorted({str(c) for c in columns if columns.count(c) > 1})
        if repeated:
            raise ValueError(
                f"{arg} has duplicated column names {repeated}: each column needs its own "
                "name (a column selected by name would be ambiguous)."
            )
    elif dtypes is not None or hasattr(A, "cat"):  # a pandas Series
        columns, kinds = [getattr(A, "name", None)], [A.dtype]
    else:
        if isinstance(A, np.ndarray) and A.dtype.kind in "Mm":
            raise ValueError(_no_dates(arg, None, A.dtype))
        if isinstance(A, np.ndarray) and A.dtype == object and _object_missing(A):
            raise ValueError(missing)
        return A
    if bool(np.asarray(A.isna()).any()):  # pandas sees every kind of missing value
        raise ValueError(missing)
    recoded = {}
    for column, dtype in zip(columns, kinds, strict=True):
        if getattr(dtype, "kind", "O") in "Mm" or str(dtype).startswith(("datetime", "period")):
            raise ValueError(_no_dates(arg, column, dtype))
        if getattr(dtype, "name", None) == "category":
            if not symbols:
                raise ValueError(
                    f"{arg}{_column(column)} is categorical, but {owner} takes numbers "
                    f"in {arg}: encode it (e.g. with OneHotEncoder) or use "
                    "BinnedMutualInfo, which takes symbols."
                )
            recoded[column] = True
    if not recoded:
        return A
    if hasattr(A, "columns"):
        A = A.copy()
        for column in recoded:
            A[column] = A[column].cat.codes.astype(np.int64)
        return A
    return A.cat.codes.astype(np.int64)


def _column(column):
    return "" if column is None else f" column {column!r}"


def _no_dates(arg, column, dtype):
    return (
        f"{arg}{_column(column)} holds dates or times ({dtype}); mutual-information "
        "estimators take numbers or symbols: convert it first (e.g. to seconds, or "
        "to categories)."
    )


def _object_missing(A):
    """Whether an object array holds None, NaN, pd.NA or NaT anywhere."""
    for value in A.ravel():
        if value is None or type(value).__name__ in ("NAType", "NaTType"):
            return True
        try:
            if value != value:  # NaN and NaT are not equal to themselves
                return True
        except (TypeError, ValueError):  # an ambiguous comparison: not missing
            pass
    return False


def _check_ndim(a, name, allowed):
    """A ValueError naming the argument when an array has the wrong rank."""
    ndim = getattr(a, "ndim", None)
    if ndim is None:
        try:
            ndim = np.ndim(a)
        except ValueError:  # ragged nested lists
            raise ValueError(f"{name} is ragged: its rows have different lengths.") from None
    if ndim not in allowed:
        shapes = {1: "(n_samples,)", 2: "(n_samples, n_features)"}
        expected = " or ".join(shapes[d] for d in allowed)
        raise ValueError(f"{name} must have shape {expected}; got an array with {ndim} dimensions.")


def _numbers_or_symbols(X):
    """An object array as floats when its values are numbers, else as symbols.

    Non-numeric strings stay symbols; anything else that is not a number (a
    dict, a list) is a TypeError, as in scikit-learn.
    """
    try:
        return X.astype(np.float64)
    except ValueError:
        if all(isinstance(v, str) for v in X.ravel()):
            return X.astype(str)
        raise


def _drop_constant_columns(A, name):
    """Drop columns that never vary; error if nothing is left.

    A constant column carries no information about anything, and standardising
    it would divide by zero; a constant *block* has MI exactly 0 with anything
    and in practice signals a dead layer or a wrong column selection.
    """
    kept = _non_constant_columns(A, name, stacklevel=5)
    return A if kept.all() else np.ascontiguousarray(A[:, kept])


def drop_constant_conditioning(z):
    """z without its constant columns; None (with a warning) when every column is constant.

    Conditioning on a constant changes nothing, ``I(X; y | c) = I(X; y)``:
    a constant z is no error, unlike a constant X or y (whose MI is 0).
    """
    constant = (z == z[:1]).all(axis=0)
    if not constant.all():
        return _drop_constant_columns(z, "z")
    warn_at_caller(
        "z is constant: conditioning on a constant changes nothing, so this is the "
        "unconditional value, I(X; y | z) = I(X; y). Check the z you passed if you "
        "meant it to vary.",
        ConstantColumnWarning,
    )
    return None


def _non_constant_columns(A, name, stacklevel=5):
    """Mask of the columns that vary; warn about the others, error if none do."""
    # equality with the first row, not ptp == 0: max - min overflows for
    # columns spanning more than the largest float
    constant = (A == A[:1]).all(axis=0)
    if not constant.any():
        return ~constant
    if constant.all():
        raise ValueError(
            f"{name} is constant: every column has a single value, so its mutual "
            f"information with anything is 0. Check the {name} you passed "
            "(a dead layer? the wrong columns?)."
        )
    warnings.warn(
        f"{name} columns {np.flatnonzero(constant).tolist()} are constant and were "
        "dropped: a constant column carries no information.",
        ConstantColumnWarning,
        stacklevel=stacklevel,
    )
    return ~constant


def _as_float_target(y):
    try:
        return np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            "y has non-numeric values; pass discrete_target=True to treat it as "
            "class labels (where the estimator supports that)."
        ) from None


def _encode_classes(y):
    """Class labels (any dtype, one or several columns) as codes 0..K-1.

    A multi-column target becomes one symbol per distinct row.
    """
    y2 = y.reshape(len(y), -1)
    columns = [_column_codes(y2[:, c]) for c in range(y2.shape[1])]
    if len(columns) == 1:
        codes = columns[0]
    else:
        codes = np.unique(np.column_stack(columns), axis=0, return_inverse=True)[1]
    codes = codes.reshape(-1).astype(np.int64)
    if codes.max() == 0:
        raise ValueError(
            "y has a single class, so its mutual information with anything is 0. "
            "Check the target you passed."
        )
    return codes


def _column_codes(labels):
    """One column of labels as codes; labels that do not sort (numbers mixed
    with strings) are compared as their text, as estimate_mi reads them."""
    try:
        return np.unique(labels, return_inverse=True)[1]
    except TypeError:
        return np.unique(labels.astype(str), return_inverse=True)[1]


def fitted_mi(estimator, X, y):
    """``estimator.fit(X, y).mi_``: the unit of work of every resampling loop."""
    return estimator.fit(X, y).mi_
