"""InformationPlane: I(X; T + noise) and I(T; Y) per layer, recorded as a network trains."""

import warnings
from numbers import Real

import numpy as np

from skmi._ksg import KSGMutualInfo
from skmi._torch.activations import check_module as _check_module
from skmi._validation import check_int
from skmi.exceptions import ConstantColumnWarning
from skmi.probe._layers import LayerMIProbe
from skmi.probe._mixture import noisy_layer_information


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
    empirical distribution of the inputs passed to :meth:`record`.

    With ``xt="mixture"`` (the default), T + Z is a Gaussian mixture with
    one component per distinct input and ``I(X; T + Z) = H(T + Z) - H(Z)``;
    it is estimated by Monte Carlo (column ``"I(X;T)"``, standard error in
    ``"I(X;T) se"``) and bracketed by the pairwise-distance bounds of
    Kolchinsky & Tracey (2017) (``"I(X;T) lower"``, Bhattacharyya, and
    ``"I(X;T) upper"``, Kullback-Leibler), see
    :func:`~skmi.probe.noisy_layer_information`. (The upper bound alone --
    what earlier versions reported -- overstates I by 20-100 %: it is exact
    only when the activations are all equal or all far apart relative to
    the noise.) ``xt="jacobian"`` uses the local linear-Gaussian form
    averaged over samples instead (see :class:`~skmi.JacobianMutualInfo`).
    I(T; Y) is well defined and is estimated directly by ``ty_estimator``.

    :meth:`record` is meant to be called once per epoch from any training
    loop or callback (``skmi.callbacks`` builds on it): it borrows the model
    (eval mode, no gradients), returns it in its training mode and on its
    device, and appends one row per layer to ``history_``.

    Parameters
    ----------
    model : torch.nn.Module
        The network; watched by reference (as :class:`LayerMIProbe`).
    layers : str or list of str
        Layer names from ``model.named_modules()``.
    noise_std : float > 0
        Standard deviation of the noise in I(X; T + noise), in the units of
        the activations. Required: I(X; T) means nothing without it.
    xt : {"mixture", "jacobian"}, default="mixture"
        How I(X; T + noise) is computed (the pairwise upper bound is in the
        ``"I(X;T) upper"`` column).
    n_draws : int, default=4096
        Monte Carlo draws per layer and record (``xt="mixture"``).
    ty_estimator : skmi estimator, default=None
        Estimates I(T; Y); ``KSGMutualInfo(ties="mixed")`` when None: k-NN
        suits the moderate widths of probed layers, and "mixed" counts the
        exact zeros of ReLU units as atoms instead of jittering them (one of
        the causes of negative, trendless k-NN values on raw activations).
        Activations are standardised by the estimator.
    batch_size : int, default=256
    pooling : {None, "cls", "mean", "last"}, default=None
        How token-level activations become one row per sample (see
        :class:`LayerMIProbe`); for transformers.
    random_state : int or None, default=None
        Seeds the Monte Carlo draws and the default estimator.

    Attributes
    ----------
    history_ : list of dict
        One row per (record call, layer).

    Raises
    ------
    ValueError
        If ``noise_std`` is not a positive number, ``xt`` is unknown, or
        ``n_draws`` < 2.
    TypeError
        If ``model`` is not a ``torch.nn.Module``.

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
        xt="mixture",
        n_draws=4096,
        ty_estimator=None,
        batch_size=256,
        pooling=None,
        random_state=None,
    ):
        if isinstance(noise_std, bool) or not (isinstance(noise_std, Real) and noise_std > 0):
            raise ValueError(f"noise_std must be a positive number; got {noise_std!r}.")
        if xt not in ("mixture", "jacobian"):
            raise ValueError(f"xt must be 'mixture' or 'jacobian'; got {xt!r}.")
        check_int(n_draws, "n_draws", min_value=2)
        _check_module(model)
        self.model = model
        self.probe = LayerMIProbe(model, layers, batch_size=batch_size, pooling=pooling)
        self.noise_std = float(noise_std)
        self.xt = xt
        self.n_draws = n_draws
        self.random_state = random_state
        self.ty_estimator = (
            KSGMutualInfo(ties="mixed", random_state=random_state)
            if ty_estimator is None
            else ty_estimator
        )
        self.history_ = []

    def record(self, X, y, epoch=None, **extra):
        """Estimate both informations for every layer and append them.

        Call it once per epoch (or every N epochs) from any training loop
        or framework callback. The model runs in eval mode without
        gradients and comes back in its own mode and device; X is never
        modified.

        Parameters
        ----------
        X : array-like, torch.Tensor (n_samples, ...), or dict of them
            The inputs (a dict of ``input_ids``, ``attention_mask``, ... for
            a transformers model), in the order of ``y`` (run the model on the ordered
            data itself: pairing activations collected from a shuffled loader
            with targets in dataset order destroys the dependence). Keep the
            same evaluation set across epochs.
        y : array-like (n_samples,) or (n_samples, n_outputs)
        epoch : int, optional
            Defaults to the number of previous distinct epochs.
        **extra
            Other columns to store with the row (loss, accuracy, ...).

        Returns
        -------
        rows : list of dict
            The rows appended, one per layer, with keys ``epoch``, ``layer``,
            ``I(X;T)``, ``I(X;T) se``, ``I(X;T) lower``, ``I(X;T) upper``
            (nats; se and bounds are NaN for ``xt="jacobian"``), ``I(T;Y)``,
            ``xt_measure``, ``ty_measure``, ``n_samples`` and ``extra``.

        Raises
        ------
        ValueError
            If y's length differs from X's, or as :class:`LayerMIProbe`.
        """
        from sklearn.base import clone
        from sklearn.utils import check_random_state

        if epoch is None:
            epoch = len({row["epoch"] for row in self.history_})
        from skmi._torch.activations import n_input_rows

        n_y, n_x = len(y), n_input_rows(X)
        if n_y != n_x:
            raise ValueError(f"y has {n_y} rows but X has {n_x}: they must match.")
        blocks = self.probe.fit(X).transform_layers(X)
        # an int seed gives every record the same draws (common random numbers), so
        # differences between epochs are not Monte Carlo noise
        seeds = check_random_state(self.random_state)
        rows = []
        for name in self.probe.layers_:
            T = blocks[name]
            if self.xt == "mixture":
                result = noisy_layer_information(
                    T, self.noise_std, n_draws=self.n_draws, random_state=seeds
                )
                i_xt, se, lower, upper = result
            else:
                from skmi.probe._jacobian import jacobian_noisy_information

                i_xt = jacobian_noisy_information(self.model, X, name, self.noise_std)
                se = lower = upper = float("nan")
            i_ty = _information_or_zero(clone(self.ty_estimator), T, y)
            rows.append(
                {
                    "epoch": epoch,
                    "layer": name,
                    "I(X;T)": i_xt,
                    "I(X;T) se": se,
                    "I(X;T) lower": lower,
                    "I(X;T) upper": upper,
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

    def plot(self, ax=None, cmap="viridis", labels=None):
        """Draw the information plane: I(X;T) across, I(T;Y) up, colour = epoch.

        Each layer is a line through its epochs, its points coloured by epoch.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; a new figure when None.
        cmap : str, default="viridis"
            Colour map of the epochs.
        labels : dict, optional
            Legend label of each layer, by its module name (``{"3":
            "hidden 2 (ReLU)"}``); a layer not in it is shown as
            ``"layer <name>"``.

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
                label=(labels or {}).get(name, f"layer {name}"),
                zorder=2,
            )
        ax.set_xlabel(frame["xt_measure"].iloc[0] + ", nats")
        ax.set_ylabel(frame["ty_measure"].iloc[0] + ", nats")
        ax.figure.colorbar(points, ax=ax, label="epoch")
        ax.legend(fontsize=8, loc="lower right")
        return ax


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
