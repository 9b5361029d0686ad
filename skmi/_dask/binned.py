"""BinnedMutualInfo on dask data: joint bin counts reduced on the cluster.

The plug-in MI is a function of the joint symbol counts, which add up over
chunks of rows. Two passes over the data:

1. per column min, max and non-finite count (constant columns are dropped and
   NaN refused, as in memory), the distinct values of integer columns (up to
   ``MAX_LEVELS``: the data-kind rule decides from them whether a side is
   discrete), and the strided sample ``A[::step]`` the binner is fitted on;
2. per chunk, each row's x and y symbols and their joint counts; the count
   tables are merged on the cluster.

The binner is the in-memory estimator's own ``_fit_binner``, fed with:

* ``"uniform"``: the column minima and maxima -- the same edges, exactly;
* ``"quantile"``: the strided sample ``A[::n // 65536]`` -- the very rows the
  in-memory estimator sorts, so the same edges, exactly;
* ``"kmeans"``: a strided sample of at most ``_KMEANS_SAMPLE`` rows, on which
  the codebook (and the standardisation) is fitted, then applied to every
  chunk. With ``n <= _KMEANS_SAMPLE`` that is all the rows, and the result is
  the in-memory one; above, the codebook is fitted on the sample where the
  in-memory estimator uses every row (both are mini-batch fits, an
  approximation either way), and every row is still counted.

The count table holds one row per occupied (x, y) cell: small for discrete
data and few binned columns; for many binned columns it can approach the
number of rows, as the binned estimate itself then does.
"""

import numpy as np

from skmi._binning import _EDGE_SAMPLE, _KEY_LIMIT, _binned_symbols  # as in memory
from skmi._dask._inputs import (
    as_row_blocks,
    check_constant_columns,
    row_aligned,
    set_input_attributes,
)
from skmi._dask._reduce import concatenate_rows, strided_rows, tree
from skmi._data_kinds import MAX_LEVELS, few_levels
from skmi._numba import digitize_columns
from skmi._preprocessing import is_discrete_dtype

__all__ = ["fit_binned"]

_KMEANS_SAMPLE = 2**17
_DENSE_CELLS = 2**22  # count arrays of at most 32 MB: added, not sorted
_TABLE_BYTES_PER_CELL = 64  # a symbol, a count, and the merge's sort and inverse
_TABLE_WARN_BYTES = 2**30


