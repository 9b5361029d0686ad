"""GaussianMutualInfo on dask data: sufficient statistics reduced on the cluster.

The Gaussian MI is a function of the correlation matrix of (X, y[, z]),
which is a function of additive statistics: the count, the column means and
the centred cross-products, computed per chunk of rows and merged pairwise
(Chan, Golub and LeVeque, 1979), which keeps full precision where raw sums
of squares would cancel. Passes over the data:

* plain and fixed shrinkage, OAS: one pass (OAS and a fixed coefficient are
  functions of the correlation matrix and n);
* Ledoit-Wolf: a second pass for ``sum_i |x_i|^4`` of the standardised rows,
  the one statistic its shrinkage coefficient needs beyond the covariance;
* copula: a first pass draws the strided sample ``A[::step]`` (at most
  ``_COPULA_SAMPLE`` rows) from which each column's ranks are read by
  interpolation -- an approximate quantile transform -- and a second pass
  reduces the statistics of the normal scores. With ``n <= _COPULA_SAMPLE``
  the sample is all the data and the result equals the in-memory one; above,
  each score is off by the sample's CDF error, about ``0.5 / sqrt(m)`` in
  probability (m the sample size: 0.0014 at the default), which moves the
  MI by far less than its own sampling error at such n.

The result equals ``GaussianMutualInfo().fit`` on the same data in memory
(to rounding) except for the copula above ``_COPULA_SAMPLE`` rows.
"""

import numpy as np

from skmi._closed_forms import mi_from_covariance
from skmi._dask._inputs import (
    as_row_blocks,
    check_constant_columns,
    row_aligned,
    set_input_attributes,
)
from skmi._dask._reduce import (
    concatenate_rows,
    leaves,
    merge_moments,
    moments,
    strided_rows,
    tree,
)

__all__ = ["fit_gaussian"]

_COPULA_SAMPLE = 2**17  # rows of the quantile sample (about 1 MB per column)


