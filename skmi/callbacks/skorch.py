"""Record an information plane inside a skorch ``NeuralNet``.

Needs skorch (``pip install 'skmi[skorch]'``); ``import skmi`` does not
import it.
"""

from skmi.callbacks._recording import PlaneRecorder, scalars

try:
    from skorch.callbacks import Callback as _SkorchCallback
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError("skmi.callbacks.skorch needs skorch: pip install 'skmi[skorch]'") from error

__all__ = ["InformationPlaneCallback"]


class InformationPlaneCallback(_SkorchCallback):
    """Record I(X; T) and I(T; Y) of chosen layers every N epochs of a skorch net.

    At the end of every ``every_n_epochs``-th epoch the callback runs
    ``net.module_`` on a fixed evaluation set ``(X, y)``, records a row per
    layer with :class:`skmi.probe.InformationPlane`, writes each number to the
    net's history (``net.history[-1, "{prefix}_{layer}_{quantity}"]``), and
    hands the module back in the training modes and on the device it was in.

    Parameters
    ----------
    X : array-like or torch.Tensor of shape (n_samples, ...)
        The fixed evaluation inputs (keep them in the order of ``y``).
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    layers : str or list of str
        Layer names from ``net.module_.named_modules()``.
    noise_std : float > 0
        Noise of I(X; T + noise) (see :class:`~skmi.probe.InformationPlane`).
    every_n_epochs : int, default=1
    ty_estimator : skmi estimator or None, default=None
        Any skmi estimator for I(T; Y); None: InformationPlane's default.
    plane_params : dict or None, default=None
        Other keyword arguments of :class:`~skmi.probe.InformationPlane`.
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
        At import, when skorch is not installed.
    ValueError
        If ``every_n_epochs`` is not a positive integer.
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
        self.X = X
        self.y = y
        self.layers = layers
        self.noise_std = noise_std
        self.every_n_epochs = every_n_epochs
        self.ty_estimator = ty_estimator
        self.plane_params = plane_params
        self.prefix = prefix

    def initialize(self):
        self._recorder = PlaneRecorder(
            self.X,
            self.y,
            self.layers,
            self.noise_std,
            self.every_n_epochs,
            self.ty_estimator,
            self.plane_params,
        )
        return self

    @property
    def plane_(self):
        """The :class:`~skmi.probe.InformationPlane` (None before the first record)."""
        return self._recorder.plane if hasattr(self, "_recorder") else None

    @property
    def history_(self):
        return self._recorder.history if hasattr(self, "_recorder") else []

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history) - 1  # skorch has appended this epoch's row
        if not self._recorder.due(epoch):
            return
        rows = self._recorder.record(net.module_, epoch)
        for name, value in scalars(rows, self.prefix, separator="_").items():
            net.history.record(name, value)
