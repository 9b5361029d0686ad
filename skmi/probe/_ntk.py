"""The empirical neural tangent kernel and the NTK entropy / MI of classes."""

from collections.abc import Mapping
from numbers import Integral

import numpy as np

from skmi._torch.activations import ModelInputs, as_model_rows
from skmi._torch.activations import check_module as _check_module
from skmi._validation import check_int

_OUTPUTS = ("sum", "full")
_NORMALIZE = ("diagonal", "trace")
_SAMPLING = ("random", "first")
# eigenvalues (normalised to sum 1) below this are rounding noise: the study's cut-off
_TRACE_CUTOFF = 1e-14


def _check_choice(value, name, choices):
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}; got {value!r}.")


def _input_rows(X, name="X"):
    """X as something row-indexable (pandas by position), with its length.

    Refuses NaN/inf in a floating X: the Gram would be NaN, and its
    eigendecomposition fails far from the cause.
    """
    if hasattr(X, "iloc"):
        _check_finite(X.to_numpy(), name)
        return X.iloc, len(X)
    if isinstance(X, (Mapping, ModelInputs)):  # input_ids, attention_mask, ...
        rows = as_model_rows(X, name)
        for value in rows.fields.values():
            _check_finite(value, name)
        return rows, len(rows)
    if not isinstance(X, np.ndarray) and type(X).__module__.split(".")[0] != "torch":
        X = np.asarray(X)  # lists and other sequences: numpy indexing is needed
    _check_finite(X, name)
    return X, len(X)


def _check_finite(X, name):
    if len(X) == 0:
        raise ValueError(f"{name} is empty: it needs at least one sample.")
    if isinstance(X, np.ndarray):
        bad = X.dtype.kind in "fc" and not np.isfinite(X).all()
    else:  # a torch tensor (integer token ids are fine)
        bad = (X.is_floating_point() or X.is_complex()) and not bool(X.isfinite().all())
    if bad:
        raise ValueError(f"{name} contains NaN or infinity.")


def empirical_ntk(model, X, X2=None, *, outputs="sum", batch_size=64, device=None):
    """The empirical neural tangent kernel Gram matrix of a model.

    With ``J_o(x) = d f_o(x) / d theta`` the parameter Jacobian of output o:

    * ``outputs="sum"``: ``Theta(x, x') = sum_o J_o(x) . J_o(x')``, an
      (n, m) matrix -- the trace over outputs of the NTK's output block;
    * ``outputs="full"``: every pair of outputs, ``Theta[(i, o), (j, p)] =
      J_o(x_i) . J_p(x_j)``, an (n C, m C) matrix with row ``i * C + o``
      for sample i and output o -- the full empirical NTK with no axis
      traced, as in neural-tangents' ``trace_axes=()`` and the NTK-entropy
      study (reference study 000).

    Per-sample Jacobians come from ``torch.func`` (``vmap`` of ``jacrev``) in
    batches, or from plain autograd when ``torch.func`` cannot run the model
    (a forward hook that reads tensor data, say). User backward hooks are
    set aside while the Jacobians are computed (they only change reported
    gradients) and put back. The model comes back in its own mode and on
    its own device; X is never modified; integer X (token ids) stays integer.

    Parameters
    ----------
    model : torch.nn.Module
    X : array-like or tensor (n, ...)
    X2 : array-like or tensor (m, ...), optional
        Defaults to X.
    outputs : {"sum", "full"}, default="sum"
    batch_size : int, default=64
    device : str, torch.device or None
        Run there (and move the model back); None: where it is.

    Returns
    -------
    gram : ndarray (n, m) or (n C, m C), float64
        Usable as ``KernelMutualInfo(kernel="precomputed")`` input when X2
        is None.

    Raises
    ------
    ValueError
        If the peak -- the Jacobians, the Gram matrix and one sample's
        intermediates -- would exceed ``skmi.get_config()["memory_budget"]``
        (checked before anything of size n is allocated; the message gives
        the bytes; a smaller budget first shrinks ``batch_size``, which
        leaves the value unchanged), for a bad ``outputs`` or
        ``device``, or a model without trainable parameters.
    TypeError
        If ``model`` is not a ``torch.nn.Module``.

    References
    ----------
    .. [1] A. Jacot, F. Gabriel and C. Hongler, "Neural tangent kernel:
       convergence and generalization in neural networks", NeurIPS 2018.
    """
    from skmi._torch import resolve_device
    from skmi._torch.ntk import ntk_gram

    _check_module(model)
    _check_choice(outputs, "outputs", _OUTPUTS)
    check_int(batch_size, "batch_size", min_value=1)
    if device is not None:
        resolve_device(device)
    X, _ = _input_rows(X)
    if X2 is not None:
        X2, _ = _input_rows(X2, "X2")
    return ntk_gram(model, X, X2, batch_size, device, outputs=outputs)


