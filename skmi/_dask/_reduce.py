"""Tree reductions of per-chunk statistics, run where the chunks live.

Every estimator here follows one pattern: a function of one chunk of rows
returns a small statistic, a merge function combines several, and the merges
form a tree on the cluster; only the root comes back to the client.
"""

import numpy as np

__all__ = ["concatenate_rows", "leaves", "merge_moments", "moments", "strided_rows", "tree"]

_FAN_IN = 8  # statistics merged per task: a shallow tree, small tasks


def leaves(chunk_fn, blocks, *args):
    """``chunk_fn(block, *args)`` for every block, delayed.

    ``args`` may hold delayed objects (a fitted codebook, a quantile table):
    each is one key of the graph, sent once to each worker that needs it,
    not embedded in every task.
    """
    import dask

    return [dask.delayed(chunk_fn, pure=True)(block, *args) for block in blocks]


def tree(parts, merge_fn):
    """The delayed merge of ``parts``, as a tree with fan-in ``_FAN_IN``.

    Merges keep the order of the parts (the strided sample relies on it).
    """
    import dask

    while len(parts) > 1:
        parts = [
            dask.delayed(merge_fn, pure=True)(*parts[i : i + _FAN_IN])
            for i in range(0, len(parts), _FAN_IN)
        ]
    return parts[0]


def moments(block):
    """Count, mean, centred cross-products, min, max and non-finite flag per column.

    Centred per chunk and merged with Chan et al.'s update, so that the
    cross-products do not lose precision to large means as raw sums of
    squares would.
    """
    block = np.asarray(block, dtype=np.float64)
    n, d = block.shape
    if n == 0:
        return (
            0,
            np.zeros(d),
            np.zeros((d, d)),
            np.full(d, np.inf),
            np.full(d, -np.inf),
            np.zeros(d, bool),
        )
    low, high = block.min(axis=0), block.max(axis=0)
    # NaN propagates into min and max, and an infinity is one of them: no
    # separate pass over the chunk to find non-finite values.
    nonfinite = ~(np.isfinite(low) & np.isfinite(high))
    if nonfinite.any():  # the client raises; the rest is not used
        return (n, np.zeros(d), np.zeros((d, d)), low, high, nonfinite)
    mean = block.mean(axis=0)
    centred = block - mean
    return (n, mean, centred.T @ centred, low, high, nonfinite)


def merge_moments(*parts):
    """Combine :func:`moments` of disjoint chunks (Chan, Golub and LeVeque, 1979)."""
    n, mean, m2, low, high, nonfinite = parts[0]
    mean, m2 = mean.copy(), m2.copy()
    for n_b, mean_b, m2_b, low_b, high_b, nonfinite_b in parts[1:]:
        low, high = np.minimum(low, low_b), np.maximum(high, high_b)
        nonfinite = nonfinite | nonfinite_b
        if n_b == 0:
            continue
        total = n + n_b
        delta = mean_b - mean
        m2 += m2_b + np.outer(delta, delta) * (n * n_b / total)
        mean += delta * (n_b / total)
        n = total
    return (n, mean, m2, low, high, nonfinite)


def strided_rows(block, offset, step):
    """The rows of a chunk whose global index is a multiple of ``step``.

    Concatenated in chunk order, these are exactly ``A[::step]`` of the whole
    array -- the sample the in-memory estimators take.
    """
    block = np.asarray(block)
    first = (-int(offset)) % step
    return block[first::step]


def concatenate_rows(*parts):
    """Merge for :func:`strided_rows`."""
    return np.concatenate(parts, axis=0)
