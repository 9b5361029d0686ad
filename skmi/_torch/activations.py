"""Running a user's torch model safely: borrowing it, feeding it, reading its layers.

The contract every probe relies on:

* the requested device is checked (:func:`skmi._torch.resolve_device`)
  *before* the model is touched;
* one borrowing of a model at a time: calls from several threads on one
  model are serialised by a lock per model (kept outside the model, so its
  ``state_dict`` and pickling are untouched); otherwise one thread's
  restore of training mode lets another run its forward pass in train mode
  (BatchNorm statistics updated) and leaves the model in eval mode;
* the model runs in eval mode, switched by the modules' own ``train()`` /
  ``eval()`` (a module whose ``train()`` does more than set a flag is
  switched completely); afterwards -- also when an exception is
  raised, and also when moving it failed half way -- every sub-module is
  back in its own training mode and every parameter, gradient and buffer on
  the device it came from (restored tensor by tensor, so a model spread
  over several devices stays spread); every hook skmi added is removed;
* the model receives a *copy* of the user's data (a forward pass that
  modifies its input in place never reaches the user's tensor); floating
  inputs are cast to the model's dtype, integer inputs stay integer (token
  ids for ``nn.Embedding`` / transformers);
* activations captured by hooks are copied at once, before later in-place
  operations of the forward pass can change them;
* a dict of per-sample tensors (``input_ids``, ``attention_mask``, ... or
  a ``transformers.BatchEncoding``) is a batch of rows too
  (:class:`ModelInputs`): every array in it is sliced along its first
  dimension together, and the model is called as ``model(**inputs)``; other
  values (flags such as ``return_dict``) are passed through unchanged;
* a layer is a module name, or a field of the model's output
  (``"last_hidden_state"``, ``"hidden_states.2"``, see
  :func:`expand_output_layers`);
* every output tensor of a layer has its batch dimension found by running
  two batch sizes (an LSTM's ``(h, c)`` are (num_layers, batch, hidden), a
  ``batch_first=False`` transformer's output (seq, batch, d)); a tensor
  without exactly one batch dimension, or a ``PackedSequence``, is refused.

The model is never copied.
"""

import threading
import weakref
from collections.abc import Mapping
from contextlib import contextmanager

import numpy as np

from skmi._torch import require_torch, resolve_device


def check_module(model):
    """TypeError unless ``model`` is a ``torch.nn.Module``."""
    torch = require_torch()
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module; got {type(model).__name__}.")


def leaf_names(model):
    """Names of the modules without children (the "all" layer selection)."""
    return [name for name, m in model.named_modules() if name and not list(m.children())]


def resolve_layers(model, layers, name="layers"):
    """The list of layer names to probe; a ValueError lists the valid ones."""
    if isinstance(layers, str):
        layers = leaf_names(model) if layers == "all" else [layers]
    layers = list(layers)
    if not layers:
        raise ValueError(f"{name} is empty: name at least one layer of the model.")
    bad = [layer for layer in layers if not isinstance(layer, str)]
    if bad:
        raise TypeError(f"{name} must hold module names (strings); got {bad!r}.")
    valid = dict(model.named_modules())
    unknown = [layer for layer in layers if layer not in valid]
    if unknown:
        listing = ", ".join(repr(n) for n in valid if n) or "(the model has no sub-modules)"
        raise ValueError(
            f"Unknown layer(s) {unknown} in {name}. Valid names (from "
            f"model.named_modules()): {listing}."
        )
    return layers


def resolve_probe_layers(model, layers, name="layers"):
    """Layer names for :class:`~skmi.LayerMIProbe`: module names or output fields.

    A name that is not in ``model.named_modules()`` is kept as a field of the
    model's output (checked by :func:`expand_output_layers`, which needs a
    forward pass); a ValueError is raised there if it is neither.
    """
    if isinstance(layers, str):
        layers = leaf_names(model) if layers == "all" else [layers]
    layers = list(layers)
    if not layers:
        raise ValueError(f"{name} is empty: name at least one layer of the model.")
    bad = [layer for layer in layers if not isinstance(layer, str)]
    if bad:
        raise TypeError(f"{name} must hold module names (strings); got {bad!r}.")
    return layers


