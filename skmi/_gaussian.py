"""GaussianMutualInfo: mutual information of a fitted Gaussian.

For jointly Gaussian (X, Y), ``I = -1/2 log(det S / (det S_xx det S_yy))``
with S the joint covariance; equivalently ``-1/2 sum log(1 - rho_i^2)`` over
the canonical correlations rho_i, which is how it is computed here: the
canonical form stays finite and exact when a block has collinear columns,
where the determinant form divides zero by zero.
"""

from numbers import Real

import numpy as np
from sklearn.covariance import OAS, LedoitWolf, ShrunkCovariance

from skmi._base import BaseMutualInfo
from skmi._closed_forms import mi_from_covariance
from skmi._preprocessing import normal_scores, standardize
from skmi._sklearn_compat import Interval, StrOptions, validate_parameters
from skmi._traits import MITraits
from skmi._validation import check_real

# Eigenvalues of a block covariance below this fraction of the largest are
# treated as exact zeros (collinear columns) rather than inverted.
# Most classes a class target may have: each is one column of the one-hot code.
_MAX_CLASSES = 1000
# Canonical correlations this close to 1 mean a deterministic linear relation.


class GaussianMutualInfo(BaseMutualInfo):
    """Mutual information under a Gaussian model (closed form).

    Exact for jointly Gaussian data, fast for any dimension, and the baseline
    every other estimate should be compared with: for any distribution with
    the same covariance, the Gaussian MI is a lower bound on the true MI
    (the Gaussian maximises entropy for a given covariance).

    Parameters
    ----------
    shrinkage : {None, "ledoit-wolf", "oas"} or float in [0, 1], default=None
        Covariance estimate: the sample covariance (None), Ledoit-Wolf or OAS
        shrinkage, or a fixed shrinkage coefficient. Shrinkage acts on the
        correlation matrix (columns are standardised first), so it does not
        depend on the units of X and y. Use it when n is not much larger
        than the dimension; the plain estimate is then biased upwards.
    copula : bool, default=False
        Gaussian-copula MI (Ince et al., 2017): first map every column through
        its ranks to standard-normal scores. The estimate is then invariant to
        per-column monotone transforms, and a lower bound on the MI of data
        with a Gaussian copula.
    bias_correction : bool, default=False
        Remove the finite-sample bias of the log-determinants of the sample
        covariance in closed form (see Notes): the estimate is then unbiased
        for Gaussian data (it can be slightly negative on independent data).
        The plain estimate is biased upwards by about ``d_x d_y / (2 n)``
        nats (+15 % for a dense 50 x 50 Gaussian at n = 5000). Only with
        ``shrinkage=None``; needs ``n_samples > d_x + d_y (+ d_z) + 1``.
    discrete_target : {"auto", True, False}, default=False
        Treat y as class labels, coded one-hot (K - 1 indicator columns for
        K classes): the Gaussian MI between X and the class indicators. For
        a class label against a high-dimensional latent (Gaussian classes
        differing in their means) it stays within 5 % where k-NN
        estimators collapse (``benchmarks/accuracy/bench_auto.py``; with
        ``bias_correction=True``). False (the default) uses y's values as
        numbers; "auto" decides by y's dtype.
    units : {"nats", "bits"}, default="nats"

    Attributes
    ----------
    mi_ : float
        The estimate on the training data, in ``units``. ``inf`` (with a
        warning) when a linear combination of y is an exact linear function of
        X.
    canonical_correlations_ : ndarray
        The canonical correlations between X and y on the training data,
        descending.
    n_features_in_ : int

    Raises
    ------
    ValueError
        ``bias_correction=True`` with shrinkage, or with too few samples for
        the correction (``n_samples <= d + 1``, d all columns together).

    Notes
    -----
    ``fit(X, y, z=Z)`` gives the conditional MI I(X; y | Z), from the
    covariance of (X, y) conditioned on Z (a Schur complement).

    Bias correction: with nu = n - 1 degrees of freedom, the sample
    covariance S of k Gaussian columns has ``E[log det S] = log det Sigma +
    sum_{i=1}^{k} psi((nu - i + 1) / 2) + k log(2 / nu)`` ([3]_, [4]_). The
    MI is a signed sum of block log-determinants whose ``k log(2 / nu)``
    terms cancel, so subtracting ``B(k) = sum_{i<=k} psi((nu - i + 1) / 2)``
    from each block gives an exactly unbiased estimate for Gaussian data:
    ``I - 1/2 [B(d_x) + B(d_y) - B(d_x + d_y)]`` (with z: ``B(d_x + d_z) +
    B(d_y + d_z) - B(d_x + d_y + d_z) - B(d_z)``), each d the rank of its
    block.

    ``pointwise_mi`` returns ``log p(x, y) - log p(x) - log p(y)`` under the
    fitted Gaussians. With the plain sample covariance their mean equals the
    estimate exactly; under shrinkage it is the resubstitution estimate, which
    differs from the closed form of the shrunk covariance by O(d^2 / n).

    References
    ----------
    .. [1] T. M. Cover and J. A. Thomas, "Elements of Information Theory",
       2nd ed., Wiley, 2006, section 8.5.
    .. [2] R. A. Ince et al., "A statistical framework for neuroimaging data
       analysis based on mutual information estimated via a Gaussian
       copula", Human Brain Mapping 38(3), 2017.
    .. [3] N. Misra, H. Singh and E. Demchuk, "Estimation of the entropy of a
       multivariate normal distribution", J. Multivariate Analysis 92(2),
       2005 (the unbiased estimator of log det Sigma).
    .. [4] T. W. Anderson, "An Introduction to Multivariate Statistical
       Analysis", 3rd ed., Wiley, 2003, section 7.5 (the distribution of the
       generalised variance).

    Examples
    --------
    >>> from skmi import GaussianMutualInfo
    >>> from skmi.datasets import make_gaussian
    >>> X, y, true_mi = make_gaussian(5000, 3, 3, correlation=0.6, random_state=0)
    >>> est = GaussianMutualInfo().fit(X, y)
    >>> abs(est.mi_ - true_mi) < 0.02
    True
    """

    _parameter_constraints: dict = {
        **BaseMutualInfo._parameter_constraints,
        "shrinkage": [
            None,
            StrOptions({"ledoit-wolf", "oas"}),
            Interval(Real, 0, 1, closed="both"),
        ],
        "copula": ["boolean"],
        "bias_correction": ["boolean"],
        "discrete_target": [StrOptions({"auto"}), "boolean"],
    }

    # A closed form of the sample covariance: duplicated rows are a valid
    # plug-in on the resampled empirical distribution.
    def _mi_traits(self):
        # a covariance's MI is unchanged by any invertible linear map of a side
        return MITraits(
            resampling="bootstrap",
            discrete_target=True,
            conditioning=True,
            pointwise=True,
            invariance="monotone" if self.copula else "affine",
        )

    def __init__(
        self,
        *,
        shrinkage=None,
        copula=False,
        bias_correction=False,
        discrete_target=False,
        units="nats",
    ):
        self.shrinkage = shrinkage
        self.copula = copula
        self.bias_correction = bias_correction
        self.discrete_target = discrete_target
        self.units = units

    def _fit_dask(self, X, y, z):
        """``fit`` for dask inputs: per-chunk sums and cross-products reduced on the cluster."""
        from skmi._dask.gaussian import fit_gaussian

        return fit_gaussian(self, X, y, z)

    def pointwise_mi(self, X, y, z=None):
        """Per-sample ``log p(x, y) / (p(x) p(y))`` under the fitted Gaussian.

        With z, ``log p(x, y | z) / (p(x | z) p(y | z))``. The Gaussian is
        fitted to the data given here, as in ``score``.

        Returns
        -------
        terms : ndarray of shape (n_samples,), in ``units``
        """
        return self._pointwise(X, y, z)

    def _min_samples(self):
        return 3

    def _fit(self, X, y, z):
        mi, rho = self._canonical(X, y, z)
        self.canonical_correlations_ = rho
        return mi

    def _estimate(self, X, y, z):
        # score after set_params: check the parameters again (issue 14); the
        # base class may take this over.
        validate_parameters(self)
        return self._canonical(X, y, z)[0]

    def _canonical(self, X, y, z):
        if self.shrinkage is not None and not isinstance(self.shrinkage, str):
            check_real(self.shrinkage, "shrinkage")  # refuses True (a bool is a number)
        if self.bias_correction and self.shrinkage is not None:
            raise ValueError(
                "bias_correction=True corrects the sample covariance; it cannot be "
                f"combined with shrinkage={self.shrinkage!r}. Use one or the other."
            )
        y = self._numeric(y)
        cov = self._covariance(self._standardized(X, y, z))
        d_x, d_y = X.shape[1], y.shape[1]
        return mi_from_covariance(
            cov, d_x, d_y, len(X), bias_correction=self.bias_correction, stacklevel=5
        )

    def _pointwise_nats(self, X, y, z):
        # Standardising changes each density by the same Jacobian in the joint
        # and the marginals, so the log-ratio is that of the original data.
        y = self._numeric(y)
        Z = self._standardized(X, y, z)
        cov = self._covariance(Z)
        d_x, d_xy = X.shape[1], X.shape[1] + y.shape[1]
        x, yy, zz = np.arange(d_x), np.arange(d_x, d_xy), np.arange(d_xy, Z.shape[1])

        def log_density(columns):
            if columns.size == 0:
                return 0.0
            return _gaussian_log_density(Z[:, columns], cov[np.ix_(columns, columns)])

        # log p(x,y|z) - log p(x|z) - log p(y|z), each conditional as a ratio
        terms = (
            log_density(np.r_[x, yy, zz])
            + log_density(zz)
            - log_density(np.r_[x, zz])
            - log_density(np.r_[yy, zz])
        )
        if self.bias_correction:
            # The correction is one constant for the whole sample (it depends on
            # n and the ranks only): shift every term by it, so the terms still
            # average to the estimate.
            plug_in, _ = mi_from_covariance(cov, d_x, y.shape[1], len(X), stacklevel=5)
            corrected, _ = mi_from_covariance(
                cov, d_x, y.shape[1], len(X), bias_correction=True, stacklevel=5
            )
            terms = terms - (plug_in - corrected)
        return terms

    # -- covariance ---------------------------------------------------------------

    def _numeric(self, y):
        """y as numbers: class codes one-hot (K - 1 columns), else as given."""
        if not self.discrete_target_:
            return y
        n_classes = int(y.max()) + 1
        if n_classes > min(len(y) / 2, _MAX_CLASSES):
            raise ValueError(
                f"discrete_target=True: y has {n_classes} distinct values among {len(y)} "
                f"samples (at most min(n_samples / 2, {_MAX_CLASSES}) classes are coded "
                "one-hot). Is y continuous? Pass discrete_target=False."
            )
        return np.eye(n_classes)[y][:, 1:]

    def _transform_columns(self, Z):
        return normal_scores(Z) if self.copula else Z

    def _standardized(self, X, y, z):
        Z = self._transform_columns(np.hstack([X, y] + ([] if z is None else [z])))
        # scale-proof: no overflow of the variance at 1e155, no underflow at 1e-165
        return standardize(Z)

    def _covariance(self, Z):
        if self.shrinkage is None:
            return Z.T @ Z / Z.shape[0]
        if self.shrinkage == "ledoit-wolf":
            model = LedoitWolf(assume_centered=True)
        elif self.shrinkage == "oas":
            model = OAS(assume_centered=True)
        else:
            model = ShrunkCovariance(shrinkage=self.shrinkage, assume_centered=True)
        return model.fit(Z).covariance_


def _gaussian_log_density(Z, cov):
    """Log density of centred rows Z under N(0, cov), by Cholesky."""
    try:
        L = np.linalg.cholesky(cov)
    except np.linalg.LinAlgError:
        raise ValueError(
            "The covariance of (X, y) is singular (collinear columns or a "
            "deterministic linear relation), so pointwise Gaussian MI is undefined; "
            "use shrinkage."
        ) from None
    white = np.linalg.solve(L, Z.T)
    d = cov.shape[0]
    log_det = 2.0 * np.sum(np.log(np.diag(L)))
    return -0.5 * (np.sum(white**2, axis=0) + log_det + d * np.log(2 * np.pi))
