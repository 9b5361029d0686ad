"""Preprocessing shared by every estimator: data kinds and column scaling.

The one home for two decisions that used to be written in several modules:

* whether a block of values holds symbols (discrete) or numbers, by dtype
  (:func:`is_discrete_dtype`, :func:`is_discrete`), and the "auto" kind of
  a side by its values (:func:`side_is_discrete`: object arrays holding
  numbers are numbers; integers by the data-kind rule);
* standardising columns to zero mean and unit variance without overflow or
  underflow at extreme scales (:func:`column_stats`, :func:`standardize`).
  MI is invariant to scaling each variable, so every estimator may rescale
  freely -- and must, before a square or product can overflow: values near
  1e155 square to inf, near 1e-165 to 0.
"""

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np

# numpy dtype kinds whose values are symbols: bool, signed and unsigned
# integers, objects and strings.
DISCRETE_KINDS = "biuOSU"


def is_discrete_dtype(dtype):
    """Whether values of ``dtype`` are symbols (discrete) rather than numbers.

    Booleans, integers, strings and objects are discrete; floats and
    complex numbers are not. A pandas categorical dtype is discrete.

    Parameters
    ----------
    dtype : numpy dtype, pandas extension dtype or anything ``np.dtype`` accepts

    Returns
    -------
    discrete : bool

    Examples
    --------
    >>> import numpy as np
    >>> is_discrete_dtype(np.int8), is_discrete_dtype(np.float32)
    (True, False)
    """
    if getattr(dtype, "name", None) == "category":
        return True
    kind = getattr(dtype, "kind", None)
    if kind is None:
        kind = np.dtype(dtype).kind
    return kind in DISCRETE_KINDS


def is_discrete(values):
    """Whether an array-like holds symbols, judged by its dtype.

    A pandas DataFrame is discrete when every column is. Lists are read
    with ``np.asarray``.

    Parameters
    ----------
    values : array-like, pandas Series or DataFrame

    Returns
    -------
    discrete : bool
    """
    dtypes = getattr(values, "dtypes", None)
    if dtypes is not None and not hasattr(dtypes, "kind"):  # a DataFrame
        return all(is_discrete_dtype(d) for d in dtypes)
    dtype = getattr(values, "dtype", None)
    if dtype is None:
        dtype = np.asarray(values).dtype
    return is_discrete_dtype(dtype)


def as_numbers(A):
    """An object array whose values are all numbers, as a numeric array.

    int64 when every value is an integer, float64 otherwise; booleans,
    strings and other objects leave the array as it is (symbols), as does
    any array that is not of object dtype.

    Parameters
    ----------
    A : ndarray

    Returns
    -------
    A : ndarray
    """
    if not isinstance(A, np.ndarray) or A.dtype.kind != "O":
        return A
    values = A.ravel()

    def number(v):
        return isinstance(v, (Real, np.number)) and not isinstance(v, (bool, np.bool_))

    if not len(values) or not all(number(v) for v in values):
        return A
    if all(isinstance(v, (Integral, np.integer)) for v in values):
        try:
            return A.astype(np.int64)
        except OverflowError:  # Python integers beyond int64
            pass
    return A.astype(np.float64)


def side_is_discrete(A):
    """The "auto" kind of a side (X or y) of a discrete-aware estimator.

    One rule for every side: symbols (strings, booleans, categories) are
    discrete; object arrays holding numbers are those numbers; floats are
    continuous; integers are discrete when every column is by the shared
    data-kind rule (:func:`skmi._data_kinds.classify_column`: few distinct
    values relative to n), so integer IDs, counts and rounded measurements
    with mostly distinct values are numbers.

    Parameters
    ----------
    A : ndarray (or dask array) of shape (n_samples,) or (n_samples, n_features)

    Returns
    -------
    discrete : bool
    """
    A = as_numbers(A)
    if not is_discrete_dtype(A.dtype):
        return False
    if A.dtype.kind in "iu":
        from skmi._data_kinds import classify_column

        columns = A.reshape(len(A), -1).T
        return all(classify_column(c)[0] == "discrete" for c in columns)
    return True


