"""Preprocessing shared by the drop-in functions and the MI matrix.

scikit-learn's validation of ``discrete_features``, its scaling and its tie-
breaking noise, step for step (that is what makes the numbers identical for
the same ``random_state``), and the batching of columns over joblib workers.
"""

import warnings
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from scipy.sparse import issparse
from sklearn.preprocessing import scale
from sklearn.utils import check_array

from skmi._sklearn_compat import Interval, StrOptions
from skmi._validation import check_int
from skmi.exceptions import ConstantColumnWarning

_COMMON_PARAMS = {
    "X": ["array-like", "sparse matrix"],
    "discrete_features": [StrOptions({"auto"}), "boolean", "array-like"],
    "n_neighbors": [Interval(Integral, 1, None, closed="left")],
    "random_state": ["random_state"],
    "n_jobs": [Integral, None],
}


class DiscreteFeaturesError(ValueError, IndexError):
    """A ``discrete_features`` mask or index array that does not fit X.

    scikit-learn raises a bare ``IndexError`` from NumPy for these, and code
    written against it catches that; skmi says what is wrong, with an
    exception that is both a ``ValueError`` and an ``IndexError``.
    """


def _check_n_neighbors(n_neighbors):
    """Refuse ``n_neighbors=True`` by name (``Interval(Integral)`` lets a bool in)."""
    return check_int(n_neighbors, "n_neighbors", min_value=1)


def _check_enough_samples(n_samples, n_neighbors, has_continuous_pair):
    """KSG on two continuous variables needs more samples than neighbours.

    Ross's estimator (one discrete side) caps k at each class's size - 1, as
    scikit-learn does, so only a continuous-continuous pair can run short.
    scikit-learn raises a ValueError there too (from ``NearestNeighbors``).
    """
    if has_continuous_pair and n_samples <= n_neighbors:
        raise ValueError(
            f"n_neighbors={n_neighbors} needs more than {n_neighbors} samples; "
            f"got n_samples={n_samples}."
        )


def _check_has_neighbours(labels, name):
    """Ross's estimator needs a label seen twice (a class with a neighbour).

    Samples of singleton classes are left out, as in scikit-learn; when every
    class is a singleton nothing is left and scikit-learn fails with "Found
    array with 0 sample(s)" -- skmi says why, with a ValueError too.
    """
    if labels.size and np.bincount(labels).max() < 2:
        raise ValueError(
            f"{name} is used as discrete, but each of its {labels.size} values occurs "
            "only once, so no sample has a neighbour of its own class and the "
            "mutual information cannot be estimated. Is it really discrete? Check "
            "discrete_features (or the target)."
        )


def _scale_and_jitter(X, mask, rng):
    """scikit-learn's preprocessing of the continuous columns, in place.

    Scale without centring, then add ``1e-10 * max(1, mean|x|)`` times
    standard-normal noise drawn from ``rng``. Indexing with the boolean mask
    (not a slice) matters: it yields a column-major copy, whose column sums
    NumPy rounds differently, and the values must match scikit-learn's to the
    last bit.
    """
    X[:, mask] = scale(X[:, mask], with_mean=False, copy=False)
    means = np.maximum(1, np.mean(np.abs(X[:, mask]), axis=0))
    X[:, mask] += 1e-10 * means * rng.standard_normal(size=(X.shape[0], np.sum(mask)))
    return X


def _discrete_mask(discrete_features, X, n_features):
    """scikit-learn's reading of ``discrete_features``, with clear errors.

    A boolean mask of the wrong length or an index outside the columns raises
    :class:`DiscreteFeaturesError` (a ``ValueError`` and an ``IndexError``),
    where scikit-learn raises NumPy's ``IndexError`` -- or, for an all-True
    mask of the wrong length, silently scores only the columns the mask
    covers.
    """
    if isinstance(discrete_features, (str, bool)):
        if isinstance(discrete_features, str):
            if discrete_features != "auto":
                raise ValueError("Invalid string value for discrete_features.")
            discrete_features = issparse(X)
        return np.full(n_features, discrete_features, dtype=bool)
    discrete_features = check_array(discrete_features, ensure_2d=False)
    if discrete_features.dtype == bool:
        if discrete_features.shape != (n_features,):
            raise DiscreteFeaturesError(
                f"discrete_features as a boolean mask must have shape ({n_features},), "
                f"one entry per column of X; got shape {discrete_features.shape}."
            )
        return discrete_features
    if discrete_features.dtype.kind not in "iu":
        raise DiscreteFeaturesError(
            "discrete_features must be a boolean mask or an array of integer column "
            f"indices; got an array of dtype {discrete_features.dtype}."
        )
    outside = (discrete_features < -n_features) | (discrete_features >= n_features)
    if outside.any():
        raise DiscreteFeaturesError(
            f"discrete_features has column indices outside [-{n_features}, {n_features}) "
            f"for X with {n_features} columns: {discrete_features[outside].tolist()}."
        )
    mask = np.zeros(n_features, dtype=bool)
    mask[discrete_features] = True
    return mask


def _batches(n_features, n_jobs):
    """Column batches: a few per worker, so each builds its y index rarely.

    With one worker (the default), a single batch: no joblib overhead.
    """
    workers = effective_n_jobs(n_jobs)
    n_batches = min(n_features, 1 if workers == 1 else 4 * workers)
    return [b for b in np.array_split(np.arange(n_features), max(n_batches, 1)) if b.size]


def _dense_columns(X, cols):
    """The columns of a batch as a dense (n, len(cols)) array, column-major.

    Column-major so that each column is a contiguous slice.
    """
    block = X[:, cols]
    if issparse(block):
        block = block.toarray()
    return np.asfortranarray(block, dtype=np.float64)


def warn_constant_columns(X, stacklevel=2):
    """The mask of X's constant columns, with one warning naming them.

    Selectors score a constant column 0 -- it carries no information -- where
    the estimators refuse a constant X outright (a mistake when estimating
    one MI, routine when ranking many columns).
    """
    constant = np.ptp(X, axis=0) == 0 if len(X) else np.zeros(X.shape[1], dtype=bool)
    if constant.any():
        warnings.warn(
            f"X columns {np.flatnonzero(constant).tolist()} are constant: they carry no "
            "information and score 0.",
            ConstantColumnWarning,
            stacklevel=stacklevel + 1,
        )
    return constant
