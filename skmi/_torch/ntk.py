"""Empirical neural tangent kernel: per-sample parameter Jacobians, in batches."""

import warnings
from collections import OrderedDict
from contextlib import contextmanager

import numpy as np

from skmi._config import get_config
from skmi._torch import require_torch
from skmi._torch.activations import (
    ModelInputs,
    as_model_rows,
    borrowed,
    integer_input_error,
    is_integer_input,
    model_dtype,
    output_tensors,
    to_model_input,
)


def check_memory(needed, what):
    """ValueError naming the bytes when ``needed`` exceeds ``memory_budget``."""
    budget = get_config()["memory_budget"]
    if needed > budget:
        raise ValueError(
            f"{what} needs {int(needed):,} bytes ({needed / 1024**3:.2f} GiB), more than the "
            f"memory budget of {int(budget):,} bytes ({budget / 1024**3:.2f} GiB): use fewer "
            "samples, or raise the budget with skmi.set_config(memory_budget=...)."
        )


@contextmanager
def backward_hooks_suspended(model):
    """Set the user's module backward hooks aside (torch.func cannot run them).

    The NTK is made of the true Jacobians; backward hooks only alter the
    gradients a backward pass reports, so they are suspended while it is
    computed and put back, unchanged, afterwards.
    """
    saved = [
        (m, m._backward_hooks, m._backward_pre_hooks, m._is_full_backward_hook)
        for m in model.modules()
    ]
    try:
        for module, *_ in saved:
            module._backward_hooks = OrderedDict()
            module._backward_pre_hooks = OrderedDict()
            module._is_full_backward_hook = None
        yield
    finally:
        for module, hooks, pre_hooks, full in saved:
            module._backward_hooks = hooks
            module._backward_pre_hooks = pre_hooks
            module._is_full_backward_hook = full


def _flat_output(result):
    torch = require_torch()
    tensors = output_tensors(result, "model output")
    if not tensors:
        raise ValueError("The model returned no tensor, so it has no tangent kernel.")
    return torch.cat([t.reshape(-1) for t in tensors])


# Per sample of a batch, beyond its float64 row of the result: torch.func's
# per-parameter Jacobians, their concatenation and the backward pass's
# gradient buffers (three copies in the model's dtype), and the float64 copy
# made on the way to NumPy.
_BATCH_COPIES = 3


