"""LayerMIProbe, InformationPlane, the NTK tools and JacobianMutualInfo."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sklearn.base import clone  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from skmi import (  # noqa: E402
    InformationPlane,
    JacobianMutualInfo,
    KSGMutualInfo,
    LayerMIProbe,
    class_mutual_info,
    empirical_ntk,
)
from skmi.probe import noisy_layer_information  # noqa: E402


def _mlp(seed=0, d_in=3):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(d_in, 8),
        torch.nn.ReLU(),
        torch.nn.Linear(8, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 2),
    )


def _data(n=400, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)).astype(np.float32)
    return X, X[:, 0] + 0.3 * rng.standard_normal(n)


def _hook_count(model):
    return sum(len(m._forward_hooks) for m in model.modules())


# -- LayerMIProbe ---------------------------------------------------------------------


def test_transform_matches_a_manual_forward_pass():
    model = _mlp()
    X, _ = _data()
    probe = LayerMIProbe(model, layers=["1", "3"]).fit(X)
    with torch.no_grad():
        hidden = model[1](model[0](torch.tensor(X)))
        second = model[3](model[2](hidden))
    np.testing.assert_allclose(probe.transform(X), np.hstack([hidden, second]), rtol=1e-6)
    blocks = probe.transform_layers(X)
    assert list(blocks) == ["1", "3"] and blocks["1"].shape == (len(X), 8)
    names = probe.get_feature_names_out()
    assert names[0] == "1:0" and names[-1] == "3:7" and len(names) == 16


def test_all_leaf_layers_and_unknown_names():
    model = _mlp()
    probe = LayerMIProbe(model).fit(_data()[0])
    assert probe.layers_ == ["0", "1", "2", "3", "4"]
    with pytest.raises(ValueError, match=r"Unknown layer\(s\) \['fc9'\].*'0', '1'"):
        LayerMIProbe(model, layers="fc9").fit(_data()[0])


@pytest.mark.parametrize("training", [True, False])
def test_mode_restored_and_hooks_removed_after_success(training):
    model = _mlp()
    model.train(training)
    model[2].eval()  # a user-frozen sub-module keeps its own mode
    LayerMIProbe(model, layers="all").fit_transform(_data()[0])
    assert model.training == training and model[2].training is False
    assert _hook_count(model) == 0


class _Exploding(torch.nn.Module):
    """Raises on the second batch, after the hooks have recorded the first."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 4)
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        if self.calls > 1:
            raise RuntimeError("injected failure")
        return self.linear(x)


def test_mode_restored_and_hooks_removed_after_an_exception():
    model = _Exploding().train()
    probe = LayerMIProbe(model, layers="linear", batch_size=50)
    with pytest.raises(RuntimeError, match="injected failure"):
        probe.fit_transform(_data(n=200)[0])
    assert model.training and _hook_count(model) == 0
    assert next(model.parameters()).device.type == "cpu"


def test_device_parameter_returns_the_model_home():
    model = _mlp()
    LayerMIProbe(model, layers="1", device="cpu").fit_transform(_data()[0])
    assert next(model.parameters()).device.type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            LayerMIProbe(model, layers="1", device="cuda").fit(_data()[0])
        assert _hook_count(model) == 0


def test_conv_model_and_torch_input():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 5)
    )
    images = torch.randn(32, 1, 8, 8)
    probe = LayerMIProbe(model, layers=["1", "3"]).fit(images)
    out = probe.transform(images)
    assert out.shape == (32, 4 * 6 * 6 + 5)
    np.testing.assert_allclose(out, probe.transform(images.numpy()), rtol=1e-6)


