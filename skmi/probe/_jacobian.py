"""JacobianMutualInfo: local linear-Gaussian mutual information of a network.

Around each sample x0 a network is linear, ``f(x) ~ f(x0) + J (x - x0)``. If
the input varies around x0 as N(x0, S_x) and the output is read through
Gaussian noise N(0, s^2 I), the output is locally Gaussian with covariance
``C = J S_x J^T + s^2 I``, and two informations have closed forms:

* between groups of output units g1, ..., gk (k >= 2): the total
  correlation ``1/2 (sum_g log det C_g - log det C_{g1..gk})`` (for two
  groups, their mutual information; study 001 of the reference notebooks);
* between input and noisy output: ``1/2 log det(I + J S_x J^T / s^2)``.

Singular covariances (noise_var = 0 and more output units than inputs) are
decided by numerical rank, not by rounding in ``slogdet``: each group's
Gaussian lives on the span of its covariance, and the information is
finite -- ``1/2 (sum_g log pdet C_g - log pdet C)`` with pseudo-determinants,
exact for degenerate Gaussians -- when rank C equals the sum of the groups'
ranks; otherwise a linear combination of one group is determined by the
others and the information is infinite.

Lives apart from ``_gaussian.py`` because it needs torch (Jacobians).
"""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_array

from skmi._sklearn_compat import Interval, StrOptions, check_is_fitted
from skmi._traits import MITraits
from skmi._units import from_nats


