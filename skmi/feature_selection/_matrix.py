"""mutual_info_matrix: MI between every pair of columns."""

import numpy as np
from scipy.sparse import issparse
from sklearn.metrics import mutual_info_score
from sklearn.utils import check_array, check_random_state

from skmi._dask import refuse_dask_collections
from skmi._ksg import _ksg1_pairs_1d, _ross_terms
from skmi._parallel import delayed, run_tasks
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

__all__ = ["mutual_info_matrix"]


@validate_params({**_COMMON_PARAMS, "verbose": ["verbose"]}, prefer_skip_nested_validation=True)
def mutual_info_matrix(
    X, *, discrete_features="auto", n_neighbors=3, random_state=None, n_jobs=None, verbose=0
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
    verbose : int or bool, default=0
        Show progress over the blocks of column pairs (a tqdm bar where
        installed, else joblib's progress lines). The work grows with the
        square of the number of columns: 2,000 columns at n = 1000 take
        about five minutes on two cores.

    Returns
    -------
    mi : ndarray of shape (n_features, n_features)
        Symmetric, in nats, negative estimates set to 0. The diagonal
        I(x; x) is the entropy of x -- infinite for a continuous column -- and
        is not estimated: it is NaN.

    Raises
    ------
    ValueError, DiscreteFeaturesError, TypeError
        As in :func:`mutual_info_regression`.

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
    n_neighbors = _check_n_neighbors(n_neighbors)
    refuse_dask_collections("mutual_info_matrix", X=X)
    with np.errstate(over="ignore", invalid="ignore"):  # the finiteness check's sum
        X = check_array(detach_tensor(X), accept_sparse="csc")
    n_samples, n_features = X.shape
    discrete_mask = _discrete_mask(discrete_features, X, n_features)
    if np.any(~discrete_mask) and issparse(X):
        raise ValueError("Sparse matrix `X` can't have continuous features.")
    _check_enough_samples(n_samples, n_neighbors, np.sum(~discrete_mask) >= 2)
    rng = check_random_state(random_state)
    X = _dense_columns(X, np.arange(n_features))
    if np.any(~discrete_mask):
        # an exact power of two first: no overflow in the variance near the
        # float maximum, and the same bits as scikit-learn's elsewhere
        X = scaled_by_powers_of_two(X, ~discrete_mask)
        X = _scale_and_jitter(X, ~discrete_mask, rng)
    # Column blocks, and one task per pair of blocks: the pair lists are built
    # in the workers (d^2 / 2 of them do not fit a list for thousands of
    # columns), and every task gets the same X object, which joblib's Dask
    # backend scatters to the cluster once per call, not once per task.
    blocks = _column_blocks(n_features, n_samples, n_jobs, min_blocks=16 if verbose else 1)
    tasks = [(a, b) for a in range(len(blocks)) for b in range(a, len(blocks))]
    values = run_tasks(
        (delayed(_mi_block)(X, blocks[a], blocks[b], discrete_mask, n_neighbors) for a, b in tasks),
        n_jobs=n_jobs,
        total=len(tasks),
        description="mutual_info_matrix: blocks of column pairs",
        verbose=verbose,
    )
    out = np.full((n_features, n_features), np.nan)
    for (a, b), block in zip(tasks, values, strict=True):
        rows, cols = blocks[a], blocks[b]
        out[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1] = block
        out[cols[0] : cols[-1] + 1, rows[0] : rows[-1] + 1] = block.T
    np.fill_diagonal(out, np.nan)
    return out


def _column_blocks(n_features, n_samples, n_jobs, max_values=2**24, max_columns=512, min_blocks=1):
    """Contiguous column blocks: enough block pairs for every worker, and
    blocks small enough that a pair of them (n_samples values per column)
    stays within ``max_values`` per kernel call (~0.5 GB of scratch) and a
    task lists at most ``max_columns ** 2`` pairs. ``min_blocks`` blocks at
    least (where there are columns for them): for progress, about
    ``min_blocks ** 2 / 2`` steps."""
    n_pairs_wanted = len(_batches(n_features * (n_features - 1) // 2, n_jobs))
    n_blocks = min(min_blocks, n_features)
    while n_blocks * (n_blocks + 1) // 2 < n_pairs_wanted and n_blocks < n_features:
        n_blocks += 1
    size = min(-(-n_features // n_blocks), max_values // (2 * max(n_samples, 1)), max_columns)
    size = max(1, size)
    return [np.arange(i, min(i + size, n_features)) for i in range(0, n_features, size)]


def _mi_block(X, rows, cols, discrete_mask, n_neighbors):
    """MI of columns ``rows`` against columns ``cols`` (the i < j pairs; NaN elsewhere)."""
    pairs = [(i, j) for i in rows for j in cols if i < j]
    block = np.full((len(rows), len(cols)), np.nan)
    if pairs:
        values = _mi_pairs(X, pairs, discrete_mask, n_neighbors)
        i, j = np.asarray(pairs).T
        block[i - rows[0], j - cols[0]] = values
    if rows[0] == cols[0]:  # a diagonal block: mirror its upper triangle
        upper = np.triu_indices(len(rows), 1)
        block[upper[1], upper[0]] = block[upper]
    return block


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
            _check_has_neighbours(labels, f"column {i} of X")
            xj = np.ascontiguousarray(X[:, j : j + 1])
            out[p] = np.nanmean(_ross_terms(xj, labels, n_neighbors))
    return np.maximum(out, 0.0)
