"""sample_rows: a uniform random subsample of rows, drawn where the data are.

k-NN, kernel and neural estimators need all their rows in one process. On
data larger than memory the honest path is to estimate on a random
subsample -- an i.i.d. sample of the same distribution when the rows are --
and to report the uncertainty of that smaller sample with
:func:`skmi.bootstrap_ci`, never to gather everything silently.
"""

import numpy as np
from sklearn.utils import check_random_state

from skmi._dask import any_dask_collection
from skmi._validation import check_int

__all__ = ["sample_rows"]


def sample_rows(X, y=None, *, n_samples, random_state=None):
    """A uniform random sample of rows, without replacement, as NumPy arrays.

    For ``dask.array`` / ``dask.dataframe`` inputs the rows are drawn on the
    cluster: the number taken from each chunk is drawn on the client from
    the multivariate hypergeometric distribution (so every subset of
    ``n_samples`` rows is equally likely), each chunk picks its rows with its
    own seed, and only the picked rows travel to the client. NumPy (or any
    array-like) input is sampled in memory the same way.

    Parameters
    ----------
    X : array-like or dask collection of shape (n, d) or (n,)
    y : array-like or dask collection of shape (n,) or (n, d_y), optional
        Sampled at the same rows as X.
    n_samples : int
        Rows to draw, at most n.
    random_state : int, RandomState instance or None, default=None
        The same seed and chunking give the same rows.

    Returns
    -------
    X_sample : ndarray of shape (n_samples, d) (or (n_samples,))
    y_sample : ndarray of shape (n_samples,) or (n_samples, d_y)
        Only when y is given. Rows keep their original order.

    Raises
    ------
    TypeError
        ``n_samples`` not an integer (a bool included).
    ValueError
        ``n_samples`` < 1 or more than the rows, or X and y of different
        lengths.

    Examples
    --------
    Estimate a k-NN MI on 20,000 random rows of a dask array, with the
    interval of that sample size::

        Xs, ys = skmi.sample_rows(X, y, n_samples=20_000, random_state=0)
        mi = skmi.KSGMutualInfo().fit(Xs, ys).mi_
        ci = skmi.bootstrap_ci(skmi.KSGMutualInfo(), Xs, ys, random_state=0)
        ci.low, ci.high  # the interval of an estimate from n_samples rows

    >>> import numpy as np
    >>> from skmi import sample_rows
    >>> X = np.arange(20).reshape(10, 2)
    >>> sample_rows(X, np.arange(10), n_samples=3, random_state=0)[1].shape
    (3,)
    """
    n_samples = check_int(n_samples, "n_samples", min_value=1)
    rng = np.random.default_rng(check_random_state(random_state).randint(2**31, size=4))
    if not any_dask_collection(X, y):
        X = np.asarray(X)
        if y is not None and len(np.asarray(y)) != len(X):
            raise ValueError(
                f"X and y have inconsistent numbers of samples: X has {len(X)}, "
                f"y has {len(np.asarray(y))}."
            )
        rows = np.sort(rng.choice(_check_size(n_samples, len(X)), n_samples, replace=False))
        return X[rows] if y is None else (X[rows], np.asarray(y)[rows])
    return _sample_dask(X, y, n_samples, rng)


def _check_size(n_samples, n):
    if n_samples > n:
        raise ValueError(f"n_samples={n_samples} is more than the {n} rows of X.")
    return n


def _sample_dask(X, y, n_samples, rng):
    import dask

    from skmi._dask._inputs import as_row_blocks, row_aligned

    ndims = {"X": np.ndim(X), "y": None if y is None else np.ndim(y)}
    arrays, _ = row_aligned(X=X, y=y)
    sizes = np.asarray(arrays["X"].chunks[0], dtype=np.int64)
    _check_size(n_samples, int(sizes.sum()))
    per_chunk = rng.multivariate_hypergeometric(sizes, n_samples)
    seeds = rng.integers(2**63, size=len(sizes))
    picked = {}
    for name, array in arrays.items():
        blocks, _ = as_row_blocks(array)
        picked[name] = [
            dask.delayed(_pick, pure=True)(block, int(size), int(k), int(seed))
            for block, size, k, seed in zip(blocks, sizes, per_chunk, seeds, strict=True)
            if k
        ]
    (parts,) = dask.compute(picked)  # one pass for X and y
    out = {}
    for name, pieces in parts.items():
        sample = np.concatenate(pieces, axis=0)
        out[name] = sample[:, 0] if ndims[name] == 1 else sample
    return out["X"] if y is None else (out["X"], out["y"])


def _pick(block, size, k, seed):
    """k rows of a chunk of ``size`` rows, uniformly, in their original order.

    The same seed picks the same rows in X's and y's chunks.
    """
    rows = np.sort(np.random.default_rng(seed).choice(size, k, replace=False))
    return np.asarray(block)[rows]
