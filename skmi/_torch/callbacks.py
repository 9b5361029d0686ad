"""The callbacks of skmi's own training loop (:func:`skmi._torch.training.train`).

A callback watches a critic being trained through four hooks; any hook may
end training by setting ``stop_training_ = True`` (the loop finishes the
step or epoch it is in, scores the validation split, and stops). The
loop's own stopping rules are callbacks of this kind, as in skorch:
:class:`EarlyStopping` (no better validation bound for ``patience``
epochs) and :class:`MaxTime` (a wall-clock budget). Public ones are
re-exported by :mod:`skmi.callbacks`; adapters that put skmi inside other
trainers (Lightning, skorch) live there, apart from this loop.

Nothing here imports torch: tqdm and tensorboard are imported when a bar
or a writer starts.
"""

import math
import time

# The validation bound must rise by more than this (nats) to count as better:
# the one rule for early stopping and for keeping the best weights.
IMPROVEMENT = 1e-4
HOOKS = ("on_train_begin", "on_batch_end", "on_epoch_end", "on_train_end")


def improved(value, best):
    """Whether a validation bound ``value`` is better than ``best`` (nats).

    A bound that is not finite (NaN, or inf from an overflowing critic) is
    never better.
    """
    return bool(math.isfinite(value) and value > best + IMPROVEMENT)


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
    Any hook may end training by setting ``self.stop_training_ = True``:
    the loop finishes the current step (or epoch), scores the validation
    split and stops, as :class:`EarlyStopping` and :class:`MaxTime` do.

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


class Events:
    """Dispatch training events to callbacks, as :func:`skmi._torch.training.train` emits them.

    Used as a context manager: ``on_train_begin`` on entry, ``on_train_end``
    on exit -- also when training raises, so files and bars are closed.
    Hooks a callback does not define are skipped. :attr:`should_stop` is
    True once a callback has set ``stop_training_``.
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
        for callback in self.callbacks:
            # a callback is a cloned parameter: a stop from a previous fit is gone
            # (callbacks with __slots__ have no __dict__, and no stop to forget)
            getattr(callback, "__dict__", {}).pop("stop_training_", None)
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
        # every callback's on_train_end runs (bars closed, files flushed) even
        # when one of them raises; the first error is raised after them all
        error = None
        for callback in self.callbacks:
            method = getattr(callback, "on_train_end", None)
            if method is None:
                continue
            try:
                method(self.estimator)
            except Exception as caught:  # noqa: BLE001 - re-raised below
                error = error or caught
        if error is not None and exc[0] is None:
            raise error
        return False

    def batch_end(self, step, loss, bound):
        self._call("on_batch_end", step, loss, bound)

    def epoch_end(self, record):
        self._call("on_epoch_end", record)

    @property
    def should_stop(self):
        """Whether a callback asked to end training."""
        return any(getattr(callback, "stop_training_", False) for callback in self.callbacks)


class EarlyStopping(Callback):
    """End training when the validation bound has not improved for ``patience`` epochs.

    Better means finite and higher by more than :data:`IMPROVEMENT` nats
    (the rule by which the loop also keeps the weights of the best epoch).

    Parameters
    ----------
    patience : int >= 1
        Epochs without improvement before training ends (the estimators'
        ``n_iter_no_change``).

    Raises
    ------
    ValueError
        At the start of training, if ``patience`` is not an integer >= 1.
    """

    def __init__(self, patience):
        self.patience = patience

    def on_train_begin(self, estimator):
        if isinstance(self.patience, bool) or not (
            isinstance(self.patience, int) and self.patience >= 1
        ):
            raise ValueError(f"patience must be an integer >= 1; got {self.patience!r}.")
        self.best_, self.stale_ = float("-inf"), 0

    def on_epoch_end(self, estimator, record):
        value = record["validation_bound"]
        if improved(value, self.best_):
            self.best_, self.stale_ = value, 0
        else:
            self.stale_ += 1
        if self.stale_ >= self.patience:
            self.stop_training_ = True


class MaxTime(Callback):
    """End training once ``seconds`` of wall-clock time have passed.

    Checked after every optimiser step and every epoch: the epoch the budget
    ends in stops there, is scored on the validation split, and is the last.

    Parameters
    ----------
    seconds : float > 0
        The budget (the estimators' ``max_time``).

    Raises
    ------
    ValueError
        At the start of training, if ``seconds`` is not a positive number.
    """

    def __init__(self, seconds):
        self.seconds = seconds

    def on_train_begin(self, estimator):
        seconds = self.seconds
        if isinstance(seconds, bool) or not (isinstance(seconds, (int, float)) and seconds > 0):
            raise ValueError(f"seconds must be a positive number; got {seconds!r}.")
        self.start_ = time.perf_counter()

    def on_batch_end(self, estimator, step, loss, bound):
        self._check()

    def on_epoch_end(self, estimator, record):
        self._check()

    def _check(self):
        if time.perf_counter() - self.start_ > self.seconds:
            self.stop_training_ = True


def check_callbacks(callbacks):
    """The user's callbacks as a list; TypeError naming what is not a callback."""
    if callbacks is None:
        return []
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(
            f"callbacks must be a list of skmi.callbacks.Callback; got {type(callbacks).__name__}."
        )
    for i, callback in enumerate(callbacks):
        if not any(hasattr(callback, hook) for hook in HOOKS):
            raise TypeError(
                f"callbacks[{i}] is a {type(callback).__name__}, not a callback: it has none "
                f"of the hooks {', '.join(HOOKS)} (see skmi.callbacks.Callback)."
            )
    return list(callbacks)
