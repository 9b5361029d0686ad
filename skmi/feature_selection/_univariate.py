"""The drop-in functions: scikit-learn's mutual_info_regression / _classif.

The same signature, defaults, preprocessing (scaling, the same random noise
drawn in the same order) and clipping as scikit-learn's, so the same
``random_state`` gives the same numbers; the neighbour searches run on skmi's
Numba kernels. Loops over features go through joblib (``n_jobs``).
"""

import numpy as np
from scipy.sparse import issparse
from sklearn.metrics import mutual_info_score
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import scale
from sklearn.utils import check_random_state, check_X_y
from sklearn.utils.multiclass import check_classification_targets

from skmi._dask import refuse_dask_collections
from skmi._ksg import _ksg1_pairs_1d, _ross_terms
from skmi._neighbors import NeighborIndex
from skmi._parallel import Parallel, delayed
from skmi._preprocessing import scaled_by_powers_of_two
from skmi._sklearn_compat import validate_params
from skmi._validation import detach_tensor
from skmi.feature_selection._common import (
    _COMMON_PARAMS,
    _batches,
    _check_enough_samples,
    _check_has_neighbours,
    _check_n_neighbors,
    _dense_columns,
    _discrete_mask,
    _scale_and_jitter,
)

__all__ = ["mutual_info_classif", "mutual_info_regression"]


