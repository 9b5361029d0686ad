"""NeuralMutualInfo / MINE: bounds behave as bounds, seeding, the critic
options, and the scikit-learn contract (with tiny training budgets)."""

import inspect
import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402

import skmi  # noqa: E402
from skmi import MINE, NeuralMutualInfo  # noqa: E402
from skmi.callbacks import Callback, TensorBoard  # noqa: E402
from skmi.datasets import make_gaussian  # noqa: E402
from skmi.exceptions import SkmiWarning  # noqa: E402

TINY = dict(hidden_layer_sizes=(8,), batch_size=16, max_epochs=2, max_time=None, random_state=0)
SMALL = dict(hidden_layer_sizes=(64, 64), max_epochs=40, random_state=0)


@pytest.mark.parametrize("objective", ["mine", "dv", "nwj", "infonce", "smile"])
def test_every_objective_recovers_a_moderate_mi(objective):
    X, y, truth = make_gaussian(4000, 2, 2, mi=1.0, random_state=0)
    est = NeuralMutualInfo(objective=objective, **SMALL).fit(X, y)
    # a lower bound on held-out data: below the truth up to its noise (~0.05),
    # and a 64x64 critic trained 40 epochs on 3200 pairs gets within 0.25
    assert truth - 0.25 < est.mi_ < truth + 0.08
    assert len(est.history_) == est.n_epochs_ and est.history_[0]["time"] > 0


def test_score_on_independent_data_is_near_zero():
    X, y, _ = make_gaussian(3000, 2, 2, mi=1.0, random_state=1)
    est = NeuralMutualInfo(**SMALL).fit(X, y)
    rng = np.random.default_rng(0)
    independent = est.score(X, y[rng.permutation(len(y))])
    assert independent < 0.05  # a bound: no information where there is none
    assert est.score(X, y) > 0.6


def test_same_seed_same_result_different_seed_different_result():
    X, y, _ = make_gaussian(600, 2, 2, mi=0.8, random_state=0)
    first = NeuralMutualInfo(**{**SMALL, "max_epochs": 3}).fit(X, y)
    second = NeuralMutualInfo(**{**SMALL, "max_epochs": 3}).fit(X, y)
    other = NeuralMutualInfo(**{**SMALL, "max_epochs": 3, "random_state": 1}).fit(X, y)
    bounds = [
        [(h["train_bound"], h["validation_bound"]) for h in e.history_] for e in (first, second)
    ]
    assert first.mi_ == second.mi_ and bounds[0] == bounds[1]
    assert first.mi_ != other.mi_


def test_pickle_and_clone():
    X, y, _ = make_gaussian(400, 2, 1, random_state=0)
    est = NeuralMutualInfo(**TINY).fit(X, y)
    restored = pickle.loads(pickle.dumps(est))
    assert restored.score(X, y) == est.score(X, y)
    assert clone(est).get_params() == est.get_params()
    assert not hasattr(clone(est), "critic_")


def test_infonce_warns_near_its_ceiling():
    X, y, _ = make_gaussian(2000, 5, 5, mi=3.0, random_state=0)
    with pytest.warns(SkmiWarning, match="ceiling"):
        NeuralMutualInfo(objective="infonce", batch_size=8, **{**SMALL, "max_epochs": 5}).fit(X, y)


@pytest.mark.parametrize("marginal", ["shuffle", "bootstrap"])
@pytest.mark.parametrize("critic", ["concat", "separable"])
def test_critics_and_marginal_sampling(critic, marginal):
    X, y, truth = make_gaussian(2000, 2, 2, mi=0.7, random_state=0)
    est = NeuralMutualInfo(critic=critic, marginal=marginal, objective="mine", **SMALL)
    assert truth - 0.3 < est.fit(X, y).mi_ < truth + 0.08


def test_user_critic_factory():
    class Bilinear(torch.nn.Module):
        def __init__(self, d_x, d_y):
            super().__init__()
            self.W = torch.nn.Parameter(torch.zeros(d_x, d_y))

        def forward(self, x, y):
            return ((x @ self.W) * y).sum(1)

    X, y, truth = make_gaussian(2000, 3, 3, mi=0.6, random_state=0)
    est = NeuralMutualInfo(critic=Bilinear, objective="mine", learning_rate=1e-2, **SMALL)
    est.fit(X, y)
    assert 0.3 < est.mi_ < truth + 0.08  # x'Wy captures most of a Gaussian's MI
    with pytest.raises(TypeError, match="factory"):
        NeuralMutualInfo(critic=lambda d_x, d_y: "not a module", **TINY).fit(X, y)


