"""JacobianMutualInfo (skmi/probe/_jacobian.py): the local linear-Gaussian
information of a network, averaged over samples."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from _probe_helpers import _data, _mlp  # noqa: E402

from skmi import JacobianMutualInfo  # noqa: E402


def test_jacobian_mi_equals_the_linear_closed_form():
    torch.manual_seed(0)
    layer = torch.nn.Linear(5, 6).double()
    W = layer.weight.detach().numpy()
    X = np.random.default_rng(0).standard_normal((20, 5))

    def logdet(A):
        return np.linalg.slogdet(A)[1]

    C = W @ W.T + 0.1 * np.eye(6)  # 6 outputs of 5 inputs: noise keeps C regular
    between = 0.5 * (logdet(C[:3, :3]) + logdet(C[3:, 3:]) - logdet(C))
    est = JacobianMutualInfo(layer, groups=([0, 1, 2], [3, 4, 5]), noise_var=0.1).fit(X)
    assert est.mi_ == pytest.approx(between, abs=1e-6)
    through_noise = 0.5 * logdet(np.eye(6) + W @ W.T / 0.5)
    assert JacobianMutualInfo(layer, noise_var=0.5).fit(X).mi_ == pytest.approx(
        through_noise, abs=1e-6
    )


def test_jacobian_mi_of_an_mlp_layer():
    model = _mlp().double()
    X = np.random.default_rng(0).standard_normal((30, 3))
    est = JacobianMutualInfo(model, layer="3", noise_var=0.01).fit(X)
    assert est.mi_ > 0 and est.pointwise_mi(X).shape == (30,)
    assert est.score(X) == pytest.approx(est.mi_)
    with pytest.raises(ValueError, match="noise_var > 0"):
        JacobianMutualInfo(model).fit(X)


def test_jacobian_sets_n_features_in_and_checks_it():
    model = _mlp()
    X = _data(50)[0]
    est = JacobianMutualInfo(model, noise_var=1.0).fit(X)
    assert est.n_features_in_ == 3
    with pytest.raises(ValueError, match="X has 4 features, but JacobianMutualInfo is expecting 3"):
        est.score(np.ones((5, 4), dtype=np.float32))
    est.fit(torch.from_numpy(X))  # a float tensor counts too
    assert est.n_features_in_ == 3
    conv = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2))
    images = np.random.default_rng(0).standard_normal((20, 1, 2, 2)).astype(np.float32)
    est = JacobianMutualInfo(conv, noise_var=1.0).fit(np.ones((20, 4), dtype=np.float32))
    est.set_params(model=conv).fit(images)  # no feature count for images
    assert not hasattr(est, "n_features_in_")


def test_jacobian_memory_budget_is_consulted():
    import skmi

    model = _mlp()
    # the peak: the float64 result (400 x 2 x 3) and one sample's intermediates
    # (three float32 copies and a float64 one of its 2 x 3 Jacobian)
    peak = 400 * 2 * 3 * 8 + 2 * 3 * (3 * 4 + 8)
    with skmi.config_context(memory_budget=1000):
        with pytest.raises(ValueError, match=f"{peak:,} bytes"):
            JacobianMutualInfo(model, noise_var=1.0).fit(_data()[0])


def test_jacobian_memory_budget_counts_the_peak_and_shrinks_the_batch():
    import skmi

    model, X = _mlp(), _data()[0]
    result = 400 * 2 * 3 * 8
    expected = JacobianMutualInfo(model, noise_var=1.0).fit(X).mi_
    # the result alone fits, the result and one sample's intermediates do not
    with skmi.config_context(memory_budget=result + 10):
        with pytest.raises(ValueError, match="memory budget"):
            JacobianMutualInfo(model, noise_var=1.0).fit(X)
    # room for the result and a few samples: smaller batches, the same answer
    with skmi.config_context(memory_budget=result + 5 * 2 * 3 * 20):
        small = JacobianMutualInfo(model, noise_var=1.0, batch_size=64).fit(X).mi_
    assert small == pytest.approx(expected, rel=1e-12)


# -- groups, ranks and bad input (issues 14 and 16) ------------------------------------


def _fixed_linear(W):
    layer = torch.nn.Linear(W.shape[1], W.shape[0], bias=False).double()
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(W))
    return layer


def test_jacobian_total_correlation_of_three_groups():
    W = np.random.default_rng(0).standard_normal((6, 4))
    C = W @ W.T + 0.1 * np.eye(6)
    groups = ([0, 1], [2, 3], [4, 5])

    def logdet(A):
        return np.linalg.slogdet(A)[1]

    total = 0.5 * (sum(logdet(C[np.ix_(g, g)]) for g in groups) - logdet(C))
    X = np.zeros((3, 4))
    est = JacobianMutualInfo(_fixed_linear(W), groups=groups, noise_var=0.1).fit(X)
    assert est.mi_ == pytest.approx(total, abs=1e-9)
    assert total > 0.1  # a real total correlation, not a trivial one


def test_jacobian_rank_deficient_groups_are_decided_by_rank():
    # the issue: a random Linear(3, 6), groups of 3 and 3 -> always infinite
    for seed in range(4):
        torch.manual_seed(seed)
        layer = torch.nn.Linear(3, 6)
        with pytest.warns(UserWarning, match="infinite"):
            est = JacobianMutualInfo(layer, groups=([0, 2, 4], [1, 3, 5])).fit(np.ones((2, 3)))
        assert est.mi_ == np.inf
    # degenerate but finite: group 1 = (x1, 2 x1), group 2 = (x2 + x1 / 2, x3), x ~ N(0, I)
    W = np.array([[1.0, 0, 0], [2.0, 0, 0], [0.5, 1.0, 0], [0, 0, 1.0]])
    est = JacobianMutualInfo(_fixed_linear(W), groups=([0, 1], [2, 3])).fit(np.zeros((2, 3)))
    assert est.mi_ == pytest.approx(0.5 * np.log(1.25), abs=1e-12)  # I(x1; x2 + x1 / 2)


@pytest.mark.parametrize(
    "kwargs, X, match",
    [
        ({"layer": "nope", "noise_var": 1.0}, None, "Unknown layer"),
        ({"groups": ([0, 1], [1, 2])}, None, "overlap"),
        ({"groups": ([0, -1], [2])}, None, "negative"),
        ({"groups": ([], [1])}, None, "non-empty"),
        ({"groups": ([0, 1],)}, None, "at least two"),
        ({"groups": ([0], [7])}, None, "unit 7"),
        ({"noise_var": 1.0, "input_cov": [[1.0, 2.0], [2.0, 1.0]]}, None, "semi-definite"),
        ({"noise_var": 1.0}, np.array([[np.nan, 1.0]]), "NaN"),
    ],
)
def test_jacobian_bad_inputs_are_refused_by_name(kwargs, X, match):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh())
    X = np.ones((4, 2)) if X is None else X
    with pytest.raises(ValueError, match=match):
        JacobianMutualInfo(model, **kwargs).fit(X)
    with pytest.raises(ValueError, match="NaN"):
        JacobianMutualInfo(model, noise_var=1.0).fit(torch.tensor([[float("nan"), 1.0]]))
