"""Feature selection by mutual information, scikit-learn's way but faster.

* :func:`mutual_info_regression`, :func:`mutual_info_classif` -- drop-in
  replacements for scikit-learn's functions: the same signature, defaults,
  preprocessing (scaling, the same random noise drawn in the same order) and
  clipping, so the same ``random_state`` gives the same numbers; the
  neighbour searches run on skmi's Numba kernels.
* :func:`mutual_info_matrix` -- MI between every pair of columns.
* :func:`mutual_info_score_func` -- any skmi estimator as a ``score_func``.
* :class:`MutualInfoSelector` -- greedy mRMR, JMI and CMIM selection.

Loops over features go through joblib (``n_jobs``), so
``with joblib.parallel_config(backend="dask"):`` runs them on a Dask cluster.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from joblib import effective_n_jobs
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, clone
from sklearn.feature_selection import SelectorMixin
from sklearn.metrics import mutual_info_score
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import scale
from sklearn.utils import check_array, check_random_state, check_X_y
from sklearn.utils.multiclass import check_classification_targets

from skmi._base import fitted_mi
from skmi._ksg import KSGMutualInfo, _ksg1_pairs_1d, _ross_terms
from skmi._neighbors import NeighborIndex
from skmi._parallel import Parallel, delayed
from skmi._sklearn_compat import (
    HasMethods,
    Interval,
    StrOptions,
    check_is_fitted,
    validate_data,
    validate_params,
)
from skmi.exceptions import SkmiWarning

__all__ = [
    "MutualInfoSelector",
    "mutual_info_classif",
    "mutual_info_matrix",
    "mutual_info_regression",
    "mutual_info_score_func",
]

_COMMON_PARAMS = {
    "X": ["array-like", "sparse matrix"],
    "discrete_features": [StrOptions({"auto"}), "boolean", "array-like"],
    "n_neighbors": [Interval(Integral, 1, None, closed="left")],
    "random_state": ["random_state"],
    "n_jobs": [Integral, None],
}


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
    check_classification_targets(y)
    return _estimate_mi(X, y, discrete_features, True, n_neighbors, copy, random_state, n_jobs)


def _estimate_mi(X, y, discrete_features, discrete_target, n_neighbors, copy, random_state, n_jobs):
    """scikit-learn's preprocessing, step for step; skmi's counting."""
    X, y = check_X_y(X, y, accept_sparse="csc", y_numeric=not discrete_target)
    n_samples, n_features = X.shape
    discrete_mask = _discrete_mask(discrete_features, X, n_features)
    continuous_mask = ~discrete_mask
    if np.any(continuous_mask) and issparse(X):
        raise ValueError("Sparse matrix `X` can't have continuous features.")
    _check_enough_samples(n_samples, n_neighbors, np.any(continuous_mask) or not discrete_target)

    # The same scaling and the same draws, in the same order, as scikit-learn:
    # this is what makes the values identical for the same random_state.
    rng = check_random_state(random_state)
    if np.any(continuous_mask):
        X = _scale_and_jitter(X.astype(np.float64, copy=copy), continuous_mask, rng)
    if not discrete_target:
        y = scale(y, with_mean=False)
        y += 1e-10 * np.maximum(1, np.mean(np.abs(y))) * rng.standard_normal(size=n_samples)
    else:
        y = np.unique(y, return_inverse=True)[1].reshape(-1)

    batches = _batches(n_features, n_jobs)
    results = Parallel(n_jobs=n_jobs)(
        delayed(_mi_columns)(
            _dense_columns(X, cols), y, discrete_mask[cols], discrete_target, n_neighbors
        )
        for cols in batches
    )
    return np.concatenate(results) if results else np.zeros(0)


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


def _mi_columns(X_cols, y, discrete_cols, discrete_target, n_neighbors):
    """Clipped MI of each column with y.

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


# ---------------------------------------------------------------------------
# the pairwise matrix and estimator-based scores
# ---------------------------------------------------------------------------