def fit_gaussian(est, X, y, z=None):
    """The fit of ``est`` on dask inputs: sets its fitted state, returns the MI in nats.

    Called by ``BaseMutualInfo.fit`` on its working copy, which it publishes.
    """
    import dask
    import dask.array as da

    name = type(est).__name__
    if est.discrete_target is not False:
        raise ValueError(
            f"{name}(discrete_target={est.discrete_target!r}) needs the class labels in "
            "memory (one column per class); dask inputs take discrete_target=False."
        )
    if est.bias_correction and est.shrinkage is not None:
        raise ValueError(
            "bias_correction=True corrects the sample covariance; it cannot be "
            f"combined with shrinkage={est.shrinkage!r}. Use one or the other."
        )
    if y is None:
        raise ValueError(f"{name} requires y to be passed, but the target y is None.")
    arrays, feature_names = row_aligned(X=X, y=y, z=z)
    widths = {part: array.shape[1] for part, array in arrays.items()}
    n = arrays["X"].shape[0]
    if n < est._min_samples():
        raise ValueError(
            f"X has n_samples={n}; {name} with these parameters needs at least "
            f"{est._min_samples()} samples."
        )
    Z = da.concatenate([a.astype(np.float64) for a in arrays.values()], axis=1)
    Z = Z.rechunk({1: -1})  # one block per chunk of rows
    blocks, offsets = as_row_blocks(Z)

    table = None
    if est.copula:
        step = max(1, -(-n // _COPULA_SAMPLE))
        sample = tree(
            [
                dask.delayed(strided_rows, pure=True)(b, o, step)
                for b, o in zip(blocks, offsets, strict=True)
            ],
            concatenate_rows,
        )
        raw, sample = dask.compute(tree(leaves(moments, blocks), merge_moments), sample)
        _check_finite(raw[5], widths)
        table = _quantile_table(sample)
        scores = tree(leaves(_score_moments, blocks, dask.delayed(table)), merge_moments)
        (stats,) = dask.compute(scores)
        low, high = raw[3], raw[4]
    else:
        (stats,) = dask.compute(tree(leaves(moments, blocks), merge_moments))
        _check_finite(stats[5], widths)
        low, high = stats[3], stats[4]

    n, mean, m2, scale = stats[0], stats[1], stats[2], stats[6]
    keep = _non_constant(low, high, widths)
    # in units of ``scale`` (powers of two): no overflow at any magnitude
    mean, m2, scale = mean[keep], m2[np.ix_(keep, keep)], scale[keep]
    std = np.sqrt(np.diag(m2) / n)
    corr = m2 / n / np.outer(std, std)

    fourth = None
    if est.shrinkage == "ledoit-wolf" and keep.sum() > 1:
        args = [dask.delayed(a) for a in (mean, std, scale, keep, table)]
        (fourth,) = dask.compute(tree(leaves(_fourth_powers, blocks, *args), _sum))
    cov = _shrunk(corr, n, est.shrinkage, fourth)

    d_x, d_y = (int(keep[s].sum()) for s in _part_slices(widths)[:2])
    mi, rho = mi_from_covariance(
        cov, d_x, d_y, int(n), bias_correction=est.bias_correction, stacklevel=4
    )

    set_input_attributes(est, widths, feature_names)
    est.discrete_target_ = False  # refused above: y is numeric here
    est.canonical_correlations_ = rho
    return mi


# -- checks on the reduced statistics -------------------------------------------------


def _part_slices(widths):
    edges = np.cumsum([0, *widths.values()])
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def _check_finite(nonfinite, widths):
    for part, columns in zip(widths, _part_slices(widths), strict=True):
        if nonfinite[columns].any():
            raise ValueError(f"Input {part} contains NaN or infinity.")


def _non_constant(low, high, widths):
    """Mask of the columns kept; constant ones dropped as the in-memory fit does."""
    keep = high > low
    for part, columns in zip(widths, _part_slices(widths), strict=True):
        check_constant_columns(part, ~keep[columns])
    return keep


# -- shrinkage from the reduced statistics ---------------------------------------------


def _shrunk(corr, n, shrinkage, fourth):
    """What ``GaussianMutualInfo._covariance`` computes on the standardised rows.

    The formulas are scikit-learn's (``ShrunkCovariance``, ``OAS``,
    ``LedoitWolf`` with ``assume_centered=True``), written on the empirical
    covariance -- here the correlation matrix -- and, for Ledoit-Wolf, the
    sum of the fourth powers of the row norms.
    """
    from sklearn.covariance import shrunk_covariance

    p = corr.shape[0]
    if shrinkage is None or p == 1:
        return corr
    if shrinkage == "oas":
        alpha = np.mean(corr**2)
        mu = np.trace(corr) / p
        den = (n + 1) * (alpha - mu**2 / p)
        coefficient = 1.0 if den == 0 else min((alpha + mu**2) / den, 1.0)
    elif shrinkage == "ledoit-wolf":
        trace = np.trace(corr)
        mu = trace / p
        delta_ = np.sum(corr**2)  # sum of squared entries of X^T X / n^2
        beta = (fourth / n - delta_) / (p * n)
        delta = (delta_ - 2.0 * mu * trace + p * mu**2) / p
        beta = min(beta, delta)
        coefficient = 0.0 if beta == 0 else beta / delta
    else:
        coefficient = shrinkage
    return shrunk_covariance(corr, coefficient)


def _fourth_powers(block, mean, std, scale, keep, table):
    """``sum_i |x_i|^4`` over the chunk's standardised rows (Ledoit-Wolf's beta).

    ``mean`` and ``std`` are in units of ``scale``, as the moments were.
    """
    block = np.asarray(block, dtype=np.float64)
    if table is not None:
        block = _normal_scores(block, table)
    standardised = (block[:, keep] / scale - mean) / std
    return float(np.sum(np.sum(standardised**2, axis=1) ** 2))


def _sum(*parts):
    return float(np.sum(parts))


# -- the copula's approximate quantile transform ---------------------------------------


def _quantile_table(sample):
    """Per column: the sample's distinct values and their average rank / (m + 1).

    On the whole data this is exactly ``rankdata / (n + 1)``, the in-memory
    copula transform; on a sample, its interpolation is an estimate of it.
    """
    m = len(sample)
    table = []
    for column in np.sort(sample, axis=0).T:
        values, counts = np.unique(column, return_counts=True)
        first = np.cumsum(counts) - counts
        table.append((values, (first + (counts + 1) / 2.0) / (m + 1)))
    return table


def _normal_scores(block, table):
    from scipy.special import ndtri

    out = np.empty(block.shape, dtype=np.float64)
    for j, (values, probabilities) in enumerate(table):
        out[:, j] = ndtri(np.interp(block[:, j], values, probabilities))
    return out


def _score_moments(block, table):
    return moments(_normal_scores(np.asarray(block, dtype=np.float64), table))