def output_call_kwargs(fields, batch):
    """Keyword flags a transformers model needs to return the requested fields."""
    kwargs = {}
    roots = {field.split(".", 1)[0] for field in fields}
    given = batch.data if isinstance(batch, ModelInputs) else {}
    flags = (("hidden_states", "output_hidden_states"), ("attentions", "output_attentions"))
    for root, flag in flags:
        if root in roots and flag not in given:
            kwargs[flag] = True
    return kwargs


def _parse_field(name):
    """``"hidden_states.2"`` -> ("hidden_states", 2); ``"logits"`` -> ("logits", None)."""
    root, _, index = name.partition(".")
    if index:
        try:
            return root, int(index)
        except ValueError:
            return name, None
    return root, None


def output_field(result, name):
    """The value of output field ``name`` ("field" or "field.index") of a model output."""
    root, index = _parse_field(name)
    value = result[root]
    return value if index is None else value[index]


def _field_listing(result):
    if not isinstance(result, Mapping):
        return f"(the model returns a {type(result).__name__}, which has no named fields)"
    names = []
    for key, value in result.items():
        if isinstance(value, (tuple, list)):
            names.append(f"{key!r} (or {key}.0 ... {key}.{len(value) - 1})")
        elif value is not None:
            names.append(repr(key))
    return ", ".join(names) or "(none)"


def expand_output_layers(model, X, layers, device=None):
    """Module names kept; output fields checked and expanded, in order.

    The model runs once on the first row of X (borrowed, without gradients)
    if any name is not a module. A field of the output (a ``ModelOutput`` or
    dict) is named by its key (``"last_hidden_state"``, ``"logits"``); an
    entry of a tuple-valued field by ``"key.index"`` (``"hidden_states.0"``
    is the embeddings' output, ``"hidden_states.k"`` the output of block k);
    a tuple-valued key alone stands for all its entries. ``hidden_states``
    and ``attentions`` are requested from the model with
    ``output_hidden_states=True`` / ``output_attentions=True``.
    """
    torch = require_torch()
    modules = dict(model.named_modules())
    fields = [layer for layer in layers if layer not in modules]
    if not fields:
        return list(layers)
    with borrowed(model, device) as run_device, torch.no_grad():
        batch = to_model_input(X[:1], model_dtype(model), run_device)
        result = call_model(model, batch, output_call_kwargs(fields, X))
    expanded, unknown = [], []
    for layer in layers:
        if layer in modules:
            expanded.append(layer)
            continue
        root, index = _parse_field(layer)
        value = result.get(root) if isinstance(result, Mapping) else None
        if value is not None and index is None and isinstance(value, (tuple, list)):
            expanded.extend(f"{root}.{k}" for k in range(len(value)))
            continue
        ok = value is not None and (
            (index is None and isinstance(value, torch.Tensor))
            or (
                index is not None
                and isinstance(value, (tuple, list))
                and -len(value) <= index < len(value)
            )
        )
        if not ok:
            unknown.append(layer)
            continue
        if index is not None and index < 0:
            layer = f"{root}.{index % len(value)}"
        expanded.append(layer)
    if unknown:
        names = [repr(n) for n in modules if n]
        listing = ", ".join(names[:40]) or "(the model has no sub-modules)"
        if len(names) > 40:
            listing += f", ... ({len(names) - 40} more)"
        fields_known = _field_listing(result)
        if hasattr(model, "config") and isinstance(result, Mapping):
            # a transformers model returns these only when asked, which skmi does
            fields_known += ", 'hidden_states.k' and 'attentions.k' when named"
        raise ValueError(
            f"Unknown layer(s) {unknown} in layers: neither module names (from "
            f"model.named_modules(): {listing}) nor fields of the model's output "
            f"({fields_known})."
        )
    duplicates = sorted({name for name in expanded if expanded.count(name) > 1})
    if duplicates:
        raise ValueError(f"layers names {duplicates} more than once.")
    return expanded


def model_device(model):
    """The device of the model's first parameter or buffer (CPU if it has none)."""
    torch = require_torch()
    for tensor in list(model.parameters()) + list(model.buffers()):
        return tensor.device
    return torch.device("cpu")


def model_dtype(model):
    """The floating dtype of the model's first floating parameter (float32 if none)."""
    torch = require_torch()
    for tensor in list(model.parameters()) + list(model.buffers()):
        if tensor.is_floating_point():
            return tensor.dtype
    return torch.float32