def _entropy(K, normalize):
    """von Neumann entropy (nats) of a Gram matrix as a density operator."""
    if normalize == "trace":
        # the study's convention: eigenvalues of K normalised to sum 1, rounding
        # noise (below 1e-14) dropped
        lam = np.linalg.eigvalsh(K)
        lam = lam / lam.sum()
        lam = lam[lam > _TRACE_CUTOFF]
        return float(-np.sum(lam * np.log(lam)))
    from skmi._matrix_entropy import entropy_from_eigenvalues, normalized_gram

    return entropy_from_eigenvalues(np.linalg.eigvalsh(normalized_gram(K)), 1.0)


def _hadamard_entropy(A, B, normalize):
    if normalize == "trace":
        A, B = A / np.trace(A), B / np.trace(B)
    else:
        from skmi._matrix_entropy import normalized_gram

        A, B = normalized_gram(A), normalized_gram(B)
    product = A * B
    return _entropy(product / np.trace(product), "trace")


def _class_information(gram, blocks, joint, normalize):
    """Entropies, MI and normalised MI of index blocks of one Gram matrix."""
    S = [_entropy(gram[np.ix_(b, b)], normalize) for b in blocks]
    k = len(blocks)
    mi = np.diag(np.asarray(S, dtype=float))
    for a in range(k):
        for b in range(a + 1, k):
            if joint == "union":
                both = np.concatenate([blocks[a], blocks[b]])
                s_joint = _entropy(gram[np.ix_(both, both)], normalize)
            else:
                s_joint = _hadamard_entropy(
                    gram[np.ix_(blocks[a], blocks[a])],
                    gram[np.ix_(blocks[b], blocks[b])],
                    normalize,
                )
            mi[a, b] = mi[b, a] = S[a] + S[b] - s_joint
    with np.errstate(invalid="ignore", divide="ignore"):
        normalized = 2.0 * mi / np.add.outer(S, S)
    np.fill_diagonal(normalized, 1.0)
    return S, mi, normalized


def _pick_per_class(y, classes, n_per_class, random_state, n_rows, sampling="random"):
    """Sorted row indices of ``n_per_class`` samples of each class.

    ``sampling="random"`` draws them without replacement by ``random_state``;
    ``"first"`` takes each class's first rows in the order of X (study 000's
    convention) and ignores ``random_state``.
    """
    _check_choice(sampling, "sampling", _SAMPLING)
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D class labels; got shape {y.shape}.")
    if len(y) != n_rows:
        raise ValueError(f"y has {len(y)} labels but X has {n_rows} rows: they must match.")
    classes = list(np.unique(y)) if classes is None else list(classes)
    if len(classes) < 1:
        raise ValueError("classes is empty: name at least one class.")
    if len(set(classes)) != len(classes):
        raise ValueError(f"classes holds a class twice: {classes}.")
    missing = [c for c in classes if not np.any(y == c)]
    if missing:
        raise ValueError(f"classes {missing} do not occur in y.")
    if n_per_class is None:
        size = min(int(np.sum(y == c)) for c in classes)
    else:
        size = check_int(n_per_class, "n_per_class", min_value=1)
    if size < 2 and n_per_class is None:
        raise ValueError("Every class needs at least 2 samples.")
    rng = None
    if sampling == "random":
        if isinstance(random_state, np.random.RandomState):
            random_state = random_state.randint(2**31)
        rng = np.random.default_rng(random_state)
    picks = []
    for c in classes:
        members = np.flatnonzero(y == c)  # ascending: the order of X
        if len(members) < size:
            raise ValueError(f"class {c!r} has {len(members)} samples, fewer than {size}.")
        if sampling == "first":
            picks.append(members[:size])
        else:
            picks.append(np.sort(rng.choice(members, size=size, replace=False)))
    return classes, size, picks


