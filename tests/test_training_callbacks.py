"""The callbacks of skmi's own training loop: early stopping, the time budget, a user's stop."""

import math

import pytest

pytest.importorskip("torch")

from skmi import NeuralMutualInfo  # noqa: E402
from skmi.callbacks import Callback, EarlyStopping, MaxTime  # noqa: E402
from skmi.datasets import make_gaussian  # noqa: E402

TINY = dict(hidden_layer_sizes=(8,), batch_size=32, max_time=None, random_state=0)


def _records(values):
    return [{"epoch": i, "validation_bound": v} for i, v in enumerate(values)]


def _stops_after(callback, values):
    """The epoch after which ``callback`` asks to stop (None if it never does)."""
    callback.on_train_begin(None)
    for record in _records(values):
        callback.on_epoch_end(None, record)
        if getattr(callback, "stop_training_", False):
            return record["epoch"]
    return None


def test_early_stopping_counts_epochs_without_a_clear_improvement():
    # 0.5 is the best; 0.50005 is within the 1e-4 tolerance: no improvement
    assert _stops_after(EarlyStopping(2), [0.1, 0.5, 0.50005, 0.3]) == 3
    assert _stops_after(EarlyStopping(2), [0.1, 0.2, 0.3, 0.4]) is None
    # NaN and inf bounds never count as better
    assert _stops_after(EarlyStopping(2), [0.1, math.nan, math.inf]) == 2


def test_max_time_stops_after_the_step_that_passes_the_budget():
    budget = MaxTime(1e-9)
    budget.on_train_begin(None)
    budget.on_batch_end(None, 0, 1.0, 0.1)
    assert budget.stop_training_


class StopAfter(Callback):
    def __init__(self, epochs):
        self.epochs = epochs

    def on_epoch_end(self, estimator, record):
        if record["epoch"] + 1 >= self.epochs:
            self.stop_training_ = True


def test_a_users_callback_ends_training_and_a_refit_starts_afresh():
    X, y, _ = make_gaussian(300, random_state=0)
    stop = StopAfter(2)
    est = NeuralMutualInfo(max_epochs=20, callbacks=[stop], **TINY).fit(X, y)
    assert len(est.history_) == 2
    est.fit(X, y)  # the callback's stop from the first fit does not end the second at once
    assert len(est.history_) == 2


def test_the_estimators_parameters_become_the_loops_callbacks():
    X, y, _ = make_gaussian(300, random_state=0)
    # a budget of a microsecond: one step, one validation, done
    est = NeuralMutualInfo(max_epochs=20, **{**TINY, "max_time": 1e-6}).fit(X, y)
    assert len(est.history_) == 1
    # patience 1 with a critic that cannot learn (a learning rate of 1e-12): the
    # first epoch improves on nothing, the second is no better, and training ends
    est = NeuralMutualInfo(max_epochs=50, n_iter_no_change=1, learning_rate=1e-12, **TINY)
    assert len(est.fit(X, y).history_) == 2


class Slotted(Callback):
    __slots__ = ("epochs_seen",)

    def on_epoch_end(self, estimator, record):
        pass


class Closes(Callback):
    def on_train_end(self, estimator):
        self.closed_ = True


class Fails(Callback):
    def on_train_end(self, estimator):
        raise RuntimeError("on_train_end failed")


def test_callbacks_with_slots_and_failing_ends():
    X, y, _ = make_gaussian(200, random_state=0)
    NeuralMutualInfo(max_epochs=2, callbacks=[Slotted()], **TINY).fit(X, y)
    closes = Closes()
    with pytest.raises(RuntimeError, match="on_train_end failed"):
        NeuralMutualInfo(max_epochs=2, callbacks=[Fails(), closes], **TINY).fit(X, y)
    assert closes.closed_  # every on_train_end ran although the first raised


@pytest.mark.parametrize(
    ("callback", "name"), [(EarlyStopping(0), "patience"), (MaxTime(-1), "seconds")]
)
def test_stopping_callbacks_check_their_arguments(callback, name):
    X, y, _ = make_gaussian(200, random_state=0)
    with pytest.raises(ValueError, match=name):
        NeuralMutualInfo(max_epochs=2, callbacks=[callback], **TINY).fit(X, y)