# ---------------------------------------------------------------------------
# borrowing the model
# ---------------------------------------------------------------------------


def _placement(model):
    """Where every parameter, gradient and buffer lives, module by module."""
    places = []
    for module in model.modules():
        for name, p in module._parameters.items():
            if p is not None:
                grad = None if p.grad is None else p.grad.device
                places.append((module, "_parameters", name, p.device, grad))
        for name, b in module._buffers.items():
            if b is not None:
                places.append((module, "_buffers", name, b.device, None))
    return places


def _restore_placement(places):
    torch = require_torch()
    with torch.no_grad():
        for module, kind, name, device, grad_device in places:
            # a scripted module's parameters are an OrderedDictWrapper: no .get
            held = getattr(module, kind)
            tensor = held[name] if name in held else None
            if tensor is None:
                continue
            if kind == "_buffers":
                if tensor.device != device:
                    module._buffers[name] = tensor.to(device)
                continue
            if tensor.device != device:
                tensor.data = tensor.data.to(device)
            if grad_device is not None and tensor.grad is not None:
                if tensor.grad.device != grad_device:
                    tensor.grad = tensor.grad.to(grad_device)


def _forward_hook(module, layer, hook):
    """``module.register_forward_hook(hook)``, with a clear error for a scripted module."""
    torch = require_torch()
    if isinstance(module, torch.jit.ScriptModule):
        raise TypeError(
            f"layer {layer!r} is a torch.jit.script module, which takes no forward hooks, so "
            "its activations cannot be read; probe the eager model you scripted (the same "
            "weights) instead."
        )
    return module.register_forward_hook(hook)


_MODEL_LOCKS = weakref.WeakKeyDictionary()
_MODEL_LOCKS_GUARD = threading.Lock()


def model_lock(model):
    """The re-entrant lock that serialises skmi's borrowings of ``model``."""
    with _MODEL_LOCKS_GUARD:
        lock = _MODEL_LOCKS.get(model)
        if lock is None:
            lock = _MODEL_LOCKS[model] = threading.RLock()
        return lock


def set_modes(model, modes):
    """Put every module back in its recorded training mode, by its own ``train()``.

    ``modes`` is ``[(module, training), ...]`` in ``model.modules()`` order
    (parents first). ``train(mode)`` recurses into the children, so the root
    is switched first and then each module whose flag still differs, parents
    before children; a module whose ``train()`` does not set its flag has it
    set last, so every flag ends exactly as recorded.
    """
    if not modes:
        return
    root, root_mode = modes[0]
    root.train(root_mode)
    for module, mode in modes:
        if module.training != mode:
            module.train(mode)
    for module, mode in modes:
        if module.training != mode:
            module.training = mode


@contextmanager
def borrowed(model, device=None):
    """Run ``model`` in eval mode (on ``device``), then restore it exactly.

    ``device`` is checked before anything is touched; None runs the model
    where it is. Yields the device inputs must go to. One borrowing of a
    model runs at a time (a lock per model). Training modes are switched by
    the modules' own ``train()``/``eval()`` and restored module by module (a
    user may have frozen some sub-modules in eval mode) *before* placement,
    so a failing move back cannot leave the modes changed; placement is
    restored tensor by tensor, so a move that failed half way is undone too.
    """
    target = None if device is None else resolve_device(device)
    check_module(model)
    with model_lock(model):
        modes = [(m, m.training) for m in model.modules()]
        places = _placement(model)
        try:
            if target is not None and any(p[3] != target for p in places):
                model.to(target)
            model.eval()
            yield target if target is not None else model_device(model)
        finally:
            try:
                set_modes(model, modes)
            finally:
                _restore_placement(places)


@contextmanager
def hooks_removed_on_exit():
    """A list to append hook handles to; all are removed on exit."""
    handles = []
    try:
        yield handles
    finally:
        for handle in handles:
            handle.remove()


# ---------------------------------------------------------------------------
# feeding the model
# ---------------------------------------------------------------------------


