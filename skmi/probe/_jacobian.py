"""JacobianMutualInfo: local linear-Gaussian mutual information of a network.

Around each sample x0 a network is linear, ``f(x) ~ f(x0) + J (x - x0)``. If
the input varies around x0 as N(x0, S_x) and the output is read through
Gaussian noise N(0, s^2 I), the output is locally Gaussian with covariance
``C = J S_x J^T + s^2 I``, and two informations have closed forms:

* between groups of output units g1, g2:
  ``1/2 log(det C_g1 det C_g2 / det C_g1g2)``;
* between input and noisy output: ``1/2 log det(I + J S_x J^T / s^2)``.

Lives apart from ``_gaussian.py`` because it needs torch (Jacobians).
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_array

from skmi._sklearn_compat import Interval, StrOptions, check_is_fitted

_LN2 = np.log(2.0)


class JacobianMutualInfo(BaseEstimator):
    """Local linear-Gaussian MI of a network, averaged over samples.

    ``fit(X)`` evaluates the Jacobian of the model's output (or of ``layer``)
    with respect to the input at every sample of X and averages the per-sample
    closed-form MI (see the module notes): between two groups of output units
    when ``groups`` is given, else between the input and the output read
    through Gaussian noise of variance ``noise_var``.

    This is the information the network *locally* transmits, under a
    Gaussian input perturbation of covariance ``input_cov``; it is exact for
    a linear map with Gaussian input and an approximation elsewhere. Unlike
    a sample-based estimate it does not diverge for a deterministic network:
    the noise and the input covariance make it finite and explicit.

    Parameters
    ----------
    model : torch.nn.Module
        Held by reference, as in :class:`~skmi.LayerMIProbe`.
    groups : pair of lists of int, optional
        Output units of the two groups (indices into the flattened output).
        None: the input-output information.
    layer : str, optional
        A module name whose output plays the role of f; the model's output if
        None.
    noise_var : float >= 0, default=0.0
        Variance s^2 of the output noise. Must be positive for the
        input-output information; with groups, 0 is allowed when C is not
        singular.
    input_cov : None, "data" or array of shape (d_in, d_in), default=None
        Covariance S_x of the input perturbation: identity (None), the sample
        covariance of the flattened X given to ``fit`` ("data"), or a matrix.
    batch_size : int, default=64
    device : str or None, default=None
        Compute the Jacobians there (the model is moved back afterwards);
        None runs the model where it is.
    units : {"nats", "bits"}, default="nats"

    Attributes
    ----------
    mi_ : float
        The mean of the per-sample informations on the fitted X.
    input_cov_ : ndarray of shape (d_in, d_in)

    Examples
    --------
    A linear layer is its own Jacobian, so the result is the closed form
    from ``W W^T``:

    >>> import numpy as np
    >>> import torch
    >>> from skmi import JacobianMutualInfo
    >>> layer = torch.nn.Linear(4, 4).double()
    >>> X = np.random.default_rng(0).standard_normal((10, 4))
    >>> est = JacobianMutualInfo(layer, groups=([0, 1], [2, 3])).fit(X)
    >>> W = layer.weight.detach().numpy()
    >>> C = W @ W.T
    >>> logdet = lambda A: np.linalg.slogdet(A)[1]
    >>> closed = 0.5 * (logdet(C[:2, :2]) + logdet(C[2:, 2:]) - logdet(C))
    >>> bool(np.isclose(est.mi_, closed))
    True
    """

    _parameter_constraints: dict = {
        "model": [object],
        "groups": [None, list, tuple],
        "layer": [None, str],
        "noise_var": [Interval(Real, 0, None, closed="left")],
        "input_cov": [None, StrOptions({"data"}), "array-like"],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [None, str],
        "units": [StrOptions({"nats", "bits"})],
    }

    def __init__(
        self,
        model,
        *,
        groups=None,
        layer=None,
        noise_var=0.0,
        input_cov=None,
        batch_size=64,
        device=None,
        units="nats",
    ):
        self.model = model
        self.groups = groups
        self.layer = layer
        self.noise_var = noise_var
        self.input_cov = input_cov
        self.batch_size = batch_size
        self.device = device
        self.units = units

    def fit(self, X, y=None):
        """Average the local MI over the samples of X.

        Parameters
        ----------
        X : array-like or torch.Tensor (n_samples, ...)
        y : ignored

        Returns
        -------
        self : object
        """
        self._validate_params()
        if self.groups is None and self.noise_var <= 0:
            raise ValueError(
                "The input-output information of a deterministic map is infinite: "
                "give noise_var > 0 (or groups, for the information between outputs)."
            )
        X = _as_input(X)
        d_in = int(np.prod(X.shape[1:]))
        self.input_cov_ = _input_covariance(self.input_cov, X, d_in)
        self.mi_ = float(np.mean(self.pointwise_mi(X, _fitted=True)))
        return self

    def pointwise_mi(self, X, _fitted=False):
        """The local MI at each sample of X, in ``units``.

        Returns
        -------
        terms : ndarray of shape (n_samples,)
        """
        if not _fitted:
            check_is_fitted(self)
            X = _as_input(X)
        from skmi._torch.jacobian import input_jacobians

        J = input_jacobians(self.model, X, self.layer, self.batch_size, self.device)
        values = np.array([self._local_mi(J_i) for J_i in J])
        return values / _LN2 if self.units == "bits" else values

    def score(self, X, y=None):
        """The mean local MI on X, in ``units``."""
        return float(np.mean(self.pointwise_mi(X)))

    def _local_mi(self, J):
        C = J @ self.input_cov_ @ J.T
        if self.groups is None:
            return 0.5 * _logdet(np.eye(len(C)) + C / self.noise_var)
        g1, g2 = (np.asarray(g, dtype=int) for g in self.groups)
        C = C + self.noise_var * np.eye(len(C))
        both = np.r_[g1, g2]
        return 0.5 * (
            _logdet(C[np.ix_(g1, g1)]) + _logdet(C[np.ix_(g2, g2)]) - _logdet(C[np.ix_(both, both)])
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        return tags


def jacobian_noisy_information(model, X, layer, noise_std, batch_size=64):
    """I(X; T + N(0, noise_std^2)) of a layer by the local linear-Gaussian form.

    The input perturbation covariance is the sample covariance of X (the
    information-plane convention: how much of the data's variation survives
    in the noisy layer). Returns nats.
    """
    est = JacobianMutualInfo(
        model, layer=layer, noise_var=noise_std**2, input_cov="data", batch_size=batch_size
    )
    return est.fit(X).mi_


def _logdet(A):
    sign, value = np.linalg.slogdet(A)
    return value if sign > 0 else -np.inf


def _as_input(X):
    try:
        import torch

        if isinstance(X, torch.Tensor):
            return X.detach().cpu().numpy()
    except ImportError:  # pragma: no cover
        pass
    return check_array(X, allow_nd=True, dtype=np.float64, input_name="X")


def _input_covariance(setting, X, d_in):
    if setting is None:
        return np.eye(d_in)
    if isinstance(setting, str):
        flat = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
        return np.atleast_2d(np.cov(flat, rowvar=False))
    cov = np.asarray(setting, dtype=np.float64)
    if cov.shape != (d_in, d_in):
        raise ValueError(f"input_cov must have shape ({d_in}, {d_in}); got {cov.shape}.")
    return cov
