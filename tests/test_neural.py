"""NeuralMutualInfo / MINE: bounds behave as bounds, seeding, the critic
options, and the scikit-learn contract (with tiny training budgets)."""

import pickle
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from skmi import MINE, NeuralMutualInfo  # noqa: E402
from skmi.datasets import make_gaussian  # noqa: E402
from skmi.exceptions import SkmiWarning  # noqa: E402

TINY = dict(hidden_layer_sizes=(8,), batch_size=16, max_epochs=2, max_time=None, random_state=0)
SMALL = dict(hidden_layer_sizes=(64, 64), max_epochs=40, random_state=0)


@parametrize_with_checks(
    [NeuralMutualInfo(**TINY), MINE(**TINY), NeuralMutualInfo(objective="infonce", **TINY)]
)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkmiWarning)
        check(estimator)


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


def test_verbose_and_tensorboard_messages(tmp_path):
    X, y, _ = make_gaussian(200, random_state=0)
    NeuralMutualInfo(verbose=True, **TINY).fit(X, y)  # tqdm is a test dependency
    try:
        import torch.utils.tensorboard  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pip install tensorboard"):
            NeuralMutualInfo(log_dir=str(tmp_path), **TINY).fit(X, y)
    else:  # pragma: no cover - depends on the environment
        NeuralMutualInfo(log_dir=str(tmp_path), **TINY).fit(X, y)
        assert any(tmp_path.iterdir())


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
