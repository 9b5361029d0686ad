"""Probing neural networks: layer activations, the information plane, and
neural-tangent-kernel information between classes.

* :class:`LayerMIProbe` -- a scikit-learn transformer that returns the
  activations of chosen layers of any ``torch.nn.Module``, so that
  ``make_pipeline(LayerMIProbe(model, layers="fc2"), KSGMutualInfo())``
  scores I(layer; y).
* :class:`InformationPlane` -- a recorder for the user's own training loop:
  I(X; T) and I(T; Y) per layer and epoch, as a tidy table and a plot.
* :func:`empirical_ntk` and :func:`class_mutual_info` -- the empirical
  neural tangent kernel and the von Neumann entropy / mutual information of
  its restriction to classes.

torch is imported only when these are used (``pip install 'skmi[torch]'``).
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_array

from skmi._ksg import KSGMutualInfo
from skmi._sklearn_compat import Interval, check_is_fitted, validate_data
from skmi._torch import require_torch
from skmi.exceptions import ConstantColumnWarning

__all__ = ["InformationPlane", "LayerMIProbe", "class_mutual_info", "empirical_ntk"]


class LayerMIProbe(TransformerMixin, BaseEstimator):
    """Activations of layers of a torch model, as a scikit-learn transformer.

    ``transform(X)`` runs ``model`` on X (in eval mode, without gradients, in
    batches) and returns the outputs of ``layers``, each flattened to one row
    per sample and concatenated: put it in front of any skmi estimator to
    measure how much a layer knows about a target.

    The probe holds the user's model by reference and never trains or copies
    it: after each training step, ``transform`` sees the current weights.
    After every call the model is back in its original training mode and on
    its original device, with every hook removed -- also when an exception
    is raised.

    Parameters
    ----------
    model : torch.nn.Module
        The network to probe, used as it is.
    layers : str or list of str, default="all"
        Module names as in ``model.named_modules()`` (``""`` is the whole
        model, i.e. its output), or "all" for every leaf module.
    batch_size : int, default=256
        Samples per forward pass.
    device : str or None, default=None
        Run the model there (and move it back afterwards); None runs it where
        it is.

    Attributes
    ----------
    layers_ : list of str
        The probed layers, in order.
    n_units_ : dict
        Flattened width of each probed layer.
    n_features_in_ : int
        Features of X when X is 2-D.

    Notes
    -----
    ``sklearn.base.clone`` deep-copies constructor parameters, so a cloned
    probe (as inside ``cross_val_score`` or ``GridSearchCV``) watches a *copy*
    of the model, frozen at cloning time. To watch a model while it trains,
    keep and use the probe you built. A pipeline's ``fit`` does not clone its
    steps, so ``make_pipeline(probe, estimator).fit(X, y)`` uses the live
    model.

    A module's output may be a tensor, or a tuple, list or dict of tensors
    (an LSTM, a transformer block): all its tensors are flattened and
    concatenated in order.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from sklearn.pipeline import make_pipeline
    >>> from skmi import KSGMutualInfo, LayerMIProbe
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    >>> X = np.random.default_rng(0).standard_normal((500, 2)).astype(np.float32)
    >>> y = X[:, 0]
    >>> probe = LayerMIProbe(model, layers="1").fit(X)
    >>> probe.transform(X).shape, probe.get_feature_names_out()[:2].tolist()
    ((500, 8), ['1:0', '1:1'])
    >>> pipe = make_pipeline(LayerMIProbe(model, layers="1"), KSGMutualInfo(random_state=0))
    >>> pipe.fit(X, y).score(X, y) > 1.0  # 8 tanh units of a random layer keep x_0
    True
    """

    _parameter_constraints: dict = {
        "model": [object],
        "layers": [str, list, tuple],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "device": [None, str],
    }

    def __init__(self, model, layers="all", *, batch_size=256, device=None):
        self.model = model
        self.layers = layers
        self.batch_size = batch_size
        self.device = device

    def fit(self, X, y=None):
        """Resolve the layers and their widths (one forward pass on a few rows).

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, ...)
        y : ignored

        Returns
        -------
        self : object
        """
        self._validate_params()
        from skmi._torch.activations import resolve_layers

        _check_module(self.model)
        X = self._check_input(X, reset=True)
        self.layers_ = resolve_layers(self.model, self.layers)
        sample = self._activations(X[: min(len(X), 2)])
        self.n_units_ = {name: a.shape[1] for name, a in sample.items()}
        return self

    def transform(self, X):
        """Activations of the probed layers, flattened and concatenated.

        Parameters
        ----------
        X : array-like or torch.Tensor of shape (n_samples, ...)

        Returns
        -------
        activations : ndarray of shape (n_samples, sum of layer widths), float64
        """
        check_is_fitted(self)
        blocks = self.transform_layers(X)
        return np.concatenate([blocks[name] for name in self.layers_], axis=1)

    def transform_layers(self, X):
        """Activations per layer: ``{name: ndarray (n_samples, units)}``."""
        check_is_fitted(self)
        X = self._check_input(X, reset=False)
        return self._activations(X)

    def get_feature_names_out(self, input_features=None):
        """``"layer:unit"`` names of the output columns.

        Parameters
        ----------
        input_features : ignored, but checked against the input width when given
        """
        check_is_fitted(self)
        if input_features is not None and hasattr(self, "n_features_in_"):
            if len(input_features) != self.n_features_in_:
                raise ValueError(
                    f"input_features has {len(input_features)} names but X has "
                    f"{self.n_features_in_} features."
                )
        return np.asarray(
            [f"{name}:{unit}" for name in self.layers_ for unit in range(self.n_units_[name])],
            dtype=object,
        )

    # -- internals ---------------------------------------------------------------

    def _activations(self, X):
        from skmi._torch.activations import collect_activations

        out = collect_activations(self.model, X, self.layers_, self.batch_size, self.device)
        for name, block in out.items():
            if len(block) != len(X):
                raise ValueError(
                    f"Layer {name!r} produced {len(block)} rows for {len(X)} samples: it is "
                    "called more than once per forward pass; probe one of its uses instead."
                )
        return out

    def _check_input(self, X, reset):
        torch = require_torch()
        if issparse(X):
            raise TypeError(
                "LayerMIProbe does not accept sparse X: a torch model takes dense input "
                "(call X.toarray() first)."
            )
        if isinstance(X, torch.Tensor):
            if X.ndim < 1 or len(X) == 0:
                raise ValueError("X is empty: it needs at least one sample.")
            return X
        X = np.asarray(X) if not hasattr(X, "iloc") else X
        if getattr(X, "ndim", 2) == 2:
            X = validate_data(self, X, reset=reset, dtype=np.float64)
            return X
        return check_array(X, allow_nd=True, dtype=np.float64, input_name="X")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.requires_fit = True
        return tags


def _check_module(model):
    torch = require_torch()
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}.")


# ---------------------------------------------------------------------------
# the information plane
# ---------------------------------------------------------------------------


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
                from skmi._jacobian import jacobian_noisy_information

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


# ---------------------------------------------------------------------------
# neural tangent kernel
# ---------------------------------------------------------------------------


def empirical_ntk(model, X, X2=None, *, batch_size=64, device=None):
    """The empirical neural tangent kernel Gram matrix of a model.

    ``Theta(x, x') = sum_o sum_p df_o(x)/dp  df_o(x')/dp``: the inner product
    of the parameter Jacobians of the outputs (summed over outputs, the trace
    of the NTK's output block). Per-sample Jacobians come from ``torch.func``
    (``vmap`` of ``jacrev``) in batches; the model is left as it was.

    Parameters
    ----------
    model : torch.nn.Module
    X : array-like or tensor (n, ...)
    X2 : array-like or tensor (m, ...), optional -- defaults to X
    batch_size : int, default=64
    device : str or None -- run there (and move the model back); None: where it is

    Returns
    -------
    gram : ndarray (n, m), float64 -- usable as
        ``KernelMutualInfo(kernel="precomputed")`` input when X2 is None.

    References
    ----------
    .. [1] A. Jacot, F. Gabriel and C. Hongler, "Neural tangent kernel:
       convergence and generalization in neural networks", NeurIPS 2018.
    """
    from skmi._torch.ntk import ntk_gram

    _check_module(model)
    return ntk_gram(model, X, X2, batch_size, device)


def class_mutual_info(
    model,
    X,
    y,
    classes=None,
    *,
    joint="union",
    n_per_class=None,
    batch_size=64,
    device=None,
    random_state=None,
):
    """NTK entropy of classes and the mutual information between them.

    For each class c, S(c) is the von Neumann entropy of the trace-normalised
    empirical NTK Gram matrix of its samples. For two classes a and b:

    * ``joint="union"`` (the NTK-entropy literature's definition):
      ``I(a; b) = S(a) + S(b) - S(a U b)``, with S(a U b) the entropy of the
      Gram matrix of both classes' samples together;
    * ``joint="hadamard"`` (the matrix-Rényi joint of Sánchez Giraldo et al.):
      samples of a and b are paired by position and the joint is the
      normalised Hadamard product of their two Gram matrices.

    The normalised MI is ``2 I(a; b) / (S(a) + S(b))``. With the Hadamard
    joint it always lies in [0, 1]. With the union joint -- a mixture of the
    two classes' density operators in feature space -- it is at most 1 when
    the classes have equal sizes (hence ``n_per_class`` subsampling), and
    non-negative unless both entropies are below log 2; it is symmetric in
    a and b either way. High normalised MI: the network sees the two classes
    through the same tangent features (they are confusable); low: orthogonal.

    Parameters
    ----------
    model : torch.nn.Module
    X : array-like or tensor (n, ...)
    y : array-like (n,) -- class labels
    classes : list, optional -- the classes to compare; all by default
    joint : {"union", "hadamard"}, default="union"
    n_per_class : int, optional
        Samples drawn per class (all classes the same size); the smallest
        class size by default.
    batch_size : int, default=64
    device : str or None -- where the NTK is computed (see :func:`empirical_ntk`)
    random_state : int or None -- which samples are drawn

    Returns
    -------
    result : dict with keys
        ``classes`` (list), ``entropy`` (dict class -> S), ``mi`` and
        ``normalized_mi`` (ndarrays, len(classes) x len(classes), symmetric,
        diagonal S(c) and 1), all in nats.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skmi import class_mutual_info
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3))
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((90, 4)).astype(np.float32)
    >>> y = np.repeat([0, 1, 2], 30)
    >>> result = class_mutual_info(model, X, y, random_state=0)
    >>> nmi = result["normalized_mi"]
    >>> bool(np.allclose(nmi, nmi.T)) and bool(((0 <= nmi) & (nmi <= 1)).all())
    True
    """
    from skmi._kernel import _entropy_from_eigenvalues, _normalized

    if joint not in ("union", "hadamard"):
        raise ValueError(f"joint must be 'union' or 'hadamard'; got {joint!r}.")
    y = np.asarray(y)
    classes = list(np.unique(y)) if classes is None else list(classes)
    missing = [c for c in classes if not np.any(y == c)]
    if missing:
        raise ValueError(f"classes {missing} do not occur in y.")
    size = min(int(np.sum(y == c)) for c in classes) if n_per_class is None else n_per_class
    if size < 2:
        raise ValueError("Every class needs at least 2 samples.")
    rng = np.random.default_rng(random_state)
    picks = []
    for c in classes:
        members = np.flatnonzero(y == c)
        if len(members) < size:
            raise ValueError(f"class {c!r} has {len(members)} samples, fewer than {size}.")
        picks.append(np.sort(rng.choice(members, size=size, replace=False)))
    X_all = X[np.concatenate(picks)] if not hasattr(X, "iloc") else X.iloc[np.concatenate(picks)]
    gram = empirical_ntk(model, X_all, batch_size=batch_size, device=device)
    blocks = [slice(k * size, (k + 1) * size) for k in range(len(classes))]

    def entropy(K):
        return _entropy_from_eigenvalues(np.linalg.eigvalsh(_normalized(K)), 1.0)

    S = [entropy(gram[b, b]) for b in blocks]
    k = len(classes)
    mi = np.diag(np.asarray(S, dtype=float))
    for a in range(k):
        for b in range(a + 1, k):
            if joint == "union":
                both = np.r_[
                    np.arange(blocks[a].start, blocks[a].stop),
                    np.arange(blocks[b].start, blocks[b].stop),
                ]
                s_joint = entropy(gram[np.ix_(both, both)])
            else:
                A = _normalized(gram[blocks[a], blocks[a]])
                B = _normalized(gram[blocks[b], blocks[b]])
                product = A * B
                s_joint = _entropy_from_eigenvalues(
                    np.linalg.eigvalsh(product / np.trace(product)), 1.0
                )
            mi[a, b] = mi[b, a] = S[a] + S[b] - s_joint
    with np.errstate(invalid="ignore", divide="ignore"):
        normalized = 2.0 * mi / (np.add.outer(S, S))
    np.fill_diagonal(normalized, 1.0)
    return {
        "classes": classes,
        "entropy": dict(zip(classes, S, strict=True)),
        "mi": mi,
        "normalized_mi": normalized,
    }
