"""Callbacks: hooks into skmi's own training, and skmi inside other trainers.

Passed as ``NeuralMutualInfo(callbacks=[...])`` (as skorch's callbacks), the
classes here watch a critic being trained:

* :class:`ProgressBar` -- a tqdm bar over epochs (``verbose=True`` adds one);
* :class:`TensorBoard` -- the per-iteration loss and bound, and the
  per-epoch training and validation bounds, as TensorBoard scalars.

The sub-modules put skmi inside other training loops; each needs its
framework, imported only when the sub-module is:

* :mod:`skmi.callbacks.lightning` -- ``InformationPlaneCallback`` for a
  PyTorch Lightning ``Trainer`` (``pip install 'skmi[lightning]'``);
* :mod:`skmi.callbacks.skorch` -- ``InformationPlaneCallback`` for a skorch
  ``NeuralNet`` (``pip install 'skmi[skorch]'``).
"""

__all__ = ["Callback", "ProgressBar", "TensorBoard"]


class Callback:
    """Base class of the callbacks of skmi's neural estimators.

    Override any of the hooks; each receives the estimator doing the fit:
    a private working copy of the one you called ``fit`` on (a fit works on
    a copy and publishes its fitted attributes to your estimator only when
    it succeeds, so a concurrent ``score`` never sees half a fit and a
    failed fit leaves the previous one intact). Use what each hook passes
    (``step``, ``loss``, ``bound``, ``record``) and the estimator's
    parameters; its fitted attributes (``history_``, ``critic_``) exist
    only after training, on the estimator you called ``fit`` on.
    A callback is a parameter of the estimator, so ``clone`` copies it:
    create files, bars and writers in :meth:`on_train_begin`, not in
    ``__init__``, and release them in :meth:`on_train_end` (called even
    when training fails).
    """

    def on_train_begin(self, estimator):
        """Before the first epoch."""

    def on_batch_end(self, estimator, step, loss, bound):
        """After each optimiser step: ``step`` counts steps from 0, ``loss``
        is what was minimised and ``bound`` the objective's bound on the
        batch (nats)."""

    def on_epoch_end(self, estimator, record):
        """After each epoch, with the row appended to ``history_``."""

    def on_train_end(self, estimator):
        """After training, also when it raised."""


class ProgressBar(Callback):
    """A tqdm progress bar over epochs, with the latest bounds (needs tqdm)."""

    def on_train_begin(self, estimator):
        try:
            from tqdm.auto import tqdm
        except ImportError as error:
            raise ImportError("ProgressBar (verbose=True) needs tqdm: pip install tqdm") from error
        name = f"{type(estimator).__name__} ({estimator.objective})"
        self.bar_ = tqdm(total=estimator.max_epochs, desc=name)

    def on_epoch_end(self, estimator, record):
        self.bar_.set_postfix(
            train=f"{record['train_bound']:.3f}", val=f"{record['validation_bound']:.3f}"
        )
        self.bar_.update(1)

    def on_train_end(self, estimator):
        bar = self.__dict__.pop("bar_", None)
        if bar is not None:
            bar.close()


class TensorBoard(Callback):
    """Write the training curves as TensorBoard scalars (needs tensorboard).

    Per optimiser step (as the MINE study logs them): ``loss/train`` (what
    the optimiser minimised) and ``bound/train_batch`` (the objective's
    bound on the batch); per epoch: ``bound/train`` and
    ``bound/validation``. All in nats.

    Parameters
    ----------
    log_dir : str or path-like
        Directory of the event files (``tensorboard --logdir`` it).

    Raises
    ------
    ImportError
        At the start of training, when tensorboard is not installed.
    """

    def __init__(self, log_dir):
        self.log_dir = log_dir

    def on_train_begin(self, estimator):
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError as error:
            raise ImportError(
                "TensorBoard writes event files with tensorboard: pip install tensorboard"
            ) from error
        self.writer_ = SummaryWriter(str(self.log_dir))

    def on_batch_end(self, estimator, step, loss, bound):
        self.writer_.add_scalar("loss/train", loss, step)
        self.writer_.add_scalar("bound/train_batch", bound, step)

    def on_epoch_end(self, estimator, record):
        self.writer_.add_scalar("bound/train", record["train_bound"], record["epoch"])
        self.writer_.add_scalar("bound/validation", record["validation_bound"], record["epoch"])

    def on_train_end(self, estimator):
        writer = self.__dict__.pop("writer_", None)
        if writer is not None:
            writer.close()


class _Events:
    """Dispatch training events to callbacks, as :func:`skmi._torch.training.train` emits them.

    Used as a context manager: ``on_train_begin`` on entry, ``on_train_end``
    on exit -- also when training raises, so files and bars are closed.
    Hooks a callback does not define are skipped.
    """

    def __init__(self, estimator, callbacks):
        self.estimator = estimator
        self.callbacks = list(callbacks)

    def _call(self, hook, *args):
        for callback in self.callbacks:
            method = getattr(callback, hook, None)
            if method is not None:
                method(self.estimator, *args)

    def __enter__(self):
        started = []
        try:
            for callback in self.callbacks:
                method = getattr(callback, "on_train_begin", None)
                if method is not None:
                    method(self.estimator)
                started.append(callback)
        except BaseException:
            for callback in started:
                getattr(callback, "on_train_end", lambda e: None)(self.estimator)
            raise
        return self

    def __exit__(self, *exc):
        self._call("on_train_end")
        return False

    def batch_end(self, step, loss, bound):
        self._call("on_batch_end", step, loss, bound)

    def epoch_end(self, record):
        self._call("on_epoch_end", record)