def test_mine_is_neural_mutual_info_with_the_mine_objective():
    assert MINE().objective == "mine"
    assert set(MINE().get_params()) == set(NeuralMutualInfo().get_params())
    assert clone(MINE(objective="dv")).objective == "dv"
    # MINE declares its parameters itself: no patched __signature__
    assert "__signature__" not in vars(MINE.__init__)
    mine = inspect.signature(MINE.__init__).parameters
    neural = inspect.signature(NeuralMutualInfo.__init__).parameters
    assert [(p.name, p.default) for p in mine.values()] == [
        (p.name, p.default) for p in neural.values()
    ]


def test_verbose_shows_a_progress_bar():
    X, y, _ = make_gaussian(200, random_state=0)
    NeuralMutualInfo(verbose=True, **TINY).fit(X, y)  # tqdm is a test dependency


def test_tensorboard_event_files_hold_the_per_step_loss_and_epoch_bounds(tmp_path):
    event_accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator"
    )
    X, y, _ = make_gaussian(400, random_state=0)
    est = NeuralMutualInfo(callbacks=[TensorBoard(tmp_path / "run")], **TINY).fit(X, y)
    events = event_accumulator.EventAccumulator(str(tmp_path / "run"))
    events.Reload()
    tags = set(events.Tags()["scalars"])
    assert {"loss/train", "bound/train_batch", "bound/train", "bound/validation"} <= tags
    steps_per_epoch = (400 - 60) // TINY["batch_size"]  # 15% held out
    assert len(events.Scalars("loss/train")) == est.n_epochs_ * steps_per_epoch
    validation = [e.value for e in events.Scalars("bound/validation")]
    np.testing.assert_allclose(validation, [h["validation_bound"] for h in est.history_], rtol=1e-6)


def test_callbacks_see_every_step_and_are_closed_when_training_fails():
    class Recorder(Callback):
        def __init__(self):
            self.calls = []

        def on_train_begin(self, estimator):
            self.calls.append("begin")

        def on_batch_end(self, estimator, step, loss, bound):
            self.calls.append(step)

        def on_epoch_end(self, estimator, record):
            if record["epoch"] == 1:
                raise RuntimeError("stop")

        def on_train_end(self, estimator):
            self.calls.append("end")

    X, y, _ = make_gaussian(400, random_state=0)
    recorder = Recorder()
    with pytest.raises(RuntimeError, match="stop"):
        NeuralMutualInfo(callbacks=[recorder], **{**TINY, "max_epochs": 3}).fit(X, y)
    steps = (400 - 60) // TINY["batch_size"]
    assert recorder.calls == ["begin", *range(2 * steps), "end"]


def test_score_does_not_depend_on_row_order():
    # Was 0.859 on rows sorted by x against 0.55-0.58 on shuffled rows: the
    # marginal term paired each x with the y a cyclic shift away, and on
    # sorted rows that is a neighbour's y. A permutation of the rows does not
    # change the empirical distribution, so it must not change the estimate
    # beyond the spread of the random re-pairings.
    X, y, _ = make_gaussian(2200, 1, 1, mi=0.7, random_state=0)
    est = MINE(hidden_layer_sizes=(32, 32), max_epochs=20, batch_size=128, random_state=0)
    est.fit(X[:2000], y[:2000])
    Xt, yt = X[2000:], y[2000:]
    shuffled = [
        est.score(Xt[p], yt[p])
        for p in (np.random.default_rng(s).permutation(200) for s in range(6))
    ]
    order = np.argsort(Xt[:, 0])
    spread = max(4 * np.std(shuffled), 0.03)
    assert abs(est.score(Xt[order], yt[order]) - np.mean(shuffled)) < spread
    assert abs(est.score(Xt[order[::-1]], yt[order[::-1]]) - np.mean(shuffled)) < spread


@pytest.mark.parametrize("objective", ["mine", "smile"])
def test_history_train_bound_is_the_bound(objective):
    # SMILE's critic is trained on the Jensen-Shannon objective, whose value
    # is always negative; MINE's gradient surrogate is not the DV value.
    # train_bound must be the bound itself, on the training batches: close to
    # the held-out bound once the critic is trained (1 nat of truth).
    X, y, truth = make_gaussian(3000, 2, 2, mi=1.0, random_state=0)
    est = NeuralMutualInfo(objective=objective, **{**SMALL, "max_epochs": 15}).fit(X, y)
    last = est.history_[-1]
    assert 0.5 < last["train_bound"] < truth + 0.2
    assert abs(last["train_bound"] - last["validation_bound"]) < 0.2
    if objective == "smile":
        assert last["train_loss"] > 0  # the JS objective, negated, is positive


