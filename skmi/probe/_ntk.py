"""The empirical neural tangent kernel and the NTK entropy / MI of classes."""

import numpy as np

from skmi._torch.activations import check_module as _check_module


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