def fit_binned(est, X, y, z=None):
    """The fit of ``est`` on dask inputs: sets its fitted state, returns the MI in nats.

    Called by ``BaseMutualInfo.fit`` on its working copy, which it publishes.
    """
    import dask

    name = type(est).__name__
    if y is None:
        raise ValueError(f"{name} requires y to be passed, but the target y is None.")
    if z is not None:
        raise ValueError(f"{name} does not support conditioning on z.")
    arrays, feature_names = row_aligned(X=X, y=y)
    X, y = arrays["X"], arrays["y"]
    n = X.shape[0]
    if n < est._min_samples():
        raise ValueError(
            f"X has n_samples={n}; {name} with these parameters needs at least "
            f"{est._min_samples()} samples."
        )
    # The kind of each side: given, known from the dtype, or -- integer
    # columns under "auto" -- decided by their distinct values, which pass 1
    # counts (up to MAX_LEVELS) with the ranges: no extra pass over the data.
    counted = {
        "X": est.discrete_features == "auto" and X.dtype.kind in "iu",
        "y": est.discrete_target == "auto" and y.dtype.kind in "iu",
    }
    discrete_x = None if counted["X"] else _known_kind(X, est.discrete_features)
    discrete_y = None if counted["y"] else _known_kind(y, est.discrete_target)

    # Pass 1: ranges, finiteness, distinct levels of integer columns, and the
    # sample each binner is fitted on.
    step = max(1, n // _EDGE_SAMPLE)
    if est.strategy == "kmeans":
        step = max(1, -(-n // _KMEANS_SAMPLE))
    x_blocks, offsets = as_row_blocks(X)
    y_blocks, _ = as_row_blocks(y)
    ranges = [
        tree([dask.delayed(_ranges, pure=True)(b) for b in blocks], _merge_ranges)
        for blocks in (x_blocks, y_blocks)
    ]
    levels = [
        tree([dask.delayed(_levels, pure=True)(b) for b in blocks], _merge_levels)
        if counted[side]
        else None
        for side, blocks in (("X", x_blocks), ("y", y_blocks))
    ]
    samples = [
        tree(
            [
                dask.delayed(strided_rows, pure=True)(b, o, step)
                for b, o in zip(blocks, offsets, strict=True)
            ],
            concatenate_rows,
        )
        if not discrete  # None (not known yet) included: the sample is small
        else None
        for blocks, discrete in ((x_blocks, discrete_x), (y_blocks, discrete_y))
    ]
    (x_range, y_range), (x_levels, y_levels), (x_sample, y_sample) = dask.compute(
        ranges, levels, samples
    )
    if counted["X"]:
        discrete_x = _integer_side_is_discrete(x_levels, n)
    if counted["y"]:
        discrete_y = _integer_side_is_discrete(y_levels, n)

    keep_x = _kept_columns("X", x_range, refuse_nan=not discrete_x)
    if discrete_y:
        _check_finite("y", y_range)
        keep_y = np.ones(y.shape[1], dtype=bool)
        if (y_range[1] == y_range[0]).all():
            raise ValueError(
                "y has a single class, so its mutual information with anything is 0. "
                "Check the target you passed."
            )
    else:
        keep_y = _kept_columns("y", y_range, refuse_nan=True)

    rng = est._rng()  # one generator, X's binner first: the in-memory order of draws
    binner_x = binner_y = None
    if not discrete_x:
        binner_x = est._fit_binner(_rows_for(est, x_sample, x_range, keep_x), rng)
    if not discrete_y:
        binner_y = est._fit_binner(_rows_for(est, y_sample, y_range, keep_y), rng)

    # Pass 2: joint counts.
    coders = _Coder(binner_x, keep_x), _Coder(binner_y, keep_y)
    _warn_if_the_table_may_be_large(n, *coders)
    coder_x, coder_y = (dask.delayed(coder, pure=True) for coder in coders)
    counts = tree(
        [
            dask.delayed(_joint_table, pure=True)(bx, by, coder_x, coder_y)
            for bx, by in zip(x_blocks, y_blocks, strict=True)
        ],
        _merge_tables,
    )
    (table,) = dask.compute(counts)
    rows, c_xy, split = _occupied(table)
    c_x = _marginal_counts(rows, c_xy, split, "x")
    c_y = _marginal_counts(rows, c_xy, split, "y")

    # What an in-memory fit records for score (BaseMutualInfo.fit publishes
    # it in one step): the columns kept (the fitted edges belong to them)
    # and y's width.
    set_input_attributes(est, {"X": X.shape[1]}, feature_names)
    est._kept_columns_X, est._kept_columns_y = keep_x, keep_y
    est.n_features_y_in_ = y.shape[1]
    est.discrete_features_, est.discrete_target_ = discrete_x, discrete_y
    est._binner_x, est._binner_y = binner_x, binner_y
    est.n_symbols_x_, est.n_symbols_y_, est.n_symbols_joint_ = len(c_x), len(c_y), len(c_xy)
    return est._mi_from_counts(c_x, c_y, c_xy, int(c_xy.sum()))


# -- pass 1 -------------------------------------------------------------------------------


def _ranges(block):
    """Per column min, max and whether a value is not finite (NaN or infinite)."""
    block = np.asarray(block)
    if len(block) == 0:
        d = block.shape[1]
        if block.dtype.kind in "iu":  # integer extremes: no cast of the others to float
            info = np.iinfo(block.dtype)
            return (
                np.full(d, info.max, dtype=block.dtype),
                np.full(d, info.min, dtype=block.dtype),
                np.zeros(d, dtype=bool),
            )
        return np.full(d, np.inf), np.full(d, -np.inf), np.zeros(d, dtype=bool)
    low, high = block.min(axis=0), block.max(axis=0)
    if block.dtype.kind != "f":
        return low, high, np.zeros(block.shape[1], dtype=bool)
    # NaN propagates into min and max, and an infinity is one of them.
    return low, high, ~(np.isfinite(low) & np.isfinite(high))


def _merge_ranges(*parts):
    low = np.min([p[0] for p in parts], axis=0)
    high = np.max([p[1] for p in parts], axis=0)
    return low, high, np.any([p[2] for p in parts], axis=0)


def _known_kind(A, setting):
    """The kind of a side whose values need not be read: by setting or dtype."""
    if setting == "auto":
        return is_discrete_dtype(A.dtype)  # floats: no; symbols: yes
    return bool(setting)


def _levels(block):
    """Per column, its distinct values -- or None past MAX_LEVELS of them."""
    # as float64, as the in-memory rule reads integer columns (so integers
    # beyond 2**53 that share a float are one level there and here)
    block = np.asarray(block, dtype=np.float64)
    levels = []
    for column in block.T:
        values = np.unique(column)
        levels.append(values if len(values) <= MAX_LEVELS else None)
    return levels


def _merge_levels(*parts):
    merged = []
    for columns in zip(*parts, strict=True):
        if any(c is None for c in columns):
            merged.append(None)
            continue
        values = np.unique(np.concatenate(columns))
        merged.append(values if len(values) <= MAX_LEVELS else None)
    return merged


def _integer_side_is_discrete(levels, n):
    """The in-memory rule for integer columns, from their distinct values."""
    return all(values is not None and few_levels(len(values), n) for values in levels)


def _check_finite(part, ranges):
    if ranges[2].any():
        raise ValueError(f"Input {part} contains NaN or infinity.")


def _kept_columns(part, ranges, refuse_nan):

    if refuse_nan:
        _check_finite(part, ranges)
    constant = ranges[1] == ranges[0]
    check_constant_columns(part, constant)
    return ~constant


def _rows_for(est, sample, ranges, keep):
    """What the in-memory binner is fitted on: min and max, or the sample."""
    if est.strategy == "uniform":
        return np.vstack([ranges[0], ranges[1]])[:, keep].astype(np.float64)
    return np.asarray(sample, dtype=np.float64)[:, keep]


# -- pass 2 -------------------------------------------------------------------------------


class _Coder:
    """One side's symbols for a chunk: bin keys, cluster labels or raw values.

    ``space`` is the number of possible symbols when it is known (bins,
    clusters) -- then x and y combine into one int64 key -- else None (raw
    discrete values, or more bin patterns than an int64 holds), and the
    symbols are int64 columns counted row-wise.
    """

    def __init__(self, binner, keep):
        self.binner, self.keep = binner, keep
        self.space = None
        if binner is not None:
            kind, model = binner
            if kind == "kmeans":
                self.space = int(model[-1].n_clusters)  # (column stats, KMeans)
            else:
                radix = model.shape[1] + 1
                if radix ** model.shape[0] < _KEY_LIMIT:
                    self.space = radix ** model.shape[0]

    def __call__(self, block):
        block = np.asarray(block)
        if not self.keep.all():
            block = block[:, self.keep]
        if len(block) == 0:
            # an empty chunk (a filtered dask DataFrame's partition) has no
            # symbols: scikit-learn's predict and transform refuse 0 rows
            width = 1 if self.binner is not None and self.space is not None else block.shape[1]
            return np.empty((0, width), dtype=np.int64)
        if self.binner is None:  # discrete: the values themselves
            if block.dtype.kind == "f":
                return (block + 0.0).view(np.int64)  # + 0.0: -0.0 and 0.0 are one value
            return block.astype(np.int64)
        if self.space is not None:
            return _binned_symbols(block.astype(np.float64), self.binner).reshape(-1, 1)
        return digitize_columns(np.ascontiguousarray(block, dtype=np.float64), self.binner[1])


def _warn_if_the_table_may_be_large(n, coder_x, coder_y):
    """One warning when the count table could outgrow a worker.

    The table has one row per occupied (x, y) cell: at most the number of
    possible cells, and at most n. With many binned columns that bound is n
    itself -- then every row is its own cell and the binned estimate means
    little anyway.
    """
    import warnings

    from skmi.exceptions import SkmiWarning

    cells = n
    if coder_x.space is not None and coder_y.space is not None:
        cells = min(n, coder_x.space * coder_y.space)
    if cells * _TABLE_BYTES_PER_CELL > _TABLE_WARN_BYTES:
        warnings.warn(
            f"The joint count table may hold up to {cells:,} cells "
            f"(~{cells * _TABLE_BYTES_PER_CELL / 1e9:.1f} GB in one worker): with "
            "n_bins ** n_columns cells to fill, most rows may fall in cells of their "
            "own. Use fewer bins or columns (or strategy='kmeans').",
            SkmiWarning,
            stacklevel=4,
        )


def _joint_table(x_block, y_block, coder_x, coder_y):
    """(joint symbols, their counts, how to split them into x and y).

    Three forms, chosen from the symbol spaces alone (so every chunk agrees):
    ``"dense"`` -- a count per possible cell, when there are at most
    ``_DENSE_CELLS`` (merged by adding: fast, and small to merge); ``"key"``
    -- the distinct int64 cell keys and their counts; ``"columns"`` -- the
    distinct rows of symbol columns (raw discrete values, or more bin
    patterns than an int64 holds).
    """
    x, y = coder_x(x_block), coder_y(y_block)
    if coder_x.space is not None and coder_y.space is not None:
        cells = coder_x.space * coder_y.space
        if cells < _KEY_LIMIT:
            keys = x[:, 0] * coder_y.space + y[:, 0]
            if cells <= _DENSE_CELLS:
                return np.bincount(keys, minlength=cells), None, ("dense", coder_y.space)
            keys, counts = np.unique(keys, return_counts=True)
            return keys, counts, ("key", coder_y.space)
    rows, counts = np.unique(np.hstack([x, y]), axis=0, return_counts=True)
    return rows, counts, ("columns", x.shape[1])


def _merge_tables(*tables):
    split = tables[0][2]
    if split[0] == "dense":
        return np.sum([t[0] for t in tables], axis=0), None, split
    symbols = np.concatenate([t[0] for t in tables], axis=0)
    counts = np.concatenate([t[1] for t in tables])
    axis = None if symbols.ndim == 1 else 0
    distinct, inverse = np.unique(symbols, axis=axis, return_inverse=True)
    merged = np.bincount(inverse.reshape(-1), weights=counts, minlength=len(distinct))
    return distinct, merged.astype(np.int64), split


def _occupied(table):
    """A dense table as the distinct keys of its occupied cells and their counts."""
    symbols, counts, split = table
    if split[0] != "dense":
        return table
    keys = np.flatnonzero(symbols)
    return keys, symbols[keys], ("key", split[1])


def _marginal_counts(symbols, counts, split, side):
    kind, value = split
    if kind == "key":
        part = symbols // value if side == "x" else symbols % value
        axis = None
    else:
        part = symbols[:, :value] if side == "x" else symbols[:, value:]
        axis = 0
    _, inverse = np.unique(part, axis=axis, return_inverse=True)
    return np.bincount(inverse.reshape(-1), weights=counts).astype(np.int64)
