"""Closed forms of the MI of elliptical families, shared by estimators and samplers."""

import numpy as np
from scipy.special import gammaln, psi


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
