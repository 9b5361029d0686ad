"""Empirical neural tangent kernel: per-sample parameter Jacobians, in batches."""

import numpy as np

from skmi._config import get_config
from skmi._torch import require_torch
from skmi._torch.activations import _to_tensor, borrowed, model_dtype


def parameter_jacobians(model, X, batch_size, device=None):
    """Per-sample Jacobians of the flattened output w.r.t. all parameters.

    Returns a float64 ndarray (n, n_outputs * n_parameters). ``torch.func``
    (``vmap`` over ``jacrev`` of a ``functional_call``) computes a batch at a
    time; the model runs in eval mode and is restored afterwards.
    """
    torch = require_torch()
    from torch.func import functional_call, jacrev, vmap

    params = {name: p.detach() for name, p in model.named_parameters() if p.requires_grad}
    if not params:
        raise ValueError("The model has no trainable parameters: its NTK is zero.")
    buffers = dict(model.named_buffers())

    def output(p, x):
        return functional_call(model, (p, buffers), (x.unsqueeze(0),)).reshape(-1)

    per_sample = vmap(jacrev(output), in_dims=(None, 0))
    chunks = []
    with borrowed(model, device) as device:
        dtype = model_dtype(model)
        n_params = sum(p.numel() for p in params.values())
        for start in range(0, len(X), batch_size):
            batch = _to_tensor(X[start : start + batch_size], dtype, device)
            if start == 0:
                n_out = output(params, batch[0]).numel()
                _check_memory(len(X) * n_out * n_params * 8)
            jac = per_sample(params, batch)
            flat = torch.cat([j.reshape(len(batch), -1) for j in jac.values()], dim=1)
            chunks.append(flat.detach().to("cpu", torch.float64).numpy())
    return np.concatenate(chunks, axis=0)


def ntk_gram(model, X, X2, batch_size, device=None):
    """``J(X) J(X2)^T``: the NTK Gram matrix, summed over outputs."""
    J = parameter_jacobians(model, X, batch_size, device)
    J2 = J if X2 is None else parameter_jacobians(model, X2, batch_size, device)
    return J @ J2.T


def _check_memory(needed):
    budget = get_config()["memory_budget"]
    if needed > budget:
        raise ValueError(
            f"The per-sample Jacobians need {needed / 1024**3:.1f} GiB, more than the "
            f"memory budget of {budget / 1024**3:.1f} GiB: use fewer samples, or raise "
            "the budget with skmi.set_config(memory_budget=...)."
        )
