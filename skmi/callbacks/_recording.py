"""What the Lightning and skorch callbacks share: record an information plane
on a fixed evaluation set and hand the model back exactly as it was."""

import numbers

from skmi._torch import require_torch
from skmi._validation import check_int


class PlaneRecorder:
    """Records :class:`skmi.probe.InformationPlane` rows every ``every_n_epochs``.

    The plane is built on the first recording, with the model the framework
    trains (the recorder never holds a model it was not given).
    """

    def __init__(self, X, y, layers, noise_std, every_n_epochs, ty_estimator, plane_params):
        self.X, self.y, self.layers = X, y, layers
        self.noise_std = noise_std
        self.every_n_epochs = check_int(every_n_epochs, "every_n_epochs", min_value=1)
        self.ty_estimator = ty_estimator
        self.plane_params = dict(plane_params or {})
        self.plane = None
        self.model = None
        self.rows = []

    def due(self, epoch):
        """Whether ``epoch`` (counted from 0) ends a block of ``every_n_epochs``."""
        return (epoch + 1) % self.every_n_epochs == 0

    def record(self, model, epoch):
        """The rows of one recording; the model keeps its modes and device."""
        from skmi.probe import InformationPlane

        if self.plane is None or self.model is not model:
            self.model = model
            self.plane = InformationPlane(
                model,
                self.layers,
                noise_std=self.noise_std,
                ty_estimator=self.ty_estimator,
                **self.plane_params,
            )
        with preserved(model):
            rows = self.plane.record(self.X, self.y, epoch=epoch)
        self.rows.extend(rows)
        return rows

    @property
    def history(self):
        return self.rows


def scalars(rows, prefix, separator="/"):
    """``{name: value}`` for every numeric column of the rows, one name per layer."""
    skip = {"epoch", "layer", "n_samples"}
    out = {}
    for row in rows:
        for key, value in row.items():
            if key in skip or isinstance(value, bool) or not isinstance(value, numbers.Real):
                continue
            name = key.replace("(", "_").replace(")", "").replace(";", "_")
            out[separator.join([prefix, str(row["layer"]), name])] = float(value)
    return out


class preserved:
    """Restore every submodule's training flag and the parameters' devices.

    ``model.train(mode)`` would set one flag for all submodules; a model
    with frozen (eval-mode) parts must get each of its own flags back, by
    each module's own ``train()`` (:func:`skmi._torch.activations.set_modes`).
    """

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        torch = require_torch()
        self.modes = [(m, m.training) for m in self.model.modules()]
        self.devices = {
            name: t.device
            for name, t in list(self.model.named_parameters()) + list(self.model.named_buffers())
        }
        self.grad = torch.is_grad_enabled()
        return self

    def __exit__(self, *exc):
        torch = require_torch()
        torch.set_grad_enabled(self.grad)
        tensors = dict(self.model.named_parameters())
        tensors.update(self.model.named_buffers())
        if any(tensors[name].device != device for name, device in self.devices.items()):
            # a probe moved the model: put each tensor back where it was
            for name, device in self.devices.items():
                tensors[name].data = tensors[name].data.to(device)
        # each module's own train(), as the probes do: a module that does more
        # than set its flag (a frozen part, a custom mode) is put back properly
        from skmi._torch.activations import set_modes

        set_modes(self.model, self.modes)
        return False