@validate_params(
    {**_COMMON_PARAMS, "y": ["array-like"], "copy": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def mutual_info_regression(
    X,
    y,
    *,
    discrete_features="auto",
    n_neighbors=3,
    copy=True,
    random_state=None,
    n_jobs=None,
):
    """Mutual information between each feature and a continuous target.

    A drop-in replacement for
    :func:`sklearn.feature_selection.mutual_info_regression`: same parameters,
    same preprocessing and same random noise, so with the same
    ``random_state`` it returns the same values (to rounding) -- faster.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,)
    discrete_features : {"auto", bool} or array-like, default="auto"
        Which features are discrete: all (True), none (False), a boolean mask
        or an array of indices; "auto" means True for sparse X, else False.
    n_neighbors : int, default=3
        Neighbours for the k-NN estimators of continuous variables.
    copy : bool, default=True
        With ``copy=False`` a float64 X may be scaled in place (as in
        scikit-learn); by default nothing passed in is modified.
    random_state : int, RandomState instance or None, default=None
        Seeds the tiny noise that breaks ties in continuous variables.
    n_jobs : int, default=None
        Parallel jobs over the features (joblib; ``None`` means 1 unless in a
        ``joblib.parallel_config`` context).

    Returns
    -------
    mi : ndarray of shape (n_features,)
        MI of each feature with y, in nats, negative estimates set to 0.

    Raises
    ------
    ValueError
        Where scikit-learn raises one (NaN, mismatched lengths, n_samples <=
        n_neighbors with a continuous pair, a discrete column or target whose
        every value occurs once).
    DiscreteFeaturesError
        A ``discrete_features`` mask of the wrong shape or an index outside
        the columns: a subclass of both ``ValueError`` and ``IndexError``
        (scikit-learn raises ``IndexError``).
    TypeError
        ``n_neighbors`` given as a bool (scikit-learn's check lets it in).

    References
    ----------
    .. [1] A. Kraskov, H. Stögbauer and P. Grassberger, "Estimating mutual
       information", Phys. Rev. E 69, 2004.
    .. [2] B. C. Ross, "Mutual information between discrete and continuous
       data sets", PLoS ONE 9(2), 2014.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.feature_selection import mutual_info_regression as sklearn_mi
    >>> from skmi import mutual_info_regression
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((1000, 3))
    >>> y = X[:, 0] + 0.5 * rng.standard_normal(1000)
    >>> mi = mutual_info_regression(X, y, random_state=0)
    >>> bool(np.allclose(mi, sklearn_mi(X, y, random_state=0), rtol=0, atol=1e-9))
    True
    >>> abs(mi[0] - 0.5 * np.log(5)) < 0.05  # truth for y = x + 0.5 * noise
    np.True_
    """
    refuse_dask_collections("mutual_info_regression", X=X, y=y)
    return _estimate_mi(X, y, discrete_features, False, n_neighbors, copy, random_state, n_jobs)


@validate_params(
    {**_COMMON_PARAMS, "y": ["array-like"], "copy": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def mutual_info_classif(
    X,
    y,
    *,
    discrete_features="auto",
    n_neighbors=3,
    copy=True,
    random_state=None,
    n_jobs=None,
):
    """Mutual information between each feature and a class target.

    A drop-in replacement for
    :func:`sklearn.feature_selection.mutual_info_classif` (same parameters,
    same values for the same ``random_state``); see
    :func:`mutual_info_regression` for the parameters.

    Returns
    -------
    mi : ndarray of shape (n_features,)
        In nats, negative estimates set to 0.

    Raises
    ------
    ValueError, DiscreteFeaturesError, TypeError
        As in :func:`mutual_info_regression`; ValueError also for a
        continuous target ("Unknown label type").

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.feature_selection import mutual_info_classif as sklearn_mi
    >>> from skmi import mutual_info_classif
    >>> X, y = load_iris(return_X_y=True)
    >>> mi = mutual_info_classif(X, y, random_state=0)
    >>> bool(np.allclose(mi, sklearn_mi(X, y, random_state=0), rtol=0, atol=1e-9))
    True
    >>> [int(j) for j in np.argsort(mi)[::-1][:2]]  # the petal measurements
    [2, 3]
    """
    refuse_dask_collections("mutual_info_classif", X=X, y=y)
    check_classification_targets(y)
    return _estimate_mi(X, y, discrete_features, True, n_neighbors, copy, random_state, n_jobs)


def _estimate_mi(X, y, discrete_features, discrete_target, n_neighbors, copy, random_state, n_jobs):
    """scikit-learn's preprocessing, step for step; skmi's counting."""
    n_neighbors = _check_n_neighbors(n_neighbors)
    refuse_dask_collections(
        "mutual_info_" + ("classif" if discrete_target else "regression"), X=X, y=y
    )
    X, y = detach_tensor(X), detach_tensor(y)  # a tensor with grad: numpy cannot read it
    # scikit-learn's finiteness check sums the data: near the float maximum
    # the sum overflows (it then checks element by element) with a NumPy
    # warning that is not the user's business
    with np.errstate(over="ignore", invalid="ignore"):
        X, y = check_X_y(X, y, accept_sparse="csc", y_numeric=not discrete_target)
    n_samples, n_features = X.shape
    discrete_mask = _discrete_mask(discrete_features, X, n_features)
    continuous_mask = ~discrete_mask
    if np.any(continuous_mask) and issparse(X):
        raise ValueError("Sparse matrix `X` can't have continuous features.")
    _check_enough_samples(n_samples, n_neighbors, np.any(continuous_mask) and not discrete_target)

    # The same scaling and the same draws, in the same order, as scikit-learn:
    # this is what makes the values identical for the same random_state.
    rng = check_random_state(random_state)
    # Each continuous column is first brought to a peak in [0.5, 1) by an
    # exact power of two: the same bits as scikit-learn's at ordinary scales,
    # and near the float maximum the same values as at scale 1 (its variance
    # overflowed there: inf, or a wrong MI).
    if np.any(continuous_mask):
        X = scaled_by_powers_of_two(X.astype(np.float64, copy=copy), continuous_mask)
        X = _scale_and_jitter(X, continuous_mask, rng)
    if not discrete_target:
        y = scale(scaled_by_powers_of_two(np.asarray(y, dtype=np.float64)), with_mean=False)
        y += 1e-10 * np.maximum(1, np.mean(np.abs(y))) * rng.standard_normal(size=n_samples)
    else:
        y = np.unique(y, return_inverse=True)[1].reshape(-1)
        if np.any(continuous_mask):
            _check_has_neighbours(y, "y")

    batches = _batches(n_features, n_jobs)
    results = Parallel(n_jobs=n_jobs)(
        delayed(_mi_columns)(
            _dense_columns(X, cols), cols, y, discrete_mask[cols], discrete_target, n_neighbors
        )
        for cols in batches
    )
    return np.concatenate(results) if results else np.zeros(0)


def _mi_columns(X_cols, cols, y, discrete_cols, discrete_target, n_neighbors):
    """Clipped MI of each column with y (``cols``: their indices in X).

    Continuous column against continuous y -- the common case -- go through
    the batched pair kernel; the others one column at a time.
    """
    out = np.empty(X_cols.shape[1])
    if not discrete_target:
        continuous = np.flatnonzero(~discrete_cols)
        for chunk in _column_chunks(continuous, len(y)):
            columns = np.vstack([X_cols[:, chunk].T, y])
            pairs = np.column_stack([np.arange(len(chunk)), np.full(len(chunk), len(chunk))])
            out[chunk] = _ksg1_pairs_1d(columns, pairs, n_neighbors)
    for c in range(X_cols.shape[1]):
        x = X_cols[:, c].reshape(-1, 1)  # contiguous: X_cols is column-major
        if discrete_cols[c] and discrete_target:
            out[c] = mutual_info_score(x[:, 0], y)
        elif discrete_cols[c]:
            labels = np.unique(x[:, 0], return_inverse=True)[1].reshape(-1)
            _check_has_neighbours(labels, f"column {cols[c]} of X")
            y_column = np.ascontiguousarray(y.reshape(-1, 1))
            out[c] = np.nanmean(_ross_terms(y_column, labels, n_neighbors, _sklearn_class_knn))
        elif discrete_target:
            out[c] = np.nanmean(_ross_terms(x, y, n_neighbors, _sklearn_class_knn))
    return np.maximum(out, 0.0)


def _column_chunks(columns, n_samples, max_values=2**25):
    """Split column indices so that a chunk holds at most ~max_values samples.

    The pair kernel keeps three (columns x samples) arrays; this bounds them
    to ~0.8 GB whatever the shape of X.
    """
    size = max(1, max_values // max(n_samples, 1))
    return [columns[i : i + size] for i in range(0, len(columns), size)]


def _sklearn_class_knn(points, k):
    """Within-class k-NN distances exactly as scikit-learn's Ross estimator gets them.

    For a class of n_c samples with k >= n_c // 2, scikit-learn's
    ``NearestNeighbors`` uses brute force, whose Euclidean expansion
    ``|a|^2 - 2ab + |b|^2`` is off by a few ulps -- enough to move a neighbour
    across the radius and change the estimate by ~1e-6. Those classes have at
    most 2k + 1 samples, so asking scikit-learn itself costs nothing and makes
    the drop-in functions return scikit-learn's numbers. Larger classes go
    through its k-d tree, whose 1-D distances are exact, as skmi's are.
    """
    if k >= points.shape[0] // 2:
        return NearestNeighbors(n_neighbors=k).fit(points).kneighbors()[0]
    return NeighborIndex(points, "knn").knn(k)[0]