class _TupleDict(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(3, 2)
        self.b = torch.nn.Linear(3, 3)

    def forward(self, x):
        return {"first": self.a(x), "rest": (self.b(x), None)}


class _Wrapper(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.block = _TupleDict()

    def forward(self, x):
        out = self.block(x)
        return out["first"].sum(1) + out["rest"][0].sum(1)


def test_dict_and_tuple_outputs_are_flattened_in_order():
    model = _Wrapper()
    X = _data()[0]
    out = LayerMIProbe(model, layers="block").fit(X).transform(X)
    with torch.no_grad():
        expected = np.hstack([model.block.a(torch.tensor(X)), model.block.b(torch.tensor(X))])
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_pipeline_scores_the_layer():
    model = _mlp()
    X, y = _data(1000)
    pipe = make_pipeline(LayerMIProbe(model, layers="3"), KSGMutualInfo(random_state=0))
    direct = KSGMutualInfo(random_state=0).fit(LayerMIProbe(model, "3").fit_transform(X), y).mi_
    assert pipe.fit(X, y).score(X, y) == pytest.approx(direct)


def test_the_probe_sees_the_live_model_and_clone_copies_it():
    model = _mlp()
    X, _ = _data()
    probe = LayerMIProbe(model, layers="4").fit(X)
    before = probe.transform(X)
    with torch.no_grad():
        model[4].bias += 1.0  # a "training step"
    np.testing.assert_allclose(probe.transform(X), before + 1.0, rtol=1e-5)
    cloned = clone(probe)
    assert cloned.model is not model  # documented: clone deep-copies


def test_pandas_output():
    pd = pytest.importorskip("pandas")
    X, _ = _data()
    frame = LayerMIProbe(_mlp(), layers="1").set_output(transform="pandas").fit_transform(X)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns)[:2] == ["1:0", "1:1"]


class _Scale(torch.nn.Module):
    """A model with a parameter that accepts any input width (for the checks)."""

    def __init__(self):
        super().__init__()
        self.scale = torch.nn.Parameter(torch.ones(()))
        self.act = torch.nn.Tanh()

    def forward(self, x):
        return self.act(self.scale * x)


@parametrize_with_checks(
    [LayerMIProbe(_Scale(), layers="act")],
    expected_failed_checks=lambda est: {
        "check_estimators_overwrite_params": (
            "A live torch.nn.Module parameter hashes differently after fit "
            "(its tensors are compared by identity), though the probe never changes it."
        ),
    },
)
def test_probe_is_sklearn_compatible(estimator, check):
    check(estimator)


# -- the information plane ------------------------------------------------------------


def test_noisy_layer_information_limits():
    rng = np.random.default_rng(0)
    T = rng.standard_normal((300, 4))
    assert noisy_layer_information(T, 1e-6) == pytest.approx(np.log(300), abs=1e-9)
    assert noisy_layer_information(T, 1e6) == pytest.approx(0.0, abs=1e-6)
    assert noisy_layer_information(np.zeros((50, 3)), 0.1) == pytest.approx(0.0, abs=1e-12)


def test_information_plane_records_and_plots():
    pytest.importorskip("matplotlib")
    pytest.importorskip("pandas")
    model = _mlp(d_in=1)
    X = np.linspace(-3, 3, 300, dtype=np.float32).reshape(-1, 1)
    y = X[:, 0] ** 2 - X[:, 0]
    plane = InformationPlane(model, ["1", "4"], noise_std=0.1, random_state=0)
    plane.record(X, y, loss=1.0)
    plane.record(X, y, loss=0.5)
    frame = plane.to_frame()
    assert list(frame["epoch"]) == [0, 0, 1, 1] and list(frame["loss"]) == [1.0, 1.0, 0.5, 0.5]
    assert (frame["I(X;T)"] <= np.log(300) + 1e-9).all() and (frame["I(X;T)"] >= 0).all()
    assert frame["xt_measure"].iloc[0] == "I(X; T + N(0, 0.1^2)) [kde]"
    ax = plane.plot()
    assert ax.get_xlabel().startswith("I(X; T + N(0, 0.1^2))")
    jacobian_plane = InformationPlane(model, ["1"], noise_std=0.1, xt="jacobian")
    assert jacobian_plane.record(X, y)[0]["I(X;T)"] > 0


def test_information_plane_requires_a_noise_level():
    with pytest.raises(TypeError):
        InformationPlane(_mlp(), ["1"])  # noqa: the point is the missing noise_std
    with pytest.raises(ValueError, match="noise_std"):
        InformationPlane(_mlp(), ["1"], noise_std=0)


def test_dead_layer_scores_zero_not_an_error():
    model = _mlp(d_in=1)
    with torch.no_grad():
        model[0].bias.fill_(-100.0)  # every ReLU unit dead
    X = np.linspace(-1, 1, 100, dtype=np.float32).reshape(-1, 1)
    row = InformationPlane(model, ["1"], noise_std=0.1).record(X, X[:, 0])[0]
    assert row["I(T;Y)"] == 0.0 and row["I(X;T)"] == pytest.approx(0.0, abs=1e-12)


# -- NTK ----------------------------------------------------------------------------------


def test_empirical_ntk_equals_manual_jacobians():
    model = _mlp().double()
    X = np.random.default_rng(0).standard_normal((6, 3))
    gram = empirical_ntk(model, X, batch_size=4)
    rows = []
    for x in torch.tensor(X):
        out = model(x[None]).reshape(-1)
        jac = [
            torch.autograd.grad(out[o], list(model.parameters()), retain_graph=True)
            for o in range(len(out))
        ]
        rows.append(torch.cat([torch.cat([g.reshape(-1) for g in j]) for j in jac]))
    J = torch.stack(rows).detach().numpy()
    np.testing.assert_allclose(gram, J @ J.T, rtol=1e-10)
    assert np.all(np.linalg.eigvalsh(gram) > -1e-8 * np.abs(gram).max())


@pytest.mark.parametrize("joint", ["union", "hadamard"])
def test_class_mutual_info_is_symmetric_and_normalised(joint):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    result = class_mutual_info(
        model,
        X.astype(np.float32) / 16,
        y,
        classes=[0, 1, 8],
        n_per_class=40,
        joint=joint,
        random_state=0,
    )
    nmi, mi = result["normalized_mi"], result["mi"]
    np.testing.assert_array_equal(nmi, nmi.T)
    np.testing.assert_array_equal(mi, mi.T)
    assert ((0 <= nmi) & (nmi <= 1)).all()
    assert all(0 < s < np.log(40) for s in result["entropy"].values())


# -- JacobianMutualInfo ----------------------------------------------------------------------


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
