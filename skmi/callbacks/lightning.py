"""Record an information plane inside a PyTorch Lightning ``Trainer``.

Needs Lightning (``pip install 'skmi[lightning]'``); ``import skmi`` does
not import it.
"""

from skmi.callbacks._recording import PlaneRecorder, scalars

try:  # the unified package first, then the standalone one
    from lightning.pytorch.callbacks import Callback as _LightningCallback
except ImportError:  # pragma: no cover - depends on the environment
    try:
        from pytorch_lightning.callbacks import Callback as _LightningCallback
    except ImportError as error:
        raise ImportError(
            "skmi.callbacks.lightning needs PyTorch Lightning: pip install 'skmi[lightning]'"
        ) from error

__all__ = ["InformationPlaneCallback"]


class InformationPlaneCallback(_LightningCallback):
    """Record I(X; T) and I(T; Y) of chosen layers every N training epochs.

    At the end of every ``every_n_epochs``-th training epoch the callback
    runs the ``LightningModule`` on a fixed evaluation set ``(X, y)``,
    records a row per layer with :class:`skmi.probe.InformationPlane`, logs
    each number with ``pl_module.log`` (so it reaches ``trainer.logger``:
    TensorBoard, CSV, ...) under ``"{prefix}/{layer}/{quantity}"``, and hands
    the module back in the training modes and on the device it was in.

    Parameters
    ----------
    X : array-like or torch.Tensor of shape (n_samples, ...)
        The fixed evaluation inputs (keep them in the order of ``y``).
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        The targets of ``X``.
    layers : str or list of str
        Layer names from ``pl_module.named_modules()``.
    noise_std : float > 0
        Noise of I(X; T + noise) (see :class:`~skmi.probe.InformationPlane`).
    every_n_epochs : int, default=1
    ty_estimator : skmi estimator or None, default=None
        Any skmi estimator for I(T; Y); None: InformationPlane's default.
    plane_params : dict or None, default=None
        Other keyword arguments of :class:`~skmi.probe.InformationPlane`
        (``batch_size``, ``random_state``, ...).
    prefix : str, default="information_plane"

    Attributes
    ----------
    plane_ : skmi.probe.InformationPlane or None
        The recorder (``plane_.plot()`` draws the plane).
    history_ : list of dict
        Every recorded row (epoch, layer, I(X;T), I(T;Y), ...).

    Raises
    ------
    ImportError
        At import, when Lightning is not installed.
    ValueError
        If ``every_n_epochs`` is not a positive integer.

    Examples
    --------
    >>> from skmi.callbacks.lightning import InformationPlaneCallback
    >>> import numpy as np
    >>> X, y = np.random.default_rng(0).normal(size=(64, 4)), np.arange(64) % 2
    >>> callback = InformationPlaneCallback(X, y, ["1"], noise_std=0.1, every_n_epochs=2)
    >>> # lightning.pytorch.Trainer(callbacks=[callback], ...).fit(module)
    """

    def __init__(
        self,
        X,
        y,
        layers,
        *,
        noise_std,
        every_n_epochs=1,
        ty_estimator=None,
        plane_params=None,
        prefix="information_plane",
    ):
        super().__init__()
        self.prefix = prefix
        self._recorder = PlaneRecorder(
            X, y, layers, noise_std, every_n_epochs, ty_estimator, plane_params
        )

    @property
    def plane_(self):
        """The :class:`~skmi.probe.InformationPlane` (None before the first record)."""
        return self._recorder.plane if hasattr(self, "_recorder") else None

    @property
    def history_(self):
        return self._recorder.history

    def on_train_epoch_end(self, trainer, pl_module):
        epoch = trainer.current_epoch
        if not self._recorder.due(epoch):
            return
        rows = self._recorder.record(pl_module, epoch)
        for name, value in scalars(rows, self.prefix).items():
            pl_module.log(name, value, on_step=False, on_epoch=True)
