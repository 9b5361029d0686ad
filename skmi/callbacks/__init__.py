"""Callbacks: hooks into skmi's own training, and skmi inside other trainers.

Passed as ``NeuralMutualInfo(callbacks=[...])`` (as skorch's callbacks), the
classes here watch a critic being trained:

* :class:`ProgressBar` -- a tqdm bar over epochs (``verbose=True`` adds one);
* :class:`TensorBoard` -- the per-iteration loss and bound, and the
  per-epoch training and validation bounds, as TensorBoard scalars;
* :class:`EarlyStopping` and :class:`MaxTime` -- the loop's own stopping
  rules (the estimators add them from ``n_iter_no_change`` and
  ``max_time``); any callback may stop training by setting
  ``stop_training_ = True``.

The sub-modules put skmi inside other training loops; each needs its
framework, imported only when the sub-module is:

* :mod:`skmi.callbacks.lightning` -- ``InformationPlaneCallback`` for a
  PyTorch Lightning ``Trainer`` (``pip install 'skmi[lightning]'``);
* :mod:`skmi.callbacks.skorch` -- ``InformationPlaneCallback`` for a skorch
  ``NeuralNet`` (``pip install 'skmi[skorch]'``).
"""

from skmi._torch.callbacks import Callback, EarlyStopping, MaxTime, ProgressBar, TensorBoard

__all__ = ["Callback", "EarlyStopping", "MaxTime", "ProgressBar", "TensorBoard"]
