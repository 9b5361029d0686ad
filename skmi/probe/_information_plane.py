"""InformationPlane: I(X; T + noise) and I(T; Y) per layer, recorded as a network trains."""

import warnings
from numbers import Real

import numpy as np

from skmi._ksg import KSGMutualInfo
from skmi.exceptions import ConstantColumnWarning
from skmi.probe._layers import LayerMIProbe, _check_module


class InformationPlane:
    """Record I(X; T) and I(T; Y) for layers of a network as it trains.

    Call :meth:`record` once per epoch (or step) inside your own training
    loop; :meth:`to_frame` returns the tidy history and :meth:`plot` draws
    the information plane, coloured by epoch.

    What is measured, and why. For a deterministic network on continuous
    inputs, I(X; T) is infinite: T is a function of X. A k-NN estimate of it
    does not know that and just grows with the sample size (measured: 0.75,
    1.21 and 1.72 nats at n = 250, 1000, 4000), so it is not reported.
    Instead the recorder measures I(X; T + Z), Z ~ N(0, noise_std^2 I) -- a
    finite, well-defined quantity: how much of X survives in the layer when
    its units are read through Gaussian noise of that size -- with X the
    empirical distribution of the inputs passed to :meth:`record`. It is
    computed by the pairwise-distance estimator of Kolchinsky & Tracey
    (2017) (``xt="kde"``, an upper bound, exact in the limits of small and
    large noise, at most log n) or by the local linear-Gaussian form
    averaged over samples (``xt="jacobian"``, see
    :class:`~skmi.JacobianMutualInfo`). I(T; Y) is well defined and is
    estimated directly by ``ty_estimator``.

    Parameters
    ----------
    model : torch.nn.Module
        The network; watched by reference (as :class:`LayerMIProbe`).
    layers : str or list of str
        Layer names from ``model.named_modules()``.
    noise_std : float > 0
        Standard deviation of the noise in I(X; T + noise), in the units of
        the activations. Required: I(X; T) means nothing without it.
    xt : {"kde", "jacobian"}, default="kde"
        How I(X; T + noise) is computed.
    ty_estimator : skmi estimator, default=None
        Estimates I(T; Y); ``KSGMutualInfo(ties="mixed")`` when None: k-NN
        suits the moderate widths of probed layers, and "mixed" counts the
        exact zeros of ReLU units as atoms instead of jittering them (one of
        the causes of negative, trendless k-NN values on raw activations).
        Activations are standardised by the estimator.
    batch_size : int, default=256
    random_state : int or None, default=None
        Passed to the default estimator.

    Attributes
    ----------
    history_ : list of dict
        One row per (record call, layer).

    References
    ----------
    .. [1] R. Shwartz-Ziv and N. Tishby, "Opening the black box of deep neural
       networks via information", arXiv:1703.00810, 2017.
    .. [2] A. M. Saxe et al., "On the information bottleneck theory of deep
       learning", ICLR 2018.
    .. [3] A. Kolchinsky and B. D. Tracey, "Estimating mixture entropy with
       pairwise distances", Entropy 19(7), 2017.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skmi import InformationPlane
    >>> model = torch.nn.Sequential(torch.nn.Linear(1, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    >>> X = np.linspace(-3, 3, 200, dtype=np.float32).reshape(-1, 1)
    >>> y = X[:, 0] ** 2
    >>> plane = InformationPlane(model, layers=["1", "2"], noise_std=0.1, random_state=0)
    >>> for epoch in range(2):
    ...     rows = plane.record(X, y, epoch=epoch)  # after each epoch of your training
    >>> plane.to_frame()[["epoch", "layer"]].shape
    (4, 2)
    """

    def __init__(
        self,
        model,
        layers,
        *,
        noise_std,
        xt="kde",
        ty_estimator=None,
        batch_size=256,
        random_state=None,
    ):
        if not (isinstance(noise_std, Real) and noise_std > 0):
            raise ValueError(f"noise_std must be a positive number; got {noise_std!r}.")
        if xt not in ("kde", "jacobian"):
            raise ValueError(f"xt must be 'kde' or 'jacobian'; got {xt!r}.")
        _check_module(model)
        self.model = model
        self.probe = LayerMIProbe(model, layers, batch_size=batch_size)
        self.noise_std = float(noise_std)
        self.xt = xt
        self.ty_estimator = (
            KSGMutualInfo(ties="mixed", random_state=random_state)
            if ty_estimator is None
            else ty_estimator
        )
        self.history_ = []

    def record(self, X, y, epoch=None, **extra):
        """Estimate both informations for every layer and append them.

        Parameters
        ----------
        X : array-like or torch.Tensor (n_samples, ...)
            The inputs, in the order of ``y`` (run the model on the ordered
            data itself: pairing activations collected from a shuffled loader
            with targets in dataset order destroys the dependence).
        y : array-like (n_samples,) or (n_samples, n_outputs)
        epoch : int, optional
            Defaults to the number of previous calls.
        **extra
            Other columns to store with the row (loss, accuracy, ...).

        Returns
        -------
        rows : list of dict -- the rows appended
        """
        from sklearn.base import clone

        if epoch is None:
            epoch = len({row["epoch"] for row in self.history_})
        blocks = self.probe.fit(X).transform_layers(X)
        rows = []
        for name in self.probe.layers_:
            T = blocks[name]
            if self.xt == "kde":
                i_xt = noisy_layer_information(T, self.noise_std)
            else:
                from skmi.probe._jacobian import jacobian_noisy_information

                i_xt = jacobian_noisy_information(self.model, X, name, self.noise_std)
            i_ty = _information_or_zero(clone(self.ty_estimator), T, y)
            rows.append(
                {
                    "epoch": epoch,
                    "layer": name,
                    "I(X;T)": i_xt,
                    "I(T;Y)": i_ty,
                    "xt_measure": f"I(X; T + N(0, {self.noise_std:g}^2)) [{self.xt}]",
                    "ty_measure": f"I(T; Y) [{type(self.ty_estimator).__name__}]",
                    "n_samples": len(T),
                    **extra,
                }
            )
        self.history_.extend(rows)
        return rows

    def to_frame(self):
        """The history as a pandas DataFrame (one row per epoch and layer)."""
        import pandas as pd

        return pd.DataFrame(self.history_)

    def plot(self, ax=None, cmap="viridis"):
        """Draw the information plane: I(X;T) across, I(T;Y) up, colour = epoch.

        Each layer is a line through its epochs, its points coloured by epoch.

        Returns
        -------
        ax : matplotlib Axes
        """
        import matplotlib.pyplot as plt

        frame = self.to_frame()
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4.5))
        norm = plt.Normalize(frame["epoch"].min(), max(frame["epoch"].max(), 1))
        markers = "osD^vP*X"
        for k, (name, rows) in enumerate(frame.groupby("layer", sort=False)):
            ax.plot(rows["I(X;T)"], rows["I(T;Y)"], color="0.7", lw=0.8, zorder=1)
            points = ax.scatter(
                rows["I(X;T)"],
                rows["I(T;Y)"],
                c=rows["epoch"],
                cmap=cmap,
                norm=norm,
                marker=markers[k % len(markers)],
                s=22,
                label=f"layer {name}",
                zorder=2,
            )
        ax.set_xlabel(frame["xt_measure"].iloc[0] + ", nats")
        ax.set_ylabel(frame["ty_measure"].iloc[0] + ", nats")
        ax.figure.colorbar(points, ax=ax, label="epoch")
        ax.legend(fontsize=8, loc="lower right")
        return ax


