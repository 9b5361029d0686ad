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
* every output tensor of a layer has its batch dimension found by running
  two batch sizes (an LSTM's ``(h, c)`` are (num_layers, batch, hidden), a
  ``batch_first=False`` transformer's output (seq, batch, d)); a tensor
  without exactly one batch dimension, or a ``PackedSequence``, is refused.

The model is never copied.
"""

import threading
import weakref
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
            tensor = getattr(module, kind).get(name)
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


def is_integer_input(X):
    """True for integer (not boolean) arrays and tensors: token ids and the like."""
    torch = require_torch()
    if isinstance(X, torch.Tensor):
        return not (X.is_floating_point() or X.is_complex() or X.dtype == torch.bool)
    return np.asarray(X[:0]).dtype.kind in "iu"


def to_model_input(batch, dtype, device):
    """A fresh tensor for the model: never the user's storage.

    Floating and boolean data are cast to the model's dtype; integers stay
    integers (as int64, the index type of ``nn.Embedding``).
    """
    torch = require_torch()
    integer = is_integer_input(batch)
    if isinstance(batch, torch.Tensor):
        target = torch.long if integer else dtype
        return batch.detach().to(device=device, dtype=target, copy=True)
    array = np.asarray(batch)
    if integer:
        return torch.tensor(array.astype(np.int64, copy=False), device=device)
    return torch.tensor(array, dtype=dtype, device=device)


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


def _run_and_record(model, batch, layers, on_output):
    """One forward pass; ``on_output(layer, output)`` for every call of each layer."""
    modules = dict(model.named_modules())
    calls = {layer: 0 for layer in layers}

    def make_hook(layer):
        def hook(module, inputs, output):
            calls[layer] += 1
            on_output(layer, output)

        return hook

    with hooks_removed_on_exit() as handles:
        for layer in layers:
            handles.append(modules[layer].register_forward_hook(make_hook(layer)))
        integer = is_integer_input(batch)
        try:
            result = model(batch)
        except (RuntimeError, TypeError) as error:
            if integer and _looks_like_dtype_error(error):
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

            _run_and_record(model, to_model_input(X[:size], dtype, run_device), layers, on_output)
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


def _single_sample_dim(shape, layer):
    for d, size in enumerate(shape):
        if size == 1:
            return d
    raise ValueError(
        f"Layer {layer!r} returns a tensor of shape {shape} for one sample, with no "
        "dimension of size 1 to hold the sample."
    )


def collect_activations(model, X, layers, batch_dims, batch_size, device=None):
    """{layer: float64 ndarray (n, units)} of the outputs of the named layers.

    Parameters
    ----------
    model : torch.nn.Module
    X : ndarray or torch.Tensor (n, ...) -- the model's input, never modified
    layers : list of names from ``model.named_modules()``
    batch_dims : dict -- from :func:`discover_batch_dims`
    batch_size : int
    device : None or device -- None keeps the model where it is
    """
    torch = require_torch()
    store = {name: [] for name in layers}
    with borrowed(model, device) as run_device, torch.no_grad():
        dtype = model_dtype(model)
        for start in range(0, len(X), batch_size):
            batch = to_model_input(X[start : start + batch_size], dtype, run_device)
            n = len(batch)

            def on_output(layer, output, n=n):
                tensors = output_tensors(output, layer)
                joined = per_sample_rows(tensors, batch_dims[layer], n, layer)
                # copy now: a later in-place operation (ReLU(inplace=True)) would
                # otherwise change what was recorded
                store[layer].append(
                    joined.detach().to("cpu", dtype=torch.float64, copy=True).numpy()
                )

            _run_and_record(model, batch, layers, on_output)
    return {name: np.concatenate(store[name], axis=0) for name in layers}