class ModelInputs:
    """The rows of a dict of per-sample arrays (a tokenised batch), sliced together.

    Every tensor or array in ``data`` (and every list, read as an array) is a
    field of the rows: its first dimension is the sample. Other values (None,
    flags, strings) are passed to the model unchanged with every batch. The
    user's tensors are held, not copied (:func:`to_model_input` copies).
    """

    def __init__(self, data, name="X"):
        torch = require_torch()
        if isinstance(data, ModelInputs):
            data = data.data
        fields, extras = {}, {}
        for key, value in dict(data).items():
            if not isinstance(key, str):
                raise TypeError(f"{name} keys must be argument names (str); got {key!r}.")
            if isinstance(value, (list, tuple)):
                value = np.asarray(value)
                if value.dtype == object:
                    raise ValueError(
                        f"{name}[{key!r}] is ragged (sequences of different lengths): pad "
                        "it (a tokenizer's padding=True) or pass tensors."
                    )
            if isinstance(value, (torch.Tensor, np.ndarray)) and value.ndim >= 1:
                fields[key] = value
            else:
                extras[key] = value
        if not fields:
            raise ValueError(
                f"{name} is a dict without arrays or tensors: it needs per-sample inputs "
                "such as input_ids."
            )
        lengths = {key: len(value) for key, value in fields.items()}
        if len(set(lengths.values())) != 1:
            raise ValueError(
                f"The arrays in {name} have different numbers of rows (first dimension): "
                f"{lengths}; each row is one sample, so they must match."
            )
        self.fields = fields
        self.extras = extras

    @property
    def data(self):
        return {**self.fields, **self.extras}

    def __len__(self):
        return len(next(iter(self.fields.values())))

    def __getitem__(self, index):
        torch = require_torch()
        out = ModelInputs.__new__(ModelInputs)
        out.fields = {}
        for key, value in self.fields.items():
            if isinstance(value, torch.Tensor) and not isinstance(index, slice):
                out.fields[key] = value[torch.as_tensor(np.asarray(index), device=value.device)]
            else:
                out.fields[key] = value[index]
        out.extras = dict(self.extras)
        return out

    def token_mask(self):
        """(n, seq) boolean CPU tensor: ``attention_mask != 0``, or all True.

        Without an attention mask the sequence length is that of
        ``input_ids``, else of ``inputs_embeds``, else of the first field
        that is a sequence (see :func:`token_mask`); None if there is none.
        """
        torch = require_torch()
        mask = self.fields.get("attention_mask")
        if mask is not None:
            if not isinstance(mask, torch.Tensor):
                mask = torch.as_tensor(np.asarray(mask))
            return mask.detach().to("cpu") != 0
        for key in ("input_ids", "inputs_embeds", *self.fields):
            value = self.fields.get(key)
            if value is not None:
                found = token_mask(value)
                if found is not None:
                    return found
        return None


def token_mask(X):
    """The (n, seq) boolean mask of real tokens of a batch, or None without a sequence.

    A dict's ``attention_mask``; otherwise every position of a sequence
    input counts: integer (token ids) of shape (n, seq, ...), or floating of
    shape (n, seq, features, ...). A 2-D floating X is (samples, features):
    no sequence.
    """
    torch = require_torch()
    if isinstance(X, ModelInputs):
        return X.token_mask()
    shape = tuple(X.shape)
    if len(shape) < (2 if _is_integer_dtype(X) else 3):
        return None
    return torch.ones(shape[:2], dtype=torch.bool)


def as_model_rows(X, name="X"):
    """X as something row-indexable with ``len``: a dict becomes :class:`ModelInputs`."""
    if isinstance(X, Mapping) and not isinstance(X, ModelInputs):
        return ModelInputs(X, name)
    return X


def n_input_rows(X):
    """The number of samples in X: its length, or the rows of a dict of inputs."""
    return len(as_model_rows(X))


def _is_integer_dtype(x):
    torch = require_torch()
    if isinstance(x, torch.Tensor):
        return not (x.is_floating_point() or x.is_complex() or x.dtype == torch.bool)
    return np.asarray(x[:0]).dtype.kind in "iu"


def is_integer_input(X):
    """True for integer (not boolean) arrays and tensors: token ids and the like.

    For a dict of inputs: True when any of its arrays is integer.
    """
    if isinstance(X, Mapping):
        X = ModelInputs(X)
    if isinstance(X, ModelInputs):
        return any(_is_integer_dtype(value) for value in X.fields.values())
    return _is_integer_dtype(X)


