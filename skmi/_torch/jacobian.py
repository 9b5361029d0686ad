"""Jacobians of a layer's output with respect to the model input, per sample."""

import numpy as np

from skmi._torch import require_torch
from skmi._torch.activations import (
    _run_and_record,
    borrowed,
    discover_batch_dims,
    is_integer_input,
    model_dtype,
    output_tensors,
    per_sample_rows,
    to_model_input,
)
from skmi._torch.ntk import ntk_plan


def input_jacobians(model, X, layer=None, batch_size=64, device=None):
    """d(layer output)/d(input) for every sample: float64 ndarray (n, d_out, d_in).

    In eval mode samples do not interact, so the gradient of the batch sum of
    output unit o with respect to the batch input holds row o of every
    sample's Jacobian: d_out backward passes per batch instead of one per
    sample and unit. ``layer`` (a name from ``model.named_modules()``)
    selects an intermediate output, captured by a forward hook that is
    always removed; None means the model's output. The layer's output
    tensors are matched to samples by their batch dimension (found from two
    batch sizes, as for :class:`~skmi.LayerMIProbe`); a layer called more
    than once per forward pass is refused.

    Before anything of size n is allocated, the peak -- the float64 result
    plus one batch's intermediates (the gradient rows, their stack, the
    float64 copy) -- is checked against ``memory_budget``, and ``batch_size``
    shrinks to fit (as for the NTK, :func:`~skmi._torch.ntk.ntk_plan`). The
    result is filled in place, batch by batch.
    """
    torch = require_torch()
    if is_integer_input(X):
        raise TypeError(
            "X holds integers: a Jacobian with respect to integer inputs (token ids) is "
            "not defined. Give floating inputs, or differentiate from an embedding."
        )
    layer = "" if layer is None else layer
    dims = discover_batch_dims(model, X, [layer], device)[layer]
    sample = _first_rows(model, X, layer, dims, device)
    d_in = int(np.prod(X.shape[1:]))
    dtype = model_dtype(model)
    batch_size = ntk_plan(
        len(X),
        sample,
        d_in,
        torch.empty((), dtype=dtype).element_size(),
        batch_size,
        what=f"The Jacobians of {len(X)} samples ({sample} outputs x {d_in} inputs)",
    )
    result = np.empty((len(X), sample, d_in))
    captured = []
    with borrowed(model, device) as run_device:
        for start in range(0, len(X), batch_size):
            batch = to_model_input(X[start : start + batch_size], dtype, run_device)
            batch.requires_grad_(True)
            captured.clear()
            n = len(batch)

            def on_output(name, output, n=n):
                rows = per_sample_rows(output_tensors(output, name), dims, n, name)
                # a clone is its own node of the graph: later in-place operations on
                # the layer's output do not change what is differentiated
                captured.append(rows.clone())

            with torch.enable_grad():
                _run_and_record(model, batch, [layer], on_output)
                T = captured[0]
                rows = []
                for o in range(T.shape[1] if T.requires_grad else 0):
                    (grad,) = torch.autograd.grad(
                        T[:, o].sum(), batch, retain_graph=True, allow_unused=True
                    )
                    if grad is None:
                        grad = torch.zeros_like(batch)
                    rows.append(grad.reshape(len(batch), -1))
            if not rows:  # the layer does not depend on the input
                rows = [torch.zeros_like(batch).reshape(len(batch), -1)] * T.shape[1]
            J = torch.stack(rows, dim=1)  # (b, d_out, d_in)
            del rows
            result[start : start + n] = J.detach().to("cpu", torch.float64).numpy()
    return result


def _first_rows(model, X, layer, dims, device):
    """The flattened width of ``layer``'s output, from one sample."""
    torch = require_torch()
    widths = []
    with borrowed(model, device) as run_device, torch.no_grad():
        batch = to_model_input(X[:1], model_dtype(model), run_device)

        def on_output(name, output):
            widths.append(per_sample_rows(output_tensors(output, name), dims, 1, name).shape[1])

        _run_and_record(model, batch, [layer], on_output)
    return widths[0]
