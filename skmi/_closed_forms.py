"""Closed forms of the MI of elliptical families, shared by estimators and samplers."""

import warnings

import numpy as np
from scipy.special import gammaln, psi

from skmi.exceptions import SkmiWarning

# Eigenvalues below this share of the largest are rank deficiency (collinear columns).
_RANK_TOLERANCE = 1e-12
# A canonical correlation at least this close to 1 is an exact linear relation.
_PERFECT_CORRELATION = 1.0 - 1e-15


def student_t_mi_excess(df, d_x, d_y):
    """MI of a multivariate Student-t beyond the Gaussian MI of its dispersion, in nats.

    ``f(df) + f(df + d_x + d_y) - f(df + d_x) - f(df + d_y)`` with
    ``f(a) = log Gamma(a/2) - (a/2) psi(a/2)`` (Arellano-Valle, Contreras-Reyes
    and Genton, 2013); 0 in the Gaussian limit ``df = inf``. It is the MI that
    the shared scale ``sqrt(W / df)`` adds even when the dispersion is the
    identity.
    """
    if np.isinf(df):
        return 0.0

    def f(a):
        return gammaln(a / 2) - (a / 2) * psi(a / 2)

    return float(f(df) + f(df + d_x + d_y) - f(df + d_x) - f(df + d_y))


def gaussian_block_mi(S, d_x):
    """``1/2 log(det S_xx det S_yy / det S)``: the MI of the two blocks of a Gaussian.

    S is a (d, d) positive-definite covariance (or dispersion) whose first
    ``d_x`` coordinates are X; log-determinants by ``slogdet``.
    """
    S = np.asarray(S, dtype=np.float64)

    def logdet(A):
        return np.linalg.slogdet(A)[1]

    return float(0.5 * (logdet(S[:d_x, :d_x]) + logdet(S[d_x:, d_x:]) - logdet(S)))


def log_det_bias_of_mi(d_x, d_y, d_z, n_samples):
    """Expected excess of the plug-in Gaussian (conditional) MI, in nats.

    ``1/2 [B(d_x + d_z) + B(d_y + d_z) - B(d_x + d_y + d_z) - B(d_z)]`` with
    ``B(k) = sum_{i=1}^{k} psi((nu - i + 1) / 2)`` and nu = n - 1: the bias
    of each block's log-determinant of the sample covariance (Misra, Singh
    and Demchuk, 2005), whose ``k log(2 / nu)`` parts cancel in the MI.
    Exact for Gaussian data; ``d_z = 0`` without conditioning.

    Raises
    ------
    ValueError
        If ``n_samples <= d_x + d_y + d_z + 1`` (a singular sample covariance).
    """
    nu = n_samples - 1
    total = d_x + d_y + d_z
    if nu - total + 1 <= 0 or n_samples <= total + 1:
        raise ValueError(
            f"bias_correction=True needs n_samples > {total + 1} (all columns plus 2) for "
            f"a non-singular sample covariance; got n_samples={n_samples}. Use shrinkage."
        )

    def B(k):
        return float(np.sum(psi((nu - np.arange(1, k + 1) + 1) / 2.0)))

    return 0.5 * (B(d_x + d_z) + B(d_y + d_z) - B(total) - B(d_z))


def _inverse_sqrt(S):
    """``S^{-1/2}`` restricted to the range of S (collinear columns dropped)."""
    w, V = np.linalg.eigh(S)
    keep = w > _RANK_TOLERANCE * w.max()
    return V[:, keep] / np.sqrt(w[keep])


def mi_from_covariance(cov, d_x, d_y, n, *, bias_correction=False, stacklevel=2):
    """Gaussian I(X; y) (given the trailing z block, if any) from a covariance.

    ``cov`` orders the columns as X (``d_x``), y (``d_y``), then z. With z,
    the (x, y) block is conditioned on it by its Schur complement. The MI is
    ``-1/2 sum log(1 - rho_i^2)`` over the canonical correlations rho
    (Cover & Thomas 2006, eq. 8.56, in canonical coordinates), less the
    closed-form log-determinant bias of ``n`` samples when ``bias_correction``
    (Misra, Singh & Demchuk 2005). Shared by the in-memory and the Dask paths.

    Returns
    -------
    mi : float, in nats (inf for an exact linear relation)
    rho : ndarray, the canonical correlations, descending
    """
    d_xy = d_x + d_y
    rank_z = 0
    if cov.shape[0] > d_xy:
        # Conditioning a Gaussian on z: the Schur complement of the z block.
        S_z = cov[d_xy:, d_xy:]
        rank_z = _inverse_sqrt(S_z).shape[1]
        S_c = cov[:d_xy, d_xy:]
        cov = cov[:d_xy, :d_xy] - S_c @ np.linalg.pinv(S_z) @ S_c.T
    rho, rank_x, rank_y = _canonical_correlations(
        cov[:d_x, :d_x], cov[d_x:d_xy, d_x:d_xy], cov[:d_x, d_x:d_xy]
    )
    if rho.size and rho[0] >= _PERFECT_CORRELATION:
        warnings.warn(
            "y (or a linear combination of it) is an exact linear function of X: "
            "the Gaussian MI is infinite. Use shrinkage for a finite, regularised value.",
            SkmiWarning,
            stacklevel=stacklevel,
        )
        return np.inf, rho
    mi = float(-0.5 * np.sum(np.log1p(-(rho**2))))
    if bias_correction:
        mi -= log_det_bias_of_mi(rank_x, rank_y, rank_z, n)
    return mi, rho


def _canonical_correlations(S_xx, S_yy, S_xy):
    """Singular values of ``S_xx^{-1/2} S_xy S_yy^{-1/2}``, clipped to [0, 1],
    and the ranks of the two blocks."""
    W_x = _inverse_sqrt(S_xx)
    W_y = _inverse_sqrt(S_yy)
    rho = np.linalg.svd(W_x.T @ S_xy @ W_y, compute_uv=False)
    return np.clip(rho, 0.0, 1.0), W_x.shape[1], W_y.shape[1]