def _tensor_for_model(value, dtype, device, keep_bool=False):
    torch = require_torch()
    if isinstance(value, torch.Tensor):
        if keep_bool and value.dtype == torch.bool:
            target = torch.bool
        else:
            target = torch.long if _is_integer_dtype(value) else dtype
        return value.detach().to(device=device, dtype=target, copy=True)
    array = np.asarray(value)
    if keep_bool and array.dtype == bool:
        return torch.tensor(array, device=device)
    if array.dtype.kind in "iu":
        return torch.tensor(array.astype(np.int64, copy=False), device=device)
    return torch.tensor(array, dtype=dtype, device=device)


def to_model_input(batch, dtype, device):
    """A fresh tensor for the model: never the user's storage.

    Floating and boolean data are cast to the model's dtype; integers stay
    integers (as int64, the index type of ``nn.Embedding``). A
    :class:`ModelInputs` batch gives a dict of such tensors (boolean masks
    stay boolean) with its other values passed unchanged.
    """
    if isinstance(batch, ModelInputs):
        out = {
            key: _tensor_for_model(value, dtype, device, keep_bool=True)
            for key, value in batch.fields.items()
        }
        out.update(batch.extras)
        return out
    return _tensor_for_model(batch, dtype, device)


def call_model(model, batch, kwargs=None):
    """``model(**batch, **kwargs)`` for a dict batch, ``model(batch, **kwargs)`` otherwise."""
    kwargs = kwargs or {}
    if isinstance(batch, dict):
        return model(**batch, **kwargs)
    return model(batch, **kwargs)


def integer_input_error(error):
    """A TypeError that says why an integer X reached a float model unchanged."""
    return TypeError(
        "X holds integers, which skmi passes to the model unchanged (token ids for "
        "nn.Embedding and transformers); this model failed on them: "
        f"{error}. If the integers are feature values, pass X as floats "
        "(X.astype(np.float32))."
    )


# ---------------------------------------------------------------------------
# reading module outputs
# ---------------------------------------------------------------------------


def output_tensors(output, layer):
    """The tensors of a module output (tensor, tuple, list, dict), in order.

    A ``PackedSequence`` is refused: its rows are time steps of sequences of
    different lengths, not samples.
    """
    torch = require_torch()
    if isinstance(output, torch.nn.utils.rnn.PackedSequence):
        raise ValueError(
            f"Layer {layer!r} returns a PackedSequence, whose rows are the time steps of "
            "variable-length sequences, not samples, so it has no per-sample activations. "
            "Probe a module that returns per-sample tensors (for an LSTM fed packed "
            "sequences: a small wrapper module that returns its final (h, c))."
        )
    if isinstance(output, torch.Tensor):
        return [output]
    if isinstance(output, dict):
        output = list(output.values())
    if isinstance(output, (tuple, list)):
        flat = []
        for item in output:
            flat.extend(output_tensors(item, layer))
        return flat
    return []  # None and other non-tensor outputs carry no activations


def find_batch_dims(small, large, n_small, n_large, layer):
    """The batch dimension of every output tensor, from two batch sizes.

    ``small`` and ``large`` are the output shapes of ``layer`` for batches of
    ``n_small`` and ``n_large`` samples. The batch dimension is the one
    dimension whose size follows the batch; any other pattern is refused.
    """
    if len(small) != len(large):
        raise ValueError(
            f"Layer {layer!r} returns {len(small)} tensors for a batch of {n_small} samples "
            f"and {len(large)} for {n_large}: its output structure depends on the batch."
        )
    dims = []
    for k, (a, b) in enumerate(zip(small, large, strict=True)):
        changed = [d for d in range(len(a)) if a[d] != b[d]] if len(a) == len(b) else [None, None]
        if len(changed) != 1 or a[changed[0]] != n_small or b[changed[0]] != n_large:
            raise ValueError(
                f"Output tensor {k} of layer {layer!r} has shape {tuple(a)} for a batch of "
                f"{n_small} samples and {tuple(b)} for {n_large}: it has no single batch "
                "dimension, so its rows cannot be matched to samples. Probe a sub-module "
                "that returns per-sample tensors."
            )
        dims.append(changed[0])
    return dims