@validate_params(_COMMON_PARAMS, prefer_skip_nested_validation=True)
def mutual_info_matrix(
    X, *, discrete_features="auto", n_neighbors=3, random_state=None, n_jobs=None
):
    """Mutual information between every pair of columns of X.

    Each pair is estimated once (the estimators are symmetric) with the same
    preprocessing as :func:`mutual_info_regression`: KSG for two continuous
    columns, Ross's estimator for a discrete and a continuous one, the plug-in
    estimate for two discrete ones.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    discrete_features, n_neighbors, random_state, n_jobs
        As in :func:`mutual_info_regression`.

    Returns
    -------
    mi : ndarray of shape (n_features, n_features)
        Symmetric, in nats, negative estimates set to 0. The diagonal
        I(x; x) is the entropy of x -- infinite for a continuous column -- and
        is not estimated: it is NaN.

    Examples
    --------
    >>> import numpy as np
    >>> from skmi import mutual_info_matrix
    >>> rng = np.random.default_rng(0)
    >>> a = rng.standard_normal(2000)
    >>> X = np.column_stack([a, a + rng.standard_normal(2000), rng.standard_normal(2000)])
    >>> M = mutual_info_matrix(X, random_state=0)
    >>> bool(np.isnan(M[0, 0])), bool(M[0, 1] == M[1, 0])
    (True, True)
    >>> abs(M[0, 1] - 0.5 * np.log(2)) < 0.05, M[0, 2] < 0.02  # truths: log(2)/2 and 0
    (np.True_, np.True_)
    """
    X = check_array(X, accept_sparse="csc")
    n_samples, n_features = X.shape
    discrete_mask = _discrete_mask(discrete_features, X, n_features)
    if np.any(~discrete_mask) and issparse(X):
        raise ValueError("Sparse matrix `X` can't have continuous features.")
    _check_enough_samples(n_samples, n_neighbors, np.any(~discrete_mask))
    rng = check_random_state(random_state)
    X = _dense_columns(X, np.arange(n_features))
    if np.any(~discrete_mask):
        X = _scale_and_jitter(X, ~discrete_mask, rng)
    pairs = [(i, j) for i in range(n_features) for j in range(i + 1, n_features)]
    chunks = _batches(len(pairs), n_jobs)
    values = Parallel(n_jobs=n_jobs)(
        delayed(_mi_pairs)(X, [pairs[p] for p in chunk], discrete_mask, n_neighbors)
        for chunk in chunks
    )
    out = np.full((n_features, n_features), np.nan)
    for chunk, vals in zip(chunks, values, strict=True):
        for p, v in zip(chunk, vals, strict=True):
            i, j = pairs[p]
            out[i, j] = out[j, i] = v
    return out


def _mi_pairs(X, pairs, discrete_mask, n_neighbors):
    """Clipped MI of each (i, j) column pair."""
    out = np.empty(len(pairs))
    continuous = [p for p, (i, j) in enumerate(pairs) if not (discrete_mask[i] or discrete_mask[j])]
    if continuous:
        used = sorted({c for p in continuous for c in pairs[p]})
        row = {c: r for r, c in enumerate(used)}
        out[continuous] = _ksg1_pairs_1d(
            X[:, used].T, [(row[pairs[p][0]], row[pairs[p][1]]) for p in continuous], n_neighbors
        )
    for p, (i, j) in enumerate(pairs):
        if discrete_mask[j] and not discrete_mask[i]:
            i, j = j, i  # the discrete one first
        if discrete_mask[i] and discrete_mask[j]:
            out[p] = mutual_info_score(X[:, i], X[:, j])
        elif discrete_mask[i]:
            labels = np.unique(X[:, i], return_inverse=True)[1].reshape(-1)
            xj = np.ascontiguousarray(X[:, j : j + 1])
            out[p] = np.nanmean(_ross_terms(xj, labels, n_neighbors))
    return np.maximum(out, 0.0)


