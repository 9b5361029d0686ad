"""LayerMIProbe: activations of named layers of a torch model, as a transformer."""

from collections.abc import Mapping
from numbers import Integral

import numpy as np
from scipy.sparse import issparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils import check_array

from skmi._sklearn_compat import Interval, StrOptions, check_is_fitted, validate_data
from skmi._torch import require_torch

__all__ = ["LayerMIProbe"]


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
    is raised. Modes are switched by the modules' own ``train()``/``eval()``
    (a module overriding ``train()`` is switched and restored through it),
    and calls from several threads on one model are serialised by a lock per
    model, so one call never sees (or leaves) another's eval mode.

    Parameters
    ----------
    model : torch.nn.Module
        The network to probe, used as it is.
    layers : str or list of str, default="all"
        Module names as in ``model.named_modules()`` (``""`` is the whole
        model, i.e. its output), or "all" for every leaf module. A name that
        is not a module names a field of the model's output (a Hugging Face
        ``ModelOutput`` or a dict): ``"last_hidden_state"``, ``"logits"``,
        ``"hidden_states.k"`` for entry k of a tuple-valued field
        (``"hidden_states.0"`` is the embeddings' output, ``"hidden_states.k"``
        the output of block k), or ``"hidden_states"`` alone for all its
        entries, which ``layers_`` lists one by one. The model is asked for
        them with ``output_hidden_states=True`` (``output_attentions=True``
        for ``"attentions"``) unless X sets that flag.
    batch_size : int, default=256
        Samples per forward pass.
    device : str, torch.device or None, default=None
        Run the model there (and move it back afterwards); None runs it where
        it is (a model is not moved behind the user's back). Checked before
        the model is touched.
    pooling : {None, "cls", "mean", "last", "tokens"}, default=None
        How token-level activations (n, seq, ...) become rows. None flattens
        every output tensor of a layer into one row per sample (seq x hidden
        units for a transformer). Otherwise each layer's *first* output tensor
        (a block that returns a tuple or ``ModelOutput`` contributes its
        hidden states, not attention weights or caches), batch dimension
        first, is read as (n, seq, ...), seq being X's sequence length, and
        pooled over the real tokens -- those with ``attention_mask != 0``
        when X is a dict holding one, every position otherwise:

        * ``"cls"``: the first real token (position 0 with right padding,
          where BERT-style tokenisers put ``[CLS]``);
        * ``"last"``: the last real token (the one a causal model such as
          GPT-2 has read the whole sequence at);
        * ``"mean"``: the mean over the real tokens;
        * ``"tokens"``: one row per real token, sample by sample and in
          order, so ``transform`` returns more rows than X has samples; pair
          them with per-token targets, or with per-sample targets repeated by
          ``y[probe.sample_index(X)]``.

        Padding never enters a pooled value. A layer whose output has no
        token dimension (``pooler_output``, logits) is refused with a
        ValueError when pooling is set.

    Attributes
    ----------
    layers_ : list of str
        The probed layers, in order.
    n_units_ : dict
        Flattened width of each probed layer.
    batch_dims_ : dict
        For each layer, the batch dimension of each of its output tensors.
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
    (an LSTM, a transformer block): each tensor's batch dimension is found in
    ``fit`` (the dimension that follows the batch size), moved first, and
    the tensors are flattened and concatenated in order. A tensor without
    exactly one batch dimension, or a ``PackedSequence``, is refused with a
    ``ValueError``, as is a layer called more than once per forward pass.

    The model never sees the user's tensors: each batch is a copy, so a
    forward pass that works in place (``ReLU(inplace=True)`` on the input,
    ``x.mul_(2)``) leaves X as it was; captured activations are copied
    before later in-place operations can change them. Integer X (token ids)
    is passed as int64, floating X in the model's dtype.

    **Hugging Face transformers.** X may be a dict of per-sample tensors or
    arrays -- ``input_ids``, ``attention_mask``, ``token_type_ids``, or a
    tokenizer's ``BatchEncoding`` -- passed as ``model(**inputs)``: its rows
    are the first dimension of every array, sliced together in batches
    (values that are not arrays, such as ``return_dict=False``, go with every
    batch). Integer fields stay int64, boolean ones boolean, floating ones
    take the model's dtype. Name layers as modules (``"encoder.layer.0"``) or
    output fields (``"hidden_states"``), and choose a ``pooling``.

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
        "device": [None, str, object],
        "pooling": [None, StrOptions({"cls", "mean", "last", "tokens"})],
    }

    def __init__(self, model, layers="all", *, batch_size=256, device=None, pooling=None):
        self.model = model
        self.layers = layers
        self.batch_size = batch_size
        self.device = device
        self.pooling = pooling

    def fit(self, X, y=None):
        """Resolve the layers, their widths and batch dimensions (two short passes).

        The model runs on the first 2 and then 3 rows of X; the dimension of
        each output tensor that follows the batch size is its batch dimension
        (an LSTM's ``(h, c)`` carry it second, a ``batch_first=False``
        transformer's output too).

        Parameters
        ----------
        X : array-like, torch.Tensor (n_samples, ...), or dict of them
            Floating inputs are cast to the model's dtype; integer inputs
            (token ids) are passed as int64. A dict (``input_ids``,
            ``attention_mask``, ..., or a ``BatchEncoding``) is passed as
            ``model(**X)``, every array in it holding n_samples rows. Never
            modified.
        y : ignored

        Returns
        -------
        self : object

        Raises
        ------
        ValueError
            For an unknown layer (neither a module nor an output field), a
            bad ``device``, a layer called more than once per forward pass,
            an output without one batch dimension (a ``PackedSequence``,
            say), a dict X whose arrays differ in rows, or a ``pooling`` on
            a layer without a token dimension.
        TypeError
            If ``model`` is not a ``torch.nn.Module``, or X is sparse.
        """
        self._validate_params()
        from skmi._torch import resolve_device
        from skmi._torch.activations import (
            check_module,
            discover_batch_dims,
            expand_output_layers,
            resolve_probe_layers,
        )

        check_module(self.model)
        if self.device is not None:
            resolve_device(self.device)  # before the model or X is touched
        X = self._check_input(X, reset=True)
        layers = resolve_probe_layers(self.model, self.layers)
        self.layers_ = expand_output_layers(self.model, X, layers, self.device)
        self.batch_dims_ = discover_batch_dims(self.model, X, self.layers_, self.device)
        sample = self._activations(X[: min(len(X), 3)])
        self.n_units_ = {name: a.shape[1] for name, a in sample.items()}
        return self

    def transform(self, X):
        """Activations of the probed layers, flattened and concatenated.

        Parameters
        ----------
        X : array-like, torch.Tensor (n_samples, ...), or dict of them

        Returns
        -------
        activations : ndarray of shape (n_rows, sum of layer widths), float64
            n_rows is n_samples, or the number of real tokens with
            ``pooling="tokens"`` (see :meth:`sample_index`).
        """
        check_is_fitted(self)
        blocks = self.transform_layers(X)
        return np.concatenate([blocks[name] for name in self.layers_], axis=1)

    def transform_layers(self, X):
        """Activations per layer: ``{name: ndarray (n_samples, units)}``."""
        check_is_fitted(self)
        X = self._check_input(X, reset=False)
        return self._activations(X)

    def sample_index(self, X):
        """The sample (row of X) each row of :meth:`transform` comes from.

        ``arange(n_samples)``, except with ``pooling="tokens"``, where each
        sample appears once per real token: ``y[probe.sample_index(X)]``
        repeats per-sample targets to match the token rows.

        Parameters
        ----------
        X : array-like, torch.Tensor (n_samples, ...), or dict of them

        Returns
        -------
        index : ndarray of int, shape (n_rows,)
        """
        from skmi._torch.activations import token_mask

        check_is_fitted(self)
        X = self._check_input(X, reset=False)
        n = len(X)
        if self.pooling != "tokens":
            return np.arange(n)
        mask = token_mask(X)
        if mask is None:
            raise ValueError(
                "pooling='tokens' needs sequence input (n, seq, ...) or a dict with "
                "input_ids / attention_mask; X has no sequence dimension."
            )
        return np.repeat(np.arange(n), mask.sum(dim=1).numpy())

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

        return collect_activations(
            self.model,
            X,
            self.layers_,
            self.batch_dims_,
            self.batch_size,
            self.device,
            pooling=self.pooling,
        )

    def _check_input(self, X, reset):
        torch = require_torch()
        if issparse(X):
            raise TypeError(
                "LayerMIProbe does not accept sparse X: a torch model takes dense input "
                "(call X.toarray() first)."
            )
        if isinstance(X, Mapping):
            return self._check_dict_input(X, reset)
        if isinstance(X, torch.Tensor):
            if X.ndim < 1 or len(X) == 0:
                raise ValueError("X is empty: it needs at least one sample.")
            if (X.is_floating_point() or X.is_complex()) and not torch.isfinite(X).all():
                raise ValueError("X contains NaN or infinity.")
            self._check_tensor_width(X, reset)
            return X
        X = np.asarray(X) if not hasattr(X, "iloc") else X
        # "numeric" keeps integer token ids integer (a float cast breaks nn.Embedding)
        if getattr(X, "ndim", 2) == 2:
            return validate_data(self, X, reset=reset, dtype="numeric")
        return check_array(X, allow_nd=True, dtype="numeric", input_name="X")

    def _check_dict_input(self, X, reset):
        """A dict of per-sample inputs as :class:`~skmi._torch.activations.ModelInputs`."""
        torch = require_torch()
        from skmi._torch.activations import ModelInputs

        if reset and hasattr(self, "n_features_in_"):
            del self.n_features_in_  # from an earlier fit on other input
        rows = ModelInputs(X)
        if len(rows) == 0:
            raise ValueError("X is empty: it needs at least one sample.")
        for key, value in rows.fields.items():
            if isinstance(value, torch.Tensor):
                bad = (value.is_floating_point() or value.is_complex()) and not bool(
                    torch.isfinite(value).all()
                )
            else:
                bad = value.dtype.kind in "fc" and not np.isfinite(value).all()
            if bad:
                raise ValueError(f"X[{key!r}] contains NaN or infinity.")
        return rows

    def _check_tensor_width(self, X, reset):
        """``n_features_in_`` for a 2-D float tensor, as ``validate_data`` does for arrays.

        Integer tensors (token ids) are left alone: a sequence model may be
        called on sequences of another length than it was fitted on.
        """
        if X.ndim != 2 or not X.is_floating_point():
            if reset and hasattr(self, "n_features_in_"):
                del self.n_features_in_  # from an earlier fit on other input
            return
        if reset:
            self.n_features_in_ = int(X.shape[1])
        elif hasattr(self, "n_features_in_") and X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but LayerMIProbe is expecting "
                f"{self.n_features_in_} features as input."
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.requires_fit = True
        return tags
