"""Dask inputs as row-chunked 2-D arrays, aligned, with their column names.

Validation happens lazily where it can (shapes, dtypes, lengths from the
chunk sizes); what needs the values (NaN, constant columns) is counted in the
estimators' first pass, so the data are read no more often than needed.
"""

import numpy as np

from skmi._dask import is_dask_collection

__all__ = ["as_row_blocks", "row_aligned", "set_input_attributes"]


def _as_dask_2d(value, name):
    """``(dask array of shape (n, d) with known row chunks, column names or None)``."""
    import dask.array as da

    names = None
    if is_dask_collection(value):
        if hasattr(value, "to_dask_array"):  # dask DataFrame or Series
            columns = getattr(value, "columns", None)
            if columns is not None and all(isinstance(c, str) for c in columns):
                names = np.asarray(list(columns), dtype=object)
            # lengths=True: one pass over the partitions' lengths (not their values)
            array = value.to_dask_array(lengths=True)
        else:
            array = value
    else:
        array = np.asarray(value)
        if array.dtype == object:
            raise TypeError(f"{name} has dtype object; pass numbers (encode symbols as integers).")
        array = da.from_array(array, chunks=(min(len(array), 1_000_000) or 1,) + array.shape[1:])
    allowed = (2,) if name == "X" else (1, 2)  # as in memory: X is always 2-D
    if array.ndim not in allowed:
        shapes = {1: "(n_samples,)", 2: "(n_samples, n_features)"}
        expected = " or ".join(shapes[d] for d in allowed)
        raise ValueError(
            f"{name} must have shape {expected}; got an array with {array.ndim} dimensions."
        )
    if array.ndim == 1:
        array = array[:, None]
    if any(np.isnan(c) for c in array.chunks[0]):
        array = array.compute_chunk_sizes()
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} has dtype {array.dtype}; the dask path takes numbers only (encode "
            "symbols as integer codes, e.g. with dask.dataframe's categorize and .cat.codes)."
        )
    if array.shape[1] == 0:
        raise ValueError(f"{name} has 0 columns; it needs at least one.")
    return array.rechunk({1: -1}), names


def row_aligned(**parts):
    """Each named part as a 2-D dask array with the row chunks of the first.

    Parts given as ``None`` are skipped. Returns ``{name: array}`` and the
    first part's column names. Raises a ValueError naming the parts when
    their numbers of rows differ.
    """
    arrays, first_names = {}, None
    for i, (name, value) in enumerate(parts.items()):
        if value is None:
            continue
        array, names = _as_dask_2d(value, name)
        if i == 0:
            first_names = names
        arrays[name] = array
    (first, reference), *others = arrays.items()
    for name, array in others:
        if array.shape[0] != reference.shape[0]:
            raise ValueError(
                f"{first} and {name} have inconsistent numbers of samples: {first} has "
                f"{reference.shape[0]}, {name} has {array.shape[0]}."
            )
        if array.chunks[0] != reference.chunks[0]:
            arrays[name] = array.rechunk({0: reference.chunks[0]})
    return arrays, first_names


def as_row_blocks(array):
    """The row blocks of a 2-D dask array as delayed objects, with their offsets."""
    blocks = list(array.to_delayed(optimize_graph=True).ravel())
    offsets = np.concatenate([[0], np.cumsum(array.chunks[0])[:-1]]).astype(np.int64)
    return blocks, offsets


def set_input_attributes(est, widths, feature_names):
    """``n_features_in_``, ``n_features_y_in_``, ``n_features_z_in_`` and
    ``feature_names_in_``, as ``validate_data`` sets them on an in-memory fit
    (an earlier in-memory fit's widths must not survive a dask fit)."""
    est.n_features_in_ = widths["X"]
    if "y" in widths:
        est.n_features_y_in_ = widths["y"]
    est.n_features_z_in_ = widths.get("z")
    if feature_names is not None:
        est.feature_names_in_ = feature_names
    elif hasattr(est, "feature_names_in_"):
        del est.feature_names_in_


def check_constant_columns(part, constant):
    """Refuse an all-constant side, warn once for constant columns (dropped).

    The same decision and words as the in-memory fit, from the reduced
    min/max of each column (``constant``: a boolean mask of ``part``'s columns).
    """
    import warnings

    from skmi.exceptions import ConstantColumnWarning

    if constant.all():
        raise ValueError(
            f"{part} is constant: every column has a single value, so its mutual "
            f"information with anything is 0. Check the {part} you passed "
            "(a dead layer? the wrong columns?)."
        )
    if constant.any():
        warnings.warn(
            f"{part} columns {np.flatnonzero(constant).tolist()} are constant and were "
            "dropped: a constant column carries no information.",
            ConstantColumnWarning,
            stacklevel=5,
        )