def class_mutual_info(
    model,
    X,
    y,
    classes=None,
    *,
    joint="union",
    outputs="full",
    normalize="trace",
    n_per_class=None,
    sampling="random",
    batch_size=64,
    device=None,
    random_state=None,
):
    """NTK entropy of classes and the mutual information between them.

    For each class c, S(c) is the von Neumann entropy ``-sum lambda log
    lambda`` of the empirical NTK Gram matrix of its samples, read as a
    density operator (unit trace). ``normalize`` says how:

    * ``"trace"`` (default): ``K / trace(K)`` -- eigenvalues normalised to
      sum 1, those below 1e-14 dropped; with ``outputs="full"`` (default)
      this is the convention of the NTK-entropy study (reference study 000,
      ZnNL / papyrus ``NTKEntropy(normalize_eigenvalues=True)``);
    * ``"diagonal"``: ``K_ij / sqrt(K_ii K_jj) / n`` -- every sample weighs
      the same, as in the matrix-Rényi entropies of Sánchez Giraldo et al.
      (2015) and :func:`~skmi.kernel_entropy`.

    ``outputs`` is passed to :func:`empirical_ntk` ("full": (n C) x (n C),
    every output pair; "sum": n x n, outputs traced). The defaults are the
    study's: its C output rows per sample give each class an entropy far
    above log 2 (up to log(n C)), which keeps the normalised MI in [0, 1]
    even at the study's two samples per class. With ``outputs="sum",
    normalize="diagonal"`` two samples per class hold at most log 2 nats
    each, and the union MI of similar classes goes negative (see the bounds
    below). For two classes a, b:

    * ``joint="union"`` (the NTK-entropy literature's definition):
      ``I(a; b) = S(a) + S(b) - S(a U b)``, with S(a U b) the entropy of the
      Gram matrix of both classes' samples together;
    * ``joint="hadamard"`` (the matrix-Rényi joint of Sánchez Giraldo et al.):
      samples of a and b are paired by position and the joint is the
      normalised Hadamard product of their two Gram matrices.

    The normalised MI is ``2 I(a; b) / (S(a) + S(b))``. With the Hadamard
    joint it lies in [0, 1]. With the union joint the union's density
    operator is the mixture ``p rho_a + (1 - p) rho_b`` (in feature space),
    with p = 1/2 for diagonal normalisation and equal class sizes (hence
    ``n_per_class``), and p the share of class a in the total trace for
    ``"trace"``. Concavity of the entropy gives ``I <= (1 - p) S(a) + p S(b)``
    (NMI <= 1 at p = 1/2; it can exceed 1 under ``"trace"`` when the two
    classes' traces differ), and the mixing bound ``S(mixture) <= p S(a) +
    (1 - p) S(b) + H(p)`` gives ``I >= (1 - p) S(a) + p S(b) - H(p)``: the
    MI is negative only when that weighted entropy is below H(p) (log 2 at
    p = 1/2), i.e. for classes of very low entropy. Example: class a holds
    3 identical points (S = 0) and class b 3 orthogonal ones (S = log 3 =
    1.0986), so I = 0 + 1.0986 - 1.2425 = -0.144 nats. High normalised MI:
    the network sees the two classes through the same tangent features (they
    are confusable); low: orthogonal.

    Parameters
    ----------
    model : torch.nn.Module
    X : array-like or tensor (n, ...)
    y : array-like (n,)
        Class labels, one per row of X.
    classes : list, optional
        The classes to compare; all by default.
    joint : {"union", "hadamard"}, default="union"
    outputs : {"full", "sum"}, default="full"
    normalize : {"trace", "diagonal"}, default="trace"
    n_per_class : int, optional
        Samples taken per class (all classes the same size); the smallest
        class size by default. The NTK has ``(n_per_class * len(classes) *
        C)**2`` entries with ``outputs="full"``.
    sampling : {"random", "first"}, default="random"
        Which ``n_per_class`` samples of each class: drawn at random without
        replacement (by ``random_state``), or the class's first rows in the
        order of X -- reference study 000's convention ("select the first
        n_points of class i"), deterministic, ``random_state`` ignored.
        "first" repeats the study's selection when X is in the study's
        order; on data sorted by anything that matters (time, source) it
        is a biased sample.
    batch_size : int, default=64
    device : str or None
        Where the NTK is computed (see :func:`empirical_ntk`).
    random_state : None, int or Generator
        Which samples are drawn (``sampling="random"``).

    Returns
    -------
    result : dict with keys
        ``classes`` (list), ``entropy`` (dict class -> S), ``mi`` and
        ``normalized_mi`` (ndarrays, len(classes) x len(classes), symmetric,
        diagonal S(c) and 1), all in nats, and ``indices`` (the rows of X
        used, per class).

    Raises
    ------
    ValueError
        If y's length differs from X's, a class is missing or too small, a
        choice (``joint``, ``outputs``, ``normalize``, ``sampling``) is
        unknown, or the NTK would exceed the memory budget.

    References
    ----------
    .. [1] L. G. Sánchez Giraldo, M. Rao and J. C. Príncipe, "Measures of
       entropy from data using infinitely divisible kernels", IEEE Trans.
       Inf. Theory 61(1), 2015.
    .. [2] ZnNL / papyrus (zincware): ``JAXNTKCombinations`` and
       ``NTKEntropy``, the library of reference study 000.

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
    >>> per_sample = class_mutual_info(
    ...     model, X, y, outputs="sum", normalize="diagonal", random_state=0
    ... )
    >>> per_sample["normalized_mi"].shape
    (3, 3)

    Study 000's selection, the first rows of each class:

    >>> first = class_mutual_info(model, X, y, n_per_class=2, sampling="first")
    >>> [rows.tolist() for rows in first["indices"].values()]
    [[0, 1], [30, 31], [60, 61]]
    """
    _check_module(model)
    _check_choice(joint, "joint", ("union", "hadamard"))
    _check_choice(outputs, "outputs", _OUTPUTS)
    _check_choice(normalize, "normalize", _NORMALIZE)
    rows, n_rows = _input_rows(X)
    classes, size, picks = _pick_per_class(y, classes, n_per_class, random_state, n_rows, sampling)
    chosen = np.concatenate(picks)
    gram = empirical_ntk(model, rows[chosen], outputs=outputs, batch_size=batch_size, device=device)
    per_sample = gram.shape[0] // len(chosen)  # C for "full", 1 for "sum"
    blocks = [
        (np.arange(k * size, (k + 1) * size)[:, None] * per_sample + np.arange(per_sample)).ravel()
        for k in range(len(classes))
    ]
    S, mi, normalized = _class_information(gram, blocks, joint, normalize)
    return {
        "classes": classes,
        "entropy": dict(zip(classes, S, strict=True)),
        "mi": mi,
        "normalized_mi": normalized,
        "indices": dict(zip(classes, picks, strict=True)),
    }