class ColumnStats(NamedTuple):
    """Per-column statistics for :func:`standardize`, free of overflow.

    ``mean`` and ``std`` are in units of ``peak`` (the largest magnitude of
    the column), so that they stay finite whatever the data's scale; the
    standardised value of ``a`` is ``(a / peak - mean) / std``.
    """

    peak: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def column_stats(A):
    """Mean and standard deviation of each column, in units of its peak.

    Dividing by the largest magnitude first keeps every intermediate finite
    for values anywhere between 1e-308 and 1e308 (the squares in a plain
    ``A.std()`` overflow above about 1e154 and underflow below 1e-162). A
    column that does not vary gets ``std = 1``, so standardising leaves it
    at 0 instead of dividing by zero.

    Parameters
    ----------
    A : array-like of shape (n_samples, n_features) or (n_samples,)
        Finite numbers.

    Returns
    -------
    stats : ColumnStats
        Arrays of shape (n_features,) (scalars' shape () for 1-D input).
    """
    A = np.asarray(A, dtype=np.float64)
    peak = np.abs(A).max(axis=0) if len(A) else np.ones(A.shape[1:])
    peak = np.where(peak > 0, peak, 1.0)
    scaled = A / peak
    mean = scaled.mean(axis=0)
    std = scaled.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    return ColumnStats(peak, mean, std)


def standardize(A, stats=None):
    """Columns to zero mean and unit variance, as a new float64 array.

    Parameters
    ----------
    A : array-like of shape (n_samples, n_features) or (n_samples,)
        Finite numbers; never modified.
    stats : ColumnStats, optional
        Statistics of the training data (from :func:`column_stats`), to
        transform new data as the training data was; default: ``A``'s own.

    Returns
    -------
    standardized : ndarray of float64, the shape of ``A``

    Examples
    --------
    >>> import numpy as np
    >>> np.round(standardize(np.array([[1e200], [3e200]])).ravel(), 12).tolist()
    [-1.0, 1.0]
    """
    A = np.asarray(A, dtype=np.float64)
    if stats is None:
        stats = column_stats(A)
    out = A / stats.peak
    out -= stats.mean
    out /= stats.std
    return out


def scaling_stats(A, standardize=True):
    """:func:`column_stats` of ``A``, or (``standardize=False``) the identity's.

    The one standardisation of the neural estimators (``NeuralMutualInfo``,
    ``kl_divergence``): with the peak divided out first, data at 1e200 or
    1e307 standardise to what data at 1 do, where ``A.std()`` overflowed (a
    -0.0 or NaN estimate). Apply with :func:`standardize`.

    Parameters
    ----------
    A : array-like of shape (n_samples, n_features)
    standardize : bool, default=True

    Returns
    -------
    stats : ColumnStats
    """
    A = np.asarray(A, dtype=np.float64)
    if standardize:
        return column_stats(A)
    width = A.shape[1:]
    return ColumnStats(np.ones(width), np.zeros(width), np.ones(width))


def scaled_by_powers_of_two(A, mask=None):
    """Each column (those in ``mask``) times the power of two that brings its
    largest magnitude into [0.5, 1): exactly, in place for 2-D ``A``.

    Multiplying by a power of two rounds nothing (short of the subnormal
    range), and every later sum, mean and variance is the same power of two
    times what it would have been: scikit-learn's ``scale`` then gives the
    same bits as on the unscaled data, where near the float maximum its
    variance overflowed (values 1e300 gave inf or a wrong MI).

    Parameters
    ----------
    A : ndarray of float64, shape (n_samples,) or (n_samples, n_features)
        Finite. A 1-D array is returned as a new array, a 2-D one scaled in
        place (and returned).
    mask : boolean ndarray of shape (n_features,), optional
        The columns to scale; default all.

    Returns
    -------
    A : ndarray
    """
    if A.ndim == 1:
        peak = np.abs(A).max() if len(A) else 0.0
        return np.ldexp(np.asarray(A, dtype=np.float64), -int(np.frexp(peak)[1]))
    columns = np.arange(A.shape[1]) if mask is None else np.flatnonzero(mask)
    if len(A) == 0 or len(columns) == 0:
        return A
    peak = np.abs(A[:, columns]).max(axis=0)
    exponent = np.frexp(peak)[1]
    for c, e in zip(columns, exponent, strict=True):
        if e:
            A[:, c] = np.ldexp(A[:, c], -int(e))
    return A


def normal_scores(A):
    """Each column through its (average) ranks to standard-normal quantiles.

    The Gaussian-copula transform: monotone per column, so it leaves MI
    unchanged while making every marginal Gaussian.
    """
    from scipy.special import ndtri

    from skmi._ranks import rankdata

    return ndtri(rankdata(A) / (len(A) + 1))