def noisy_layer_information(T, noise_std):
    """I(X; T + Z) for a deterministic layer T = f(X), Z ~ N(0, s^2 I), in nats.

    X is the empirical distribution of the n inputs (each equally likely),
    so T + Z is a mixture of n Gaussians centred on the activations. The
    pairwise-distance (KL) upper bound of Kolchinsky & Tracey (2017),
    ``-1/n sum_i log(1/n sum_j exp(-|t_i - t_j|^2 / 2 s^2))``, is used; it is
    0 when all activations coincide and log n when they are far apart
    relative to s.

    Examples
    --------
    >>> import numpy as np
    >>> from skmi.probe import noisy_layer_information
    >>> T = np.repeat(np.eye(4) * 100.0, 5, axis=0)  # 4 far-apart clusters of 5
    >>> bool(np.isclose(noisy_layer_information(T, 1.0), np.log(4)))
    True
    """
    from scipy.special import logsumexp

    T = np.asarray(T, dtype=np.float64).reshape(len(T), -1)
    sq = np.sum(T**2, axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2.0 * T @ T.T, 0.0)
    np.fill_diagonal(d2, 0.0)  # exactly: rounding would make a point unlike itself
    n = len(T)
    return float(-np.mean(logsumexp(-d2 / (2.0 * noise_std**2), axis=1) - np.log(n)))


def _information_or_zero(estimator, T, y):
    """The estimator's MI, or exactly 0 for a constant layer (a dead layer).

    Dead units (constant columns) are dropped silently: in a ReLU network they
    are routine, and a warning per unit and epoch would drown the loop.
    """
    if np.ptp(T, axis=0).max() == 0:
        return 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConstantColumnWarning)
        return float(estimator.fit(T, y).mi_)