@pytest.mark.parametrize("objective", ["mine", "smile", "nwj"])
def test_train_bound_is_the_objective_bound_on_each_batch(objective):
    # A fixed critic (learning rate 1e-12) on batches whose critic values are
    # given: train_bound must be the bound of the table's formula (DV for MINE,
    # clipped DV for SMILE), train_loss what the optimiser minimised.
    from skmi._torch.neural import dv_bound, nwj_bound, smile_bound
    from skmi._torch.training import OBJECTIVES, TrainingSettings, train

    rng = np.random.default_rng(0)
    batches = [
        (torch.tensor(rng.normal(2, 1, 8)), torch.tensor(rng.normal(0, 3, 8))) for _ in range(3)
    ]

    class Scale(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.tensor(1.0, dtype=torch.float64))

    class Given:  # a task whose batches have the critic values above
        calls = 0

        def __len__(self):
            return 8

        def batch(self, critic, idx, objective, settings, generator):
            t_p, t_q = batches[Given.calls % 3]
            Given.calls += 1
            return critic.w * t_p, critic.w * t_q

        def evaluate(self, critic, objective, batch_size, clip, seed, shuffles=None):
            return 0.0

    settings = TrainingSettings(1e-12, 8, 3, None, 10, 0.5, 5.0, "shuffle", None, 0)
    _, history = train(Scale(), OBJECTIVES[objective], Given(), Given(), settings)
    formula = {
        "mine": dv_bound,
        "nwj": nwj_bound,
        "smile": lambda p, q: smile_bound(p, q, 5.0),
    }[objective]
    expected = [float(formula(*batch)) for batch in batches]
    np.testing.assert_allclose([h["train_bound"] for h in history], expected, rtol=1e-9)
    if objective == "smile":  # the critic is trained on the JS objective instead
        assert all(h["train_loss"] > 0 for h in history)


def test_n_marginal_sets_the_marginal_sample_size():
    X, y, truth = make_gaussian(2000, 2, 2, mi=0.7, random_state=0)
    est = NeuralMutualInfo(n_marginal=1000, **SMALL)
    assert truth - 0.3 < est.fit(X, y).mi_ < truth + 0.08
    with pytest.raises(ValueError, match="n_marginal"):
        NeuralMutualInfo(n_marginal=5000, **TINY).fit(X, y)  # > 1700 training rows
    est = NeuralMutualInfo(n_marginal=5000, marginal="bootstrap", **{**TINY, "max_epochs": 1})
    assert np.isfinite(est.fit(X, y).mi_)  # with replacement any n' works
    with pytest.raises(TypeError, match="n_marginal"):
        NeuralMutualInfo(n_marginal=2.5, **TINY).fit(X, y)


@pytest.mark.parametrize(
    "sizes, error",
    [((-1,), ValueError), ((0,), ValueError), ((2.5,), TypeError), ((True,), TypeError)],
)
def test_bad_hidden_layer_sizes_are_refused_by_name(sizes, error):
    X, y, _ = make_gaussian(100, random_state=0)
    with pytest.raises(error, match=r"hidden_layer_sizes\[0\]"):
        NeuralMutualInfo(**{**TINY, "hidden_layer_sizes": sizes}).fit(X, y)


def test_random_state_instance_is_accepted_and_seeds_the_fit():
    X, y, _ = make_gaussian(300, random_state=0)
    params = {**TINY, "random_state": np.random.RandomState(7)}
    first = NeuralMutualInfo(**params).fit(X, y).mi_
    second = NeuralMutualInfo(**{**params, "random_state": np.random.RandomState(7)}).fit(X, y)
    assert first == second.mi_


def test_device_defaults_to_the_configured_device_and_score_leaves_critic_alone():
    X, y, _ = make_gaussian(300, random_state=0)
    est = NeuralMutualInfo(**TINY)
    assert est.device is None
    with skmi.config_context(device="cpu"):
        est.fit(X, y)
    before = {k: v.clone() for k, v in est.critic_.state_dict().items()}
    est.score(X, y)
    assert not est.critic_.training
    assert all(p.device.type == "cpu" for p in est.critic_.parameters())
    assert all(torch.equal(before[k], v) for k, v in est.critic_.state_dict().items())
    with pytest.raises(ValueError, match="device"):
        NeuralMutualInfo(**{**TINY, "device": "meta"}).fit(X, y)