def mutual_info_score_func(estimator=None, *, n_jobs=None):
    """Turn an skmi estimator into a ``score_func`` for feature selectors.

    The returned function scores each column of X by the estimator's
    ``fit(X[:, [j]], y).mi_`` -- with any skmi estimator, and with
    multivariate targets -- for use in
    :class:`~sklearn.feature_selection.SelectKBest` and friends.

    Parameters
    ----------
    estimator : skmi estimator, default=None
        ``KSGMutualInfo()`` when None. It is cloned for every column.
    n_jobs : int, default=None
        Parallel jobs over the columns (joblib).

    Returns
    -------
    score_func : callable ``(X, y) -> ndarray of shape (n_features,)``

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.feature_selection import SelectKBest
    >>> from skmi import GaussianMutualInfo, mutual_info_score_func
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((500, 4))
    >>> Y = np.column_stack([X[:, 2], X[:, 3]]) + rng.standard_normal((500, 2))
    >>> selector = SelectKBest(mutual_info_score_func(GaussianMutualInfo()), k=2)
    >>> selector.fit(X, Y).get_support()
    array([False, False,  True,  True])
    """
    template = KSGMutualInfo() if estimator is None else estimator

    def score_func(X, y):
        X = check_array(X)
        scores = Parallel(n_jobs=n_jobs)(
            delayed(fitted_mi)(clone(template), X[:, [j]], y) for j in range(X.shape[1])
        )
        return np.asarray(scores, dtype=np.float64)

    score_func.__name__ = f"mutual_info_score_func({type(template).__name__})"
    return score_func


# ---------------------------------------------------------------------------
# greedy selection
# ---------------------------------------------------------------------------


