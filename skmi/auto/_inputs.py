"""The sides of an estimate: checked once, classified once, encoded once.

:class:`Side` holds one argument of :func:`skmi.estimate_mi` (X, y or z) as
a checked 2-D array with its data kind (:mod:`skmi._data_kinds`); its class
codes and its float values are computed when first asked for and kept, so
the planner, the hard bounds, the normalisation and the arrangement for the
estimator share one encoding. The rest: aligning lagged series, and the
arrays handed to the chosen estimator.
"""

from functools import cached_property
from numbers import Integral

import numpy as np
from sklearn.utils import check_array, check_random_state

from skmi._base import _check_values
from skmi._data_kinds import classify, dither_steps
from skmi._validation import detach_tensor
from skmi._warnings import warn_at_caller
from skmi.exceptions import SkmiWarning


class Side:
    """One side of the estimate: its values (n, d), name and data kind.

    Parameters
    ----------
    values : array-like
        Checked and made 2-D here unless ``checked``.
    name : {"X", "y", "z"}
    checked : bool, default=False
        ``values`` is already a checked 2-D array (rows of a checked side).
    """

    def __init__(self, values, name, checked=False):
        self.values = values if checked else two_dimensional(values, name)
        self.name = name
        self.kind = None  # a data_kinds.Kind, once classify() ran

    def classify(self, how="auto", as_floats=False):
        """Work out the side's data kind (once); ``how`` overrides "auto".

        ``as_floats``: classify the float values (a side that must hold
        numbers, such as z; symbols raise ValueError naming the side).
        """
        values = self.floats if as_floats else self.values
        self.kind = classify(values, self.name, how)
        return self.kind

    def rows(self, index):
        """The side restricted to ``index`` (checked already; kind not carried over)."""
        return Side(self.values[index], self.name, checked=True)

    @cached_property
    def labels(self):
        """Rows as class codes 0..K-1 (one symbol per distinct row)."""
        return as_labels(self.values)

    @cached_property
    def floats(self):
        """The values as float64 (n, d); ValueError for symbols."""
        try:
            return np.asarray(self.values, dtype=np.float64)
        except (TypeError, ValueError):
            if self.name == "z":  # z is conditioned on by k-NN: numbers only
                message = "z has non-numeric values; z must hold numbers (encode symbols first)."
            else:
                message = (
                    f"{self.name} has non-numeric values but is not taken as discrete; pass "
                    f"{self.name.lower()}_kind='discrete'."
                )
            raise ValueError(message) from None

    @property
    def width(self):
        return self.values.shape[1]

    def __len__(self):
        return len(self.values)

    def is_constant(self):
        """Whether every row equals the first (one comparison pass, no sort)."""
        if not len(self):
            return False
        if self.values.dtype == object:
            return self.labels.max() == 0  # mixed objects: compare as symbols
        return bool(np.all(self.values == self.values[:1]))


def two_dimensional(A, name):
    """A checked as estimate_mi's argument ``name``, as a 2-D array."""
    # check_array passes None, pd.NA and NaT in object arrays, which would
    # otherwise become a class of their own (issue 14): refuse them by name
    A = _check_values(detach_tensor(A), name, "estimate_mi", symbols=True)
    A = check_array(A, dtype=None, ensure_2d=False, input_name=name)
    if A.ndim == 1:
        A = A.reshape(-1, 1)
    if A.shape[1] == 0:
        raise ValueError(f"{name} has 0 columns; it needs at least one.")
    return A


def as_labels(A):
    """Rows of A as class codes 0..K-1 (one symbol per distinct row)."""
    A = np.asarray(A)
    if A.ndim == 1:
        A = A.reshape(-1, 1)
    if A.dtype == object:
        A = A.astype(str)
    return np.unique(A, axis=0, return_inverse=True)[1].reshape(-1)


def check_same_length(first, second):
    if len(first) != len(second):
        raise ValueError(
            f"{first.name} and {second.name} have inconsistent numbers of samples: "
            f"{first.name} has {len(first)}, {second.name} has {len(second)}."
        )


def warn_on_unaligned_indexes(X, y, z):
    """Pandas sides with different indexes are paired by position: say so once."""
    # pandas objects only: lists, tuples and tensors have an .index method too
    sides = [
        (name, A)
        for name, A in (("X", X), ("y", y), ("z", z))
        if hasattr(A, "iloc") and hasattr(A.index, "equals")
    ]
    for (name_a, a), (name_b, b) in zip(sides, sides[1:], strict=False):
        if len(a.index) == len(b.index) and not a.index.equals(b.index):
            warn_at_caller(
                f"{name_a} and {name_b} are pandas objects with different indexes; their rows "
                "are paired by position, not by index label. Align them first "
                f"({name_a}, {name_b} = {name_a}.align({name_b}, join='inner', axis=0)) if "
                "the labels identify the samples.",
                SkmiWarning,
            )
            return


def check_lag(value):
    """One lag as an int; ValueError for booleans and non-integers."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (Integral, float, np.floating)):
        raise ValueError(f"lag must hold integers; got {value!r}.")
    if not float(value).is_integer():
        raise ValueError(f"lag must hold integers; got {value!r}.")
    return int(value)


def lagged_rows(n, lag, z_lag=None):
    """Indices t of X_t with y_{t+lag} (and z_{t+z_lag}) inside the series.

    Returns ``rows``; ValueError when fewer than two rows remain.
    """
    start = max(0, -lag, -z_lag if z_lag is not None else 0)
    stop = n - max(0, lag, z_lag if z_lag is not None else 0)
    if stop - start < 2:
        raise ValueError(
            f"lag={lag}{f', z_lag={z_lag}' if z_lag is not None else ''} leaves "
            f"{max(stop - start, 0)} aligned rows of {n}; the lag must be smaller than the series."
        )
    return np.arange(start, stop)


def squeeze(A):
    """A single column as 1-D; wider arrays unchanged."""
    return A[:, 0] if A.shape[1] == 1 else A


def arrange(plan, x, y):
    """The arrays the estimator gets: the class side as labels in y, the rest as floats.

    MI is symmetric, so a discrete X against a continuous y is estimated as
    I(y; X) with X's labels as the class target (Ross's form).
    """
    if plan.method == "binned" and plan.class_side is not None:
        return x.labels.reshape(-1, 1), y.labels
    if plan.swap:
        return y.floats, x.floats
    if plan.class_side == "x":
        return y.floats, x.labels
    if plan.class_side == "y":
        return x.floats, y.labels
    return x.floats, squeeze(y.floats)


def dither_counts(plan, X_fit, y_fit, seed):
    """Counts and rounded reals on a side taken as numbers, plus a uniform dither.

    A dither of one grid step (1 for counts) is recoverable: ``x`` is the grid
    point below ``x + step * u``, so the dithered columns carry exactly the
    MI of the values and have a density, which the continuous estimators
    need (ties on a grid are no rounding to break with a tiny jitter).
    Class labels (``plan.class_side``) and binned sides are left as they
    are; the inputs are never modified.
    """
    if plan.method == "binned":
        return X_fit, y_fit
    rng = check_random_state(seed)
    sides = [X_fit] if plan.class_side is not None else [X_fit, y_fit]
    dithered = []
    for A in sides:
        A2 = A.reshape(len(A), -1)
        steps = dither_steps(A2)
        mask = steps > 0
        if mask.any():
            A2 = A2.copy()
            A2[:, mask] += rng.random((len(A2), int(mask.sum()))) * steps[mask]
            A = A2.reshape(A.shape)
        dithered.append(A)
    if plan.class_side is not None:
        return dithered[0], y_fit
    return dithered[0], dithered[1]