class NTKClassMIRecorder:
    """Track NTK class entropies and normalised MI per epoch, as study 000 does.

    The evaluation samples are chosen once (``n_per_class`` per class: at
    random by ``random_state``, or each class's first rows with
    ``sampling="first"``, as the study does) and kept for every epoch, so the curves follow the
    network, not the sampling. Call :meth:`record` after each epoch (from a
    training loop or a framework callback); :meth:`to_frame` gives one row
    per record with columns ``epoch``, ``S(c)`` for every class,
    ``NMI(a,b)`` and ``I(a,b)`` for every pair, and any extra values passed.

    Parameters
    ----------
    model : torch.nn.Module
        Watched by reference.
    X : array-like or tensor (n, ...)
    y : array-like (n,)
    classes : list, optional
        Classes to compare (the study uses [0, 1, 8]); all by default.
    n_per_class : int, optional
        Samples per class (the study uses 2); the smallest class by default.
    sampling : {"random", "first"}, default="random"
        Drawn at random, or the first ``n_per_class`` rows of each class in
        the order of X (the study's choice; ``random_state`` is then
        ignored). See :func:`class_mutual_info`.
    outputs, normalize, joint : see :func:`class_mutual_info`
        Defaults: the study's convention, ``"full"`` and ``"trace"``, union.
    batch_size : int, default=64
    device : str or None
    random_state : None or int

    Attributes
    ----------
    history_ : list of dict
    indices_ : dict
        The rows of X used for each class.

    Raises
    ------
    ValueError
        As :func:`class_mutual_info` (labels that do not match X, a missing
        or too small class, an unknown choice -- ``sampling`` among them --,
        the memory budget).
    TypeError
        If ``model`` is not a ``torch.nn.Module``.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skmi.probe import NTKClassMIRecorder
    >>> torch.manual_seed(0)  # doctest: +ELLIPSIS
    <torch._C.Generator object at ...>
    >>> model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    >>> X = np.random.default_rng(0).standard_normal((30, 4)).astype(np.float32)
    >>> recorder = NTKClassMIRecorder(model, X, np.repeat([0, 1, 2], 10), n_per_class=2)
    >>> row = recorder.record(epoch=0)
    >>> sorted(k for k in row if k.startswith("NMI"))
    ['NMI(0,1)', 'NMI(0,2)', 'NMI(1,2)']
    """

    def __init__(
        self,
        model,
        X,
        y,
        classes=None,
        *,
        n_per_class=None,
        sampling="random",
        outputs="full",
        normalize="trace",
        joint="union",
        batch_size=64,
        device=None,
        random_state=None,
    ):
        _check_module(model)
        _check_choice(joint, "joint", ("union", "hadamard"))
        _check_choice(outputs, "outputs", _OUTPUTS)
        _check_choice(normalize, "normalize", _NORMALIZE)
        rows, n_rows = _input_rows(X)
        self.classes, size, picks = _pick_per_class(
            y, classes, n_per_class, random_state, n_rows, sampling
        )
        self.indices_ = dict(zip(self.classes, picks, strict=True))
        chosen = np.concatenate(picks)
        self._X = rows[chosen]
        self._y = np.repeat(np.arange(len(self.classes)), size)
        self.model = model
        self.n_per_class, self.sampling = size, sampling
        self.outputs, self.normalize, self.joint = outputs, normalize, joint
        self.batch_size, self.device = batch_size, device
        self.history_ = []

    def record(self, epoch=None, **extra):
        """Compute the class entropies and MI now and append one row.

        Returns
        -------
        row : dict
        """
        if epoch is not None and not isinstance(epoch, Integral):
            raise TypeError(f"epoch must be an integer or None; got {epoch!r}.")
        result = class_mutual_info(
            self.model,
            self._X,
            self._y,
            joint=self.joint,
            outputs=self.outputs,
            normalize=self.normalize,
            n_per_class=self.n_per_class,
            batch_size=self.batch_size,
            device=self.device,
            sampling="first",  # every row of self._X, in order
        )
        row = {"epoch": len(self.history_) if epoch is None else int(epoch)}
        for k, c in enumerate(self.classes):
            row[f"S({c})"] = result["entropy"][k]
        for a in range(len(self.classes)):
            for b in range(a + 1, len(self.classes)):
                pair = f"{self.classes[a]},{self.classes[b]}"
                row[f"NMI({pair})"] = float(result["normalized_mi"][a, b])
                row[f"I({pair})"] = float(result["mi"][a, b])
        row.update(extra)
        self.history_.append(row)
        return row

    def to_frame(self):
        """The history as a pandas DataFrame (one row per record)."""
        import pandas as pd

        return pd.DataFrame(self.history_)