class JacobianMutualInfo(BaseEstimator):
    """Local linear-Gaussian MI of a network, averaged over samples.

    ``fit(X)`` evaluates the Jacobian of the model's output (or of ``layer``)
    with respect to the input at every sample of X and averages the per-sample
    closed-form MI (see Notes): between two groups of output units
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
    groups : sequence of 2 or more lists of int, optional
        Output units of each group (indices into the flattened output;
        disjoint, non-empty). Two groups: their mutual information; more:
        their total correlation ``sum_g H(g) - H(all)``. None: the
        input-output information.
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
        The mean of the per-sample informations on the fitted X (inf when
        the groups are linearly dependent at some sample, with a warning).
    input_cov_ : ndarray of shape (d_in, d_in)
    n_features_in_ : int
        The width of a 2-D X given to ``fit`` (absent for inputs of more
        dimensions, such as images).

    Raises
    ------
    ValueError
        For an unknown ``layer``, a layer called more than once per forward
        pass, groups that overlap, are empty, fewer than two, or hold an
        index outside the output, an ``input_cov`` that is not symmetric
        positive semi-definite, NaN or infinite X, or a bad ``device``.
    TypeError
        For integer X (a Jacobian with respect to token ids is undefined).

    Notes
    -----
    Around each sample x0 the network is linear, ``f(x) ~ f(x0) + J (x -
    x0)``. With the input varying as N(x0, S_x) (``input_cov``) and the
    output read through noise N(0, s^2 I) (``noise_var``), the output is
    Gaussian with covariance ``C = J S_x J^T + s^2 I``, and:

    * between groups g1, ..., gk of output units: the total correlation
      ``1/2 (sum_g log det C_g - log det C_{g1..gk})`` (for two groups,
      their mutual information);
    * between input and noisy output: ``1/2 log det(I + J S_x J^T / s^2)``.

    With ``noise_var = 0`` the output covariance can be singular (more
    output units than input directions). Singularity is decided by
    numerical rank (``numpy.linalg.matrix_rank``'s tolerance on the
    eigenvalues): if rank C < sum of the groups' ranks, some combination of
    one group's units is a deterministic linear function of the others and
    the information is infinite (``inf``, with a ``UserWarning`` saying at
    how many samples); otherwise the rank-restricted value with
    pseudo-determinants is returned, which is the exact information of the
    degenerate Gaussians (each group re-expressed in coordinates of its own
    support). ``slogdet`` alone would round such cases to arbitrary finite
    values or inf.

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

    # a mean of per-sample closed forms: a duplicated row adds a duplicated term,
    # so the bootstrap is valid; pointwise_mi returns the terms
    _mi_traits = MITraits(resampling="bootstrap", pointwise=True)

    _parameter_constraints: dict = {
        "model": [object],
        "groups": [None, list, tuple],
        "layer": [None, str],
        "noise_var": [Interval(Real, 0, None, closed="left")],
        "input_cov": [None, StrOptions({"data"}), "array-like"],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [None, str, object],
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
        from skmi._torch import resolve_device
        from skmi._torch.activations import check_module, resolve_layers

        check_module(self.model)
        if self.device is not None:
            resolve_device(self.device)
        if self.layer is not None:
            resolve_layers(self.model, [self.layer], name="layer")
        if self.groups is None and self.noise_var <= 0:
            raise ValueError(
                "The input-output information of a deterministic map is infinite: "
                "give noise_var > 0 (or groups, for the information between outputs)."
            )
        self._groups = _check_groups(self.groups)
        X = self._check_input(X, reset=True)
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
            self._groups = _check_groups(self.groups)
            X = self._check_input(X, reset=False)
        from skmi._torch.jacobian import input_jacobians

        J = input_jacobians(self.model, X, self.layer, self.batch_size, self.device)
        if self._groups is not None:
            top = max(int(np.max(g)) for g in self._groups)
            if top >= J.shape[1]:
                raise ValueError(
                    f"groups hold unit {top}, but the output has {J.shape[1]} units "
                    f"(indices 0..{J.shape[1] - 1})."
                )
        values = np.array([self._local_mi(J_i) for J_i in J])
        dependent = int(np.sum(np.isinf(values)))
        if dependent:
            warnings.warn(
                f"At {dependent} of {len(values)} samples the groups' output covariance has "
                "lower rank than the sum of the groups' ranks: a combination of one group "
                "is a deterministic linear function of the others, so the information is "
                "infinite (give noise_var > 0 to read the outputs through noise).",
                UserWarning,
                stacklevel=2,
            )
        return from_nats(values, self.units)

    def _check_input(self, X, reset):
        """Validate X; keep ``n_features_in_`` for 2-D input, as ``validate_data`` does.

        Inputs of more dimensions (images, sequences) have no feature count;
        a model that takes them checks their shape itself.
        """
        X = _as_input(X)
        two_d = X.ndim == 2
        if reset:
            if two_d:
                self.n_features_in_ = int(X.shape[1])
            elif hasattr(self, "n_features_in_"):
                del self.n_features_in_  # from an earlier fit on other input
        elif two_d and hasattr(self, "n_features_in_") and X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but JacobianMutualInfo is expecting "
                f"{self.n_features_in_} features as input."
            )
        return X

    def score(self, X, y=None):
        """The mean local MI on X, in ``units``."""
        return float(np.mean(self.pointwise_mi(X)))

    def _local_mi(self, J):
        C = J @ self.input_cov_ @ J.T
        if self._groups is None:
            return 0.5 * _logdet(np.eye(len(C)) + C / self.noise_var)
        C = C + self.noise_var * np.eye(len(C))
        both = np.concatenate(self._groups)
        joint_rank, joint_logdet = _rank_and_log_pdet(C[np.ix_(both, both)])
        parts = [_rank_and_log_pdet(C[np.ix_(g, g)]) for g in self._groups]
        if joint_rank < sum(rank for rank, _ in parts):
            return np.inf
        return 0.5 * (sum(logdet for _, logdet in parts) - joint_logdet)

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


def _rank_and_log_pdet(C):
    """Numerical rank and log pseudo-determinant of a symmetric PSD matrix."""
    eigenvalues = np.linalg.eigvalsh(C)
    top = max(float(eigenvalues[-1]), 0.0)
    tolerance = top * len(C) * np.finfo(np.float64).eps  # numpy.linalg.matrix_rank's
    kept = eigenvalues[eigenvalues > tolerance]
    return len(kept), float(np.sum(np.log(kept)))


def _check_groups(groups, name="groups"):
    """Two or more disjoint, non-empty lists of non-negative unit indices
    (errors name the argument ``name``)."""
    if groups is None:
        return None
    if isinstance(groups, (str, bytes)) or not hasattr(groups, "__len__"):
        raise ValueError(f"{name} must be a sequence of lists of unit indices; got {groups!r}.")
    checked = []
    for k, group in enumerate(groups):
        array = np.asarray(group)
        if array.ndim != 1 or array.size == 0:
            raise ValueError(
                f"{name}[{k}] must be a non-empty list of unit indices; got {group!r}."
            )
        if array.dtype.kind not in "iu" or array.dtype == bool:
            raise ValueError(f"{name}[{k}] must hold integer unit indices; got {group!r}.")
        if array.min() < 0:
            raise ValueError(f"{name}[{k}] holds a negative index ({int(array.min())}).")
        checked.append(array.astype(int))
    if len(checked) < 2:
        raise ValueError(f"{name} needs at least two groups; got {len(checked)}.")
    everything = np.concatenate(checked)
    if len(np.unique(everything)) != len(everything):
        values, counts = np.unique(everything, return_counts=True)
        raise ValueError(
            f"{name} overlap: unit(s) {values[counts > 1].tolist()} belong to more than one "
            f"{name[:-1]} (the information between overlapping {name} is infinite)."
        )
    return checked


def _as_input(X):
    try:
        import torch

        if isinstance(X, torch.Tensor):
            if X.is_floating_point() and not torch.isfinite(X).all():
                raise ValueError("X contains NaN or infinity.")
            if X.ndim < 1 or len(X) == 0:
                raise ValueError("X is empty: it needs at least one sample.")
            return X
    except ImportError:  # pragma: no cover
        pass
    return check_array(X, allow_nd=True, dtype="numeric", input_name="X")


def _input_covariance(setting, X, d_in):
    if setting is None:
        return np.eye(d_in)
    if isinstance(setting, str):
        if hasattr(X, "detach"):  # a torch tensor, possibly on a GPU
            X = X.detach().cpu().numpy()
        flat = np.asarray(X, dtype=np.float64).reshape(len(X), -1)
        return np.atleast_2d(np.cov(flat, rowvar=False))
    cov = check_array(setting, dtype=np.float64, input_name="input_cov", ensure_2d=True)
    if cov.shape != (d_in, d_in):
        raise ValueError(f"input_cov must have shape ({d_in}, {d_in}); got {cov.shape}.")
    scale = np.abs(cov).max()
    if not np.allclose(cov, cov.T, rtol=1e-10, atol=1e-12 * scale):
        raise ValueError("input_cov must be symmetric (a covariance matrix).")
    smallest = np.linalg.eigvalsh((cov + cov.T) / 2)[0]
    if smallest < -1e-10 * max(scale, np.finfo(float).tiny):
        raise ValueError(
            f"input_cov must be positive semi-definite (a covariance matrix); its smallest "
            f"eigenvalue is {smallest:.3g}."
        )
    return cov