def ntk_plan(n_rows, n_out, n_params, itemsize, batch_size, held_bytes=0, what="The NTK"):
    """Samples per batch of :func:`parameter_jacobians`, planned by the peak.

    The peak is the float64 result (n_rows, n_out, n_params), ``held_bytes``
    that live beside it (a Gram matrix, a second Jacobian), and one batch's
    intermediates. The batch shrinks until the peak fits the memory budget;
    when not even one sample fits, a ValueError gives the bytes.
    """
    result = n_rows * n_out * n_params * 8
    per_sample = n_out * n_params * (_BATCH_COPIES * itemsize + 8)
    fixed = result + held_bytes
    check_memory(fixed + per_sample, what)
    budget = get_config()["memory_budget"]
    return int(max(1, min(batch_size, n_rows, (budget - fixed) // per_sample)))


def parameter_jacobians(model, X, batch_size, device=None, extra_bytes=0):
    """Per-sample Jacobians of the flattened output w.r.t. all trainable parameters.

    Returns a float64 ndarray (n, n_outputs, n_parameters). ``torch.func``
    (``vmap`` over ``jacrev`` of a ``functional_call``) computes a batch at a
    time; if it cannot run the model (a forward hook that reads tensor data,
    say), plain autograd computes one sample and output at a time. Before
    anything of size n is allocated, :func:`ntk_plan` checks the peak -- the
    result, ``extra_bytes`` held beside it (n_out is passed to a callable to
    size them), and one batch's intermediates -- against the memory budget,
    shrinking ``batch_size`` to fit. The result is filled in place, batch by
    batch (no list of pieces joined at the end, which held it twice).
    """
    torch = require_torch()
    from torch.func import functional_call, jacrev, vmap

    with (
        warnings.catch_warnings(),
        borrowed(model, device) as run_device,
        backward_hooks_suspended(model),
    ):
        params = {name: p.detach() for name, p in model.named_parameters() if p.requires_grad}
        if not params:
            raise ValueError("The model has no trainable parameters: its NTK is zero.")
        buffers = dict(model.named_buffers())
        n_params = sum(p.numel() for p in params.values())
        dtype = model_dtype(model)
        integer = is_integer_input(X)

        X = as_model_rows(X)
        extras = X.extras if isinstance(X, ModelInputs) else {}

        def output(p, x):
            # one sample: a tensor, or a dict of tensors (transformers' model(**inputs))
            if isinstance(x, dict):
                one = {k: v.unsqueeze(0) for k, v in x.items()}
                return _flat_output(functional_call(model, (p, buffers), (), {**one, **extras}))
            return _flat_output(functional_call(model, (p, buffers), (x.unsqueeze(0),)))

        per_sample = vmap(jacrev(output), in_dims=(None, 0))
        vectorised = True
        # torch.func warns that some operators (attention) lack a batching rule;
        # the result is right, only slower, and the warning is not the user's business
        warnings.filterwarnings("ignore", message="There is a performance drop")
        first = _tensors(to_model_input(X[:1], dtype, run_device))
        try:
            with torch.no_grad():
                n_out = output(params, _row(first, 0)).numel()
        except (RuntimeError, TypeError) as error:
            if integer:
                raise integer_input_error(error) from error
            raise
        extra = extra_bytes(n_out) if callable(extra_bytes) else extra_bytes
        itemsize = max(torch.empty((), dtype=p.dtype).element_size() for p in params.values())
        batch_size = ntk_plan(
            len(X),
            n_out,
            n_params,
            itemsize,
            batch_size,
            extra,
            f"The NTK of {len(X)} samples ({n_out} outputs, {n_params} parameters)",
        )
        J = np.empty((len(X), n_out, n_params))
        for start in range(0, len(X), batch_size):
            batch = _tensors(to_model_input(X[start : start + batch_size], dtype, run_device))
            n_batch = len(X[start : start + batch_size])
            flat = None
            if vectorised:
                try:
                    jac = per_sample(params, batch)
                    flat = torch.cat(
                        [j.reshape(n_batch, n_out, -1) for j in jac.values()], dim=2
                    ).detach()
                    del jac
                except RuntimeError:
                    vectorised = False  # torch.func cannot run this model: autograd can
            if flat is None:
                flat = _autograd_jacobians(model, params, batch, n_batch, extras)
            J[start : start + n_batch] = flat.to("cpu", torch.float64).numpy()
            del flat
    return J


def _tensors(batch):
    """The tensors of a model batch (a dict's non-tensor flags are passed apart)."""
    if isinstance(batch, dict):
        torch = require_torch()
        return {k: v for k, v in batch.items() if isinstance(v, torch.Tensor)}
    return batch


def _row(batch, i):
    return {k: v[i] for k, v in batch.items()} if isinstance(batch, dict) else batch[i]


def _autograd_jacobians(model, params, batch, n_batch, extras=None):
    """The same Jacobians by plain autograd, one sample and output at a time."""
    torch = require_torch()
    names = list(params)
    tensors = dict(model.named_parameters())
    rows = []
    with torch.enable_grad():
        for i in range(n_batch):
            x = _row(batch, i)
            if isinstance(x, dict):
                out = _flat_output(model(**{k: v.unsqueeze(0) for k, v in x.items()}, **extras))
            else:
                out = _flat_output(model(x.unsqueeze(0)))
            per_output = []
            for o in range(len(out)):
                grads = torch.autograd.grad(
                    out[o],
                    [tensors[n] for n in names],
                    retain_graph=True,
                    allow_unused=True,
                )
                per_output.append(
                    torch.cat(
                        [
                            (torch.zeros_like(tensors[n]) if g is None else g).reshape(-1)
                            for n, g in zip(names, grads, strict=True)
                        ]
                    )
                )
            rows.append(torch.stack(per_output))
    return torch.stack(rows).detach()


def ntk_gram(model, X, X2, batch_size, device=None, outputs="sum"):
    """The empirical NTK Gram matrix.

    ``outputs="sum"``: (n, m), ``sum_o J_o(x) J_o(x')^T``. ``outputs="full"``:
    (n * C, m * C), every pair of outputs, row ``i * C + o`` for sample i and
    output o. The memory plan of each Jacobian counts what lives beside it:
    the Gram matrix and, with X2, the other Jacobian.
    """
    m = len(X) if X2 is None else len(X2)
    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)

    def gram_bytes(n_out):
        per = n_out * n_out if outputs == "full" else 1
        return len(X) * m * per * 8

    def beside_first(n_out):
        other = 0 if X2 is None else m * n_out * n_params * 8
        return gram_bytes(n_out) + other

    def beside_second(n_out):
        return gram_bytes(n_out) + len(X) * n_out * n_params * 8

    J = parameter_jacobians(model, X, batch_size, device, extra_bytes=beside_first)
    J2 = J if X2 is None else parameter_jacobians(model, X2, batch_size, device, beside_second)
    if outputs == "full":
        return J.reshape(-1, J.shape[2]) @ J2.reshape(-1, J2.shape[2]).T
    return J.reshape(len(J), -1) @ J2.reshape(len(J2), -1).T