def test_a_dv_bound_near_log_batch_size_warns_once_at_the_callers_line():
    # 3 nats of MI seen through batches of 4: log(4) = 1.4 nats is the largest
    # density ratio a batch of Q can represent; the estimate saturates.
    X, y, _ = make_gaussian(400, 3, 3, mi=3.0, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        MINE(batch_size=4, **{**SMALL, "max_epochs": 3}).fit(X, y)
    saturation = [w for w in caught if "regime" in str(w.message)]
    assert len(saturation) == 1 and saturation[0].filename == __file__


def test_saturation_rule_on_the_marginal_terms_standard_error():
    from skmi._neural import saturation_reason

    class Pairs:  # held-out pairs whose log E_Q[e^T] has this standard error
        def __init__(self, error):
            self.error = error

        def marginal_standard_error(self, critic, seed):
            return self.error

    assert "standard error" in saturation_reason("nwj", 1.0, None, Pairs(0.2), 256, 0)
    assert saturation_reason("nwj", 1.0, None, Pairs(0.05), 256, 0) is None
    assert "regime" in saturation_reason("dv", 4.5, None, Pairs(0.0), 256, 0)  # > 0.75 log 256
    # SMILE is no bound: its message must not promise that the truth is larger
    smile = saturation_reason("smile", 4.5, None, Pairs(0.0), 256, 0)
    assert "clipping" in smile and "may be much larger" not in smile


def test_standard_error_of_the_marginal_term_is_the_delta_method():
    from skmi._torch.training import EVAL_SHUFFLES, PairedSamples

    x = torch.linspace(-2, 2, 50).reshape(-1, 1)
    pairs = PairedSamples(x, x.clone())
    critic = lambda a, b: 3 * a[:, 0]  # noqa: E731 - T depends on x only: re-pairing keeps it
    w = np.exp(3 * x[:, 0].numpy().astype(np.float64))
    # sd of the mean of w over the 50 pairs of one re-pairing, relative to the
    # mean; the evaluation averages EVAL_SHUFFLES re-pairings
    relative = np.sqrt(np.var(w) / len(w)) / np.mean(w)
    expected = relative / np.sqrt(EVAL_SHUFFLES)
    assert pairs.marginal_standard_error(critic, 0) == pytest.approx(expected, rel=1e-5)
    flat = PairedSamples(x, x.clone()).marginal_standard_error(lambda a, b: 0 * a[:, 0], 0)
    assert flat == pytest.approx(0.0, abs=1e-7)  # equal weights: no error


def test_callbacks_must_be_callbacks():
    X, y, _ = make_gaussian(100, random_state=0)
    with pytest.raises(TypeError, match=r"callbacks\[0\]"):
        NeuralMutualInfo(callbacks=[1], **TINY).fit(X, y)
    with pytest.raises(TypeError, match="callbacks"):
        skmi.kl_divergence(X, y, callbacks="x")


def test_no_saturation_warning_at_a_moderate_mi():
    X, y, _ = make_gaussian(2000, 2, 2, mi=0.5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SkmiWarning)
        MINE(**{**SMALL, "max_epochs": 5}).fit(X, y)


def test_score_checks_the_target_width():
    X, y, _ = make_gaussian(300, 2, 2, random_state=0)
    est = NeuralMutualInfo(**TINY).fit(X, y)
    with pytest.raises(ValueError, match="trained on 2|fitted with 2 y features"):
        est.score(X, y[:, :1])


def test_cuda_request_without_cuda_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    X, y, _ = make_gaussian(100, random_state=0)
    with pytest.raises(ValueError, match="CUDA is not available"):
        NeuralMutualInfo(device="cuda", **TINY).fit(X, y)


@pytest.mark.filterwarnings("ignore::skmi.exceptions.SkmiWarning")
def test_scale_invariant_up_to_the_float_maximum():
    # was: its own standardisation computed A.std(), which overflows: scale
    # 1e200 gave -0.0 and 1e307 NaN. MI does not change with scale, and the
    # standardised inputs (hence the whole training) are the same at any scale.
    X, y, _ = make_gaussian(1000, 2, 1, mi=0.8, random_state=0)
    settings = {**SMALL, "max_epochs": 20}
    base = NeuralMutualInfo(**settings).fit(X, y)
    assert np.isfinite(base.mi_) and base.mi_ > 0.1
    for scale in (1e200, 1e307):
        est = NeuralMutualInfo(**settings).fit(X * scale, y * scale)
        assert est.mi_ == pytest.approx(base.mi_, abs=1e-4), scale
        assert est.score(X * scale, y * scale) == pytest.approx(base.score(X, y), abs=1e-4)
