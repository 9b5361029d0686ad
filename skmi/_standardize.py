"""Column standardisation that works at any magnitude of the data."""

import numpy as np


def standardized_columns(data):
    """Columns centred and scaled to unit standard deviation, at any magnitude.

    Each column is first divided by its largest absolute value, so neither
    the squares of large values (1e155 -> inf) nor those of tiny ones
    (1e-165 -> 0) leave the float range while the spread is computed; MI
    does not change with the scale of a column. A constant column comes back
    as zeros.

    Parameters
    ----------
    data : array-like of shape (n_samples,) or (n_samples, n_features)

    Returns
    -------
    standardized : ndarray of shape (n_samples, n_features), float64
    """
    data = np.asarray(data, dtype=np.float64)
    data = data.reshape(len(data), -1)
    peak = np.abs(data).max(axis=0)
    data = data / np.where(peak > 0, peak, 1.0)
    centred = data - data.mean(axis=0)
    spread = centred.std(axis=0)
    return centred / np.where(spread > 0, spread, 1.0)
