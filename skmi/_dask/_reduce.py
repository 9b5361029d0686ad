"""Tree reductions of per-chunk statistics, run where the chunks live.

Every estimator here follows one pattern: a function of one chunk of rows
returns a small statistic, a merge function combines several, and the merges
form a tree on the cluster; only the root comes back to the client.
"""

import numpy as np

__all__ = [
    "concatenate_rows",
    "leaves",
    "merge_moments",
    "moments",
    "power_of_two_scale",
    "strided_rows",
    "tree",
]

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
    """Per column: count, scaled mean and centred cross-products, min, max,
    non-finite flag, and the scale.

    Centred per chunk and merged with Chan et al.'s update, so that the
    cross-products do not lose precision to large means as raw sums of
    squares would. Each column is divided by a power of two near its largest
    magnitude (exact in floating point), so squares neither overflow at 1e155
    nor underflow at 1e-165; the correlation matrix does not depend on it.
    """
    block = np.asarray(block, dtype=np.float64)
    n, d = block.shape
    if n == 0:
        empty = (np.full(d, np.inf), np.full(d, -np.inf), np.zeros(d, bool))
        return (0, np.zeros(d), np.zeros((d, d)), *empty, np.ones(d))
    low, high = block.min(axis=0), block.max(axis=0)
    # NaN propagates into min and max, and an infinity is one of them: no
    # separate pass over the chunk to find non-finite values.
    nonfinite = ~(np.isfinite(low) & np.isfinite(high))
    if nonfinite.any():  # the client raises; the rest is not used
        return (n, np.zeros(d), np.zeros((d, d)), low, high, nonfinite, np.ones(d))
    scale = power_of_two_scale(np.maximum(np.abs(low), np.abs(high)))
    scaled = block / scale
    mean = scaled.mean(axis=0)
    centred = scaled - mean
    return (n, mean, centred.T @ centred, low, high, nonfinite, scale)


def power_of_two_scale(magnitude):
    """``2^(e - 1)`` for ``magnitude = m 2^e`` (1 for 0): values / scale lie in [-2, 2]."""
    exponent = np.frexp(np.where(magnitude > 0, magnitude, 1.0))[1]
    return np.ldexp(1.0, exponent - 1)


def merge_moments(*parts):
    """Combine :func:`moments` of disjoint chunks (Chan, Golub and LeVeque, 1979).

    Each part is first brought to the larger of the two scales (a power of
    two: an exact rescaling, unless a part is so much smaller that it
    underflows -- then it is negligible).
    """
    n, mean, m2, low, high, nonfinite, scale = parts[0]
    mean, m2 = mean.copy(), m2.copy()
    for n_b, mean_b, m2_b, low_b, high_b, nonfinite_b, scale_b in parts[1:]:
        low, high = np.minimum(low, low_b), np.maximum(high, high_b)
        nonfinite = nonfinite | nonfinite_b
        if n_b == 0:
            continue
        common = np.maximum(scale, scale_b)
        ratio, ratio_b = scale / common, scale_b / common
        mean, m2 = mean * ratio, m2 * np.outer(ratio, ratio)
        mean_b, m2_b = mean_b * ratio_b, m2_b * np.outer(ratio_b, ratio_b)
        scale = common
        total = n + n_b
        delta = mean_b - mean
        m2 += m2_b + np.outer(delta, delta) * (n * n_b / total)
        mean += delta * (n_b / total)
        n = total
    return (n, mean, m2, low, high, nonfinite, scale)


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