def per_sample_rows(tensors, dims, n, layer):
    """Each tensor with its batch dimension first, flattened to (n, -1), joined."""
    torch = require_torch()
    rows = []
    for k, (tensor, dim) in enumerate(zip(tensors, dims, strict=True)):
        if tensor.ndim <= dim or tensor.shape[dim] != n:
            raise ValueError(
                f"Output tensor {k} of layer {layer!r} has shape {tuple(tensor.shape)}, "
                f"expected {n} samples along dimension {dim}."
            )
        rows.append(tensor.movedim(dim, 0).reshape(n, -1))
    return rows[0] if len(rows) == 1 else torch.cat(rows, dim=1)


POOLINGS = ("cls", "mean", "last", "tokens")


def pool_tokens(tensor, mask, pooling, layer):
    """Token-level activations (n, seq, ...) pooled by ``mask`` (n, seq) into rows.

    ``tensor`` has its batch dimension first and is float64 on the CPU.

    * ``"cls"``: the first real token (position 0 with right padding, where
      BERT-style tokenisers put ``[CLS]``);
    * ``"last"``: the last real token (what a causal model such as GPT-2 has
      read the whole sequence at);
    * ``"mean"``: the mean over the real tokens;
    * ``"tokens"``: one row per real token, sample by sample, in order.

    Padding (mask 0) never enters a value: it is selected away, not weighted.
    """
    torch = require_torch()
    if mask is None:
        raise ValueError(
            f"pooling={pooling!r} needs sequence input (n, seq, ...) or a dict with "
            "input_ids / attention_mask; X has no sequence dimension."
        )
    n, length = mask.shape
    if tensor.ndim < 3 or tensor.shape[1] != length:
        raise ValueError(
            f"Layer {layer!r} gives activations of shape {tuple(tensor.shape)} (batch first), "
            f"not one vector per token (n, {length}, ...), so pooling={pooling!r} does not "
            "apply to it. Probe token-level layers (hidden states, blocks), or use "
            "pooling=None for per-sample outputs (pooler_output, logits)."
        )
    tokens = tensor.reshape(n, length, -1)
    if pooling == "tokens":
        return tokens[mask]
    counts = mask.sum(dim=1)
    empty = torch.nonzero(counts == 0).flatten().tolist()
    if empty:
        raise ValueError(
            f"Sample(s) {empty[:10]} of the batch have no real token (attention_mask all "
            f"0), so pooling={pooling!r} has nothing to pool."
        )
    if pooling == "mean":
        kept = torch.where(mask[:, :, None], tokens, torch.zeros((), dtype=tokens.dtype))
        return kept.sum(dim=1) / counts[:, None].to(tokens.dtype)
    positions = torch.arange(length)
    if pooling == "cls":
        index = torch.where(mask, positions, length).min(dim=1).values
    else:  # "last"
        index = torch.where(mask, positions, -1).max(dim=1).values
    return tokens[torch.arange(n), index]


def _run_and_record(model, batch, layers, on_output, kwargs=None):
    """One forward pass; ``on_output(layer, output)`` for every call of each layer.

    Names that are not modules are fields of the model's output (see
    :func:`expand_output_layers`), read from it after the pass.
    """
    modules = dict(model.named_modules())
    hooked = [layer for layer in layers if layer in modules]
    fields = [layer for layer in layers if layer not in modules]
    calls = {layer: 0 for layer in hooked}

    def make_hook(layer):
        def hook(module, inputs, output):
            calls[layer] += 1
            on_output(layer, output)

        return hook

    with hooks_removed_on_exit() as handles:
        for layer in hooked:
            handles.append(_forward_hook(modules[layer], layer, make_hook(layer)))
        integer = is_integer_input(batch)
        try:
            result = call_model(model, batch, kwargs)
        except (RuntimeError, TypeError) as error:
            if integer and not isinstance(batch, dict) and _looks_like_dtype_error(error):
                raise integer_input_error(error) from error
            raise
    for layer, count in calls.items():
        if count == 0:
            raise ValueError(
                f"Layer {layer!r} was not called when the model ran on X (is it used in "
                "the model's forward pass?)."
            )
        if count > 1:
            raise ValueError(
                f"Layer {layer!r} is called {count} times per forward pass, so its "
                "activations are ambiguous; probe one of its uses (a module called once)."
            )
    for field in fields:
        on_output(field, output_field(result, field))
    return result


def _looks_like_dtype_error(error):
    text = str(error)
    return any(word in text for word in ("dtype", "Float", "Double", "Long", "scalar type"))


