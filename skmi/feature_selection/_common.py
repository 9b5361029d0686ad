"""Preprocessing shared by the drop-in functions and the MI matrix.

scikit-learn's validation of ``discrete_features``, its scaling and its tie-
breaking noise, step for step (that is what makes the numbers identical for
the same ``random_state``), and the batching of columns over joblib workers.
"""

from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from scipy.sparse import issparse
from sklearn.preprocessing import scale
from sklearn.utils import check_array

from skmi._sklearn_compat import Interval, StrOptions

_COMMON_PARAMS = {
    "X": ["array-like", "sparse matrix"],
    "discrete_features": [StrOptions({"auto"}), "boolean", "array-like"],
    "n_neighbors": [Interval(Integral, 1, None, closed="left")],
    "random_state": ["random_state"],
    "n_jobs": [Integral, None],
}


def _check_enough_samples(n_samples, n_neighbors, uses_neighbors):
    if uses_neighbors and n_samples <= n_neighbors:
        raise ValueError(
            f"n_neighbors={n_neighbors} needs more than {n_neighbors} samples; "
            f"got n_samples={n_samples}."
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
    if isinstance(discrete_features, (str, bool)):
        if isinstance(discrete_features, str):
            if discrete_features != "auto":
                raise ValueError("Invalid string value for discrete_features.")
            discrete_features = issparse(X)
        return np.full(n_features, discrete_features, dtype=bool)
    discrete_features = check_array(discrete_features, ensure_2d=False)
    if discrete_features.dtype == bool:
        if discrete_features.shape != (n_features,):
            raise ValueError(
                f"discrete_features as a mask must have {n_features} entries, one per "
                f"feature; got {discrete_features.shape[0]}."
            )
        return discrete_features
    mask = np.zeros(n_features, dtype=bool)
    try:
        mask[discrete_features] = True
    except IndexError:
        raise ValueError(
            f"discrete_features has indices outside [0, {n_features}): "
            f"{discrete_features.tolist()}."
        ) from None
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