class MutualInfoSelector(SelectorMixin, BaseEstimator):
    """Greedy feature selection by relevance and redundancy (mRMR, JMI, CMIM).

    Plain top-k mutual information picks redundant copies of the same signal;
    these criteria pick features that add information to those already
    chosen. Starting from the most relevant feature, each step adds the
    feature j that maximises

    * ``"mrmr"``: I(x_j; y) - mean over chosen s of I(x_j; x_s)
      (Peng et al., 2005);
    * ``"jmi"``: sum over chosen s of I((x_j, x_s); y) (Yang & Moody, 1999);
    * ``"cmim"``: min over chosen s of I(x_j; y | x_s) (Fleuret, 2004),
      computed as I((x_j, x_s); y) - I(x_s; y).

    Parameters
    ----------
    n_features_to_select : int or float, default=None
        How many features to keep: an int, a fraction in (0, 1), or None for
        half of them.
    criterion : {"mrmr", "jmi", "cmim"}, default="mrmr"
    estimator : skmi estimator, default=None
        Estimates every MI term; ``KSGMutualInfo(random_state=random_state)``
        when None (which treats integer/string y as classes).
    random_state : int, RandomState instance or None, default=None
        Passed to the default estimator.
    n_jobs : int, default=None
        Parallel jobs over candidate features at each step (joblib).

    Attributes
    ----------
    ranking_ : ndarray of shape (n_features_to_select,)
        The selected feature indices, in the order they were chosen.
    relevance_ : ndarray of shape (n_features,)
        I(x_j; y) for every feature, in nats.
    scores_ : ndarray of shape (n_features_to_select,)
        The criterion's value for each feature when it was chosen.
    support_ : ndarray of bool, shape (n_features,)
        Whether each feature was selected.
    n_features_in_ : int
        Number of columns of X.
    feature_names_in_ : ndarray of str
        Column names of X, when it had string column names.

    References
    ----------
    .. [1] H. Peng, F. Long and C. Ding, "Feature selection based on mutual
       information: criteria of max-dependency, max-relevance, and
       min-redundancy", IEEE TPAMI 27(8), 2005.
    .. [2] H. Yang and J. Moody, "Data visualization and feature selection:
       new algorithms for non-Gaussian data", NIPS 1999.
    .. [3] F. Fleuret, "Fast binary feature selection with conditional mutual
       information", JMLR 5, 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from skmi import MutualInfoSelector
    >>> rng = np.random.default_rng(0)
    >>> a, b = rng.standard_normal((2, 1000))
    >>> y = a + b + 0.3 * rng.standard_normal(1000)
    >>> X = np.column_stack([a, a + 0.01 * rng.standard_normal(1000), b])
    >>> support = MutualInfoSelector(2, random_state=0).fit(X, y).get_support()
    >>> int(support[:2].sum()), bool(support[2])  # one copy of a, and b
    (1, True)
    """

    _parameter_constraints: dict = {
        "n_features_to_select": [
            None,
            Interval(Integral, 1, None, closed="left"),
            Interval(Real, 0, 1, closed="neither"),
        ],
        "criterion": [StrOptions({"mrmr", "jmi", "cmim"})],
        "estimator": [None, HasMethods(["fit"])],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        criterion="mrmr",
        estimator=None,
        random_state=None,
        n_jobs=None,
    ):
        self.n_features_to_select = n_features_to_select
        self.criterion = criterion
        self.estimator = estimator
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X, y):
        """Choose the features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self : object
        """
        self._validate_params()
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None."
            )
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        if len(y) != len(X):
            raise ValueError(
                f"X and y have inconsistent numbers of samples: X has {len(X)}, y has {len(y)}."
            )
        n_features = X.shape[1]
        n_select = self._n_to_select(n_features)
        base = (
            KSGMutualInfo(random_state=self.random_state)
            if self.estimator is None
            else (self.estimator)
        )
        parallel = Parallel(n_jobs=self.n_jobs)

        def mi_of(blocks):
            return np.asarray(
                parallel(delayed(_quiet_mi)(clone(base), b, y) for b in blocks), dtype=float
            )

        self.relevance_ = mi_of([X[:, [j]] for j in range(n_features)])
        chosen = [int(np.argmax(self.relevance_))]
        scores = [self.relevance_[chosen[0]]]
        # Running aggregate of each candidate's terms against the chosen set.
        aggregate = np.zeros(n_features)
        if self.criterion == "cmim":
            aggregate[:] = np.inf
        while len(chosen) < n_select:
            last = chosen[-1]
            candidates = [j for j in range(n_features) if j not in chosen]
            if self.criterion == "mrmr":
                aggregate[candidates] += _pairwise_to(base, X, candidates, last, parallel)
                value = self.relevance_[candidates] - aggregate[candidates] / len(chosen)
            else:
                joint = mi_of([X[:, [j, last]] for j in candidates])
                if self.criterion == "jmi":
                    aggregate[candidates] += joint
                else:  # cmim: I(x_j; y | x_last) = I((x_j, x_last); y) - I(x_last; y)
                    aggregate[candidates] = np.minimum(
                        aggregate[candidates], joint - self.relevance_[last]
                    )
                value = aggregate[candidates]
            best = int(np.argmax(value))
            chosen.append(candidates[best])
            scores.append(value[best])
        self.ranking_ = np.asarray(chosen)
        self.scores_ = np.asarray(scores)
        self.support_ = np.zeros(n_features, dtype=bool)
        self.support_[self.ranking_] = True
        return self

    def _n_to_select(self, n_features):
        n = self.n_features_to_select
        if n is None:
            return max(1, n_features // 2)
        if isinstance(n, Integral):
            if n > n_features:
                raise ValueError(
                    f"n_features_to_select={n} is more than n_features={n_features}, "
                    "the number of columns of X."
                )
            return int(n)
        return max(1, int(n * n_features))

    def _get_support_mask(self):
        check_is_fitted(self)
        return self.support_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.allow_nan = False
        return tags


def _pairwise_to(base, X, candidates, last, parallel):
    """I(x_j; x_last) for every candidate j, with x_last as the target."""
    target = X[:, last]
    return np.asarray(
        parallel(delayed(_quiet_mi)(clone(base), X[:, [j]], target) for j in candidates),
        dtype=float,
    )


def _quiet_mi(estimator, X, y):
    """``estimator.fit(X, y).mi_``, with a constant block scoring 0."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkmiWarning)
        try:
            return estimator.fit(X, y).mi_
        except ValueError as error:
            if "is constant" in str(error):
                return 0.0
            raise