def discover_batch_dims(model, X, layers, device=None):
    """{layer: [batch dimension of each output tensor]} from two batch sizes.

    Runs the model (borrowed, without gradients) on the first 2 and 3 rows of
    X -- or, with fewer rows, on what there is, taking the first dimension of
    size 1 as the batch dimension of a single sample.
    """
    torch = require_torch()
    sizes = (2, 3) if len(X) >= 3 else ((1, 2) if len(X) == 2 else (1,))
    shapes = []
    with borrowed(model, device) as run_device, torch.no_grad():
        dtype = model_dtype(model)
        for size in sizes:
            found = {}

            def on_output(layer, output, found=found):
                found[layer] = [tuple(t.shape) for t in output_tensors(output, layer)]

            batch = X[:size]
            _run_and_record(
                model,
                to_model_input(batch, dtype, run_device),
                layers,
                on_output,
                output_call_kwargs(_fields(model, layers), batch),
            )
            shapes.append(found)
    dims = {}
    for layer in layers:
        if not shapes[0][layer]:
            raise ValueError(f"Layer {layer!r} produced no tensor output when the model ran on X.")
        if len(sizes) == 2:
            dims[layer] = find_batch_dims(
                shapes[0][layer], shapes[1][layer], sizes[0], sizes[1], layer
            )
        else:
            dims[layer] = [_single_sample_dim(shape, layer) for shape in shapes[0][layer]]
    return dims


def _fields(model, layers):
    modules = dict(model.named_modules())
    return [layer for layer in layers if layer not in modules]


def _single_sample_dim(shape, layer):
    for d, size in enumerate(shape):
        if size == 1:
            return d
    raise ValueError(
        f"Layer {layer!r} returns a tensor of shape {shape} for one sample, with no "
        "dimension of size 1 to hold the sample."
    )


def collect_activations(model, X, layers, batch_dims, batch_size, device=None, pooling=None):
    """{layer: float64 ndarray (n, units)} of the outputs of the named layers.

    Parameters
    ----------
    model : torch.nn.Module
    X : ndarray, torch.Tensor or ModelInputs (n, ...) -- the model's input,
        never modified
    layers : list of module names or output fields (:func:`expand_output_layers`)
    batch_dims : dict -- from :func:`discover_batch_dims`
    batch_size : int
    device : None or device -- None keeps the model where it is
    pooling : None or one of :data:`POOLINGS`
        None flattens every output tensor of a layer; otherwise the layer's
        first output tensor (the hidden states of a transformer block that
        returns a tuple or ``ModelOutput``) is read as (n, seq, ...) and
        pooled over its real tokens (:func:`pool_tokens`); with
        ``"tokens"`` the arrays have one row per real token.
    """
    torch = require_torch()
    store = {name: [] for name in layers}
    kwargs_fields = _fields(model, layers)
    with borrowed(model, device) as run_device, torch.no_grad():
        dtype = model_dtype(model)
        for start in range(0, len(X), batch_size):
            rows = X[start : start + batch_size]
            batch = to_model_input(rows, dtype, run_device)
            n = len(rows)
            mask = None if pooling is None else token_mask(rows)

            def on_output(layer, output, n=n, mask=mask):
                tensors = output_tensors(output, layer)
                dims = batch_dims[layer]
                if pooling is not None:
                    # a block's tuple / ModelOutput: its first tensor is the hidden states
                    tensors, dims = tensors[:1], dims[:1]
                    if not tensors or tensors[0].ndim <= dims[0] or tensors[0].shape[dims[0]] != n:
                        per_sample_rows(tensors, dims, n, layer)  # raises the shape error
                    # copy now: a later in-place operation (ReLU(inplace=True)) would
                    # otherwise change what was recorded
                    tokens = tensors[0].movedim(dims[0], 0).detach()
                    tokens = tokens.to("cpu", dtype=torch.float64, copy=True)
                    store[layer].append(pool_tokens(tokens, mask, pooling, layer).numpy())
                    return
                joined = per_sample_rows(tensors, dims, n, layer)
                # copy now: a later in-place operation (ReLU(inplace=True)) would
                # otherwise change what was recorded
                store[layer].append(
                    joined.detach().to("cpu", dtype=torch.float64, copy=True).numpy()
                )

            _run_and_record(
                model, batch, layers, on_output, output_call_kwargs(kwargs_fields, rows)
            )
    return {name: np.concatenate(store[name], axis=0) for name in layers}
