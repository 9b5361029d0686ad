"""Activations of named layers of a torch model, collected through hooks.

The contract: the model is run under ``torch.no_grad()`` in eval mode, in
batches, on its own device (or a requested one); afterwards -- also when an
exception is raised -- it is back in its original training mode and on its
original device, and every hook is removed. The model is never copied.
"""

from contextlib import contextmanager

import numpy as np

from skmi._torch import require_torch, resolve_device


def module_names(model):
    """Names of all sub-modules, as ``model.named_modules()`` gives them."""
    return [name for name, _ in model.named_modules()]


def leaf_names(model):
    """Names of the modules without children (the "all" layer selection)."""
    return [name for name, m in model.named_modules() if name and not list(m.children())]


def resolve_layers(model, layers):
    """The list of layer names to probe; a ValueError lists the valid ones."""
    if isinstance(layers, str):
        layers = leaf_names(model) if layers == "all" else [layers]
    layers = list(layers)
    if not layers:
        raise ValueError("layers is empty: name at least one layer of the model.")
    valid = dict(model.named_modules())
    unknown = [name for name in layers if name not in valid]
    if unknown:
        listing = ", ".join(repr(n) for n in valid if n) or "(the model has no sub-modules)"
        raise ValueError(
            f"Unknown layer(s) {unknown}. Valid names (from model.named_modules()): {listing}."
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


@contextmanager
def borrowed(model, device=None):
    """Run ``model`` in eval mode (on ``device``), then restore it exactly.

    Yields the device the model runs on. Training mode is restored module by
    module (a user may have frozen some sub-modules in eval mode).
    """
    modes = [(m, m.training) for m in model.modules()]
    home = model_device(model)
    target = home if device is None else resolve_device(device)
    try:
        if target != home:
            model.to(target)
        model.eval()
        yield target
    finally:
        if target != home:
            model.to(home)
        for module, mode in modes:
            module.training = mode


def flatten_output(output):
    """All tensors in a module output (tensor, tuple, list, dict), as (n, -1) each."""
    torch = require_torch()
    if isinstance(output, torch.Tensor):
        return [output.reshape(output.shape[0], -1)]
    if isinstance(output, dict):
        output = list(output.values())
    if isinstance(output, (tuple, list)):
        flat = []
        for item in output:
            flat.extend(flatten_output(item))
        return flat
    return []  # None and other non-tensor outputs carry no activations


def collect_activations(model, X, layers, batch_size, device=None):
    """{layer: float64 ndarray (n, units)} of the outputs of the named layers.

    Parameters
    ----------
    model : torch.nn.Module
    X : ndarray or torch.Tensor (n, ...) -- the model's input
    layers : list of names from ``model.named_modules()``
    batch_size : int
    device : None or device -- None keeps the model where it is
    """
    torch = require_torch()
    modules = dict(model.named_modules())
    store = {name: [] for name in layers}
    handles = []
    try:
        for name in layers:
            handles.append(modules[name].register_forward_hook(_recorder(store[name])))
        with borrowed(model, device) as run_device, torch.no_grad():
            dtype = model_dtype(model)
            for start in range(0, len(X), batch_size):
                batch = _to_tensor(X[start : start + batch_size], dtype, run_device)
                model(batch)
    finally:
        for handle in handles:
            handle.remove()
    out = {}
    for name in layers:
        if not store[name]:
            raise ValueError(
                f"Layer {name!r} produced no tensor output when the model ran on X "
                "(is it used in the model's forward pass?)."
            )
        out[name] = np.concatenate(store[name], axis=0)
    return out


def _recorder(chunks):
    def hook(module, inputs, output):
        tensors = flatten_output(output)
        if tensors:
            joined = tensors[0] if len(tensors) == 1 else require_torch().cat(tensors, dim=1)
            chunks.append(joined.detach().to("cpu", dtype=require_torch().float64).numpy())

    return hook


def _to_tensor(batch, dtype, device):
    torch = require_torch()
    if isinstance(batch, torch.Tensor):
        return batch.to(device=device, dtype=dtype)
    return torch.tensor(np.asarray(batch), dtype=dtype, device=device)
