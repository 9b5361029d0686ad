"""Jacobians of a layer's output with respect to the model input, per sample."""

import numpy as np

from skmi._torch import require_torch
from skmi._torch.activations import _to_tensor, borrowed, flatten_output, model_dtype


def input_jacobians(model, X, layer=None, batch_size=64, device=None):
    """d(layer output)/d(input) for every sample: float64 ndarray (n, d_out, d_in).

    In eval mode samples do not interact, so the gradient of the batch sum of
    output unit o with respect to the batch input holds row o of every
    sample's Jacobian: d_out backward passes per batch instead of one per
    sample and unit. ``layer`` (a name from ``model.named_modules()``)
    selects an intermediate output, captured by a forward hook that is
    always removed; None means the model's output.
    """
    torch = require_torch()
    modules = dict(model.named_modules())
    captured = []
    handle = None
    if layer is not None and layer != "":
        handle = modules[layer].register_forward_hook(
            lambda module, inputs, output: captured.append(output)
        )
    chunks = []
    try:
        with borrowed(model, device) as device:
            dtype = model_dtype(model)
            for start in range(0, len(X), batch_size):
                batch = _to_tensor(X[start : start + batch_size], dtype, device)
                batch.requires_grad_(True)
                captured.clear()
                out = model(batch)
                target = captured[0] if handle is not None else out
                tensors = flatten_output(target)
                T = tensors[0] if len(tensors) == 1 else torch.cat(tensors, dim=1)
                rows = []
                for o in range(T.shape[1]):
                    (grad,) = torch.autograd.grad(T[:, o].sum(), batch, retain_graph=True)
                    rows.append(grad.reshape(len(batch), -1))
                J = torch.stack(rows, dim=1)  # (b, d_out, d_in)
                chunks.append(J.detach().to("cpu", torch.float64).numpy())
    finally:
        if handle is not None:
            handle.remove()
    return np.concatenate(chunks, axis=0)
