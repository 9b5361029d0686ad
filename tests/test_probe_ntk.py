"""empirical_ntk, class_mutual_info and NTKClassMIRecorder (skmi/probe/_ntk.py):
the empirical neural tangent kernel and the information between classes."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from _probe_helpers import _data, _mlp  # noqa: E402

from skmi import InformationPlane, class_mutual_info, empirical_ntk  # noqa: E402


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


def test_class_mutual_info_accepts_lists():
    model = _mlp()
    X, _ = _data(40)
    labels = np.arange(40) % 2
    from_list = class_mutual_info(model, X.tolist(), labels.tolist(), random_state=0)
    from_array = class_mutual_info(model, X, labels, random_state=0)
    np.testing.assert_allclose(from_list["mi"], from_array["mi"], rtol=1e-6)


def test_a_user_backward_hook_does_not_break_empirical_ntk():
    model = _mlp().double()
    X = np.random.default_rng(0).standard_normal((5, 3))
    plain = empirical_ntk(model, X)
    seen = []
    model[0].register_full_backward_hook(lambda mod, gi, go: seen.append(1))
    model[2].register_forward_hook(lambda mod, i, o: seen.append(o.detach().numpy()))
    np.testing.assert_allclose(empirical_ntk(model, X), plain, rtol=1e-10)
    assert len(model[0]._backward_hooks) == 1  # the user's hook is back


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_ntk_refuses_non_finite_inputs_and_keeps_the_linear_kernel(bad):
    from skmi.probe import class_mutual_info, empirical_ntk

    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1).double()
    X = torch.randn(6, 3, dtype=torch.float64)
    # f(x) = w.x + b: the gradient in (w, b) is (x, 1), so K(x, x') = x.x' + 1
    gram = empirical_ntk(model, X)
    np.testing.assert_allclose(gram, (X @ X.T + 1).numpy(), atol=1e-10)
    X_bad = X.clone()
    X_bad[2, 1] = bad
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        empirical_ntk(model, X_bad)
    with pytest.raises(ValueError, match="X2 contains NaN or infinity"):
        empirical_ntk(model, X, X_bad.numpy())
    with pytest.raises(ValueError, match="X contains NaN or infinity"):
        class_mutual_info(model, X_bad, np.arange(6) % 2)
    assert not model._forward_hooks


def test_memory_budget_is_consulted_before_an_n_by_n_allocation():
    import skmi

    model = _mlp()
    X, y = _data(200)
    labels = np.repeat([0, 1], 100)
    with skmi.config_context(memory_budget=10**5):
        n_params = sum(p.numel() for p in model.parameters())
        # the peak: Jacobians + the Gram matrix + one sample's float32 intermediates
        needed = 200 * 2 * n_params * 8 + 200 * 200 * 8 + 2 * n_params * (3 * 4 + 8)
        with pytest.raises(ValueError, match=f"{needed:,} bytes"):
            empirical_ntk(model, X)
        with pytest.raises(ValueError, match="memory budget"):
            class_mutual_info(model, X, labels)
        # the information plane never builds an n x n matrix: it works in row blocks
        row = InformationPlane(model, ["1"], noise_std=0.1, random_state=0).record(X, y)[0]
    assert np.isfinite(row["I(X;T)"])


def test_a_small_budget_shrinks_ntk_batches_and_keeps_the_value(monkeypatch):
    # was: only the final Jacobians were counted, not the per-batch copies (nor
    # the list of pieces joined at the end, which held the result twice)
    import skmi
    import skmi._torch.ntk as ntk

    model = _mlp().double()
    X = _data(60)[0].astype(np.float64)
    J = []  # the Gram matrix by hand: one sample, one output at a time
    for x in torch.tensor(X):
        out = model(x[None])[0]
        per_output = []
        for o in range(len(out)):
            grads = torch.autograd.grad(out[o], list(model.parameters()), retain_graph=True)
            per_output.append(torch.cat([g.reshape(-1) for g in grads]))
        J.append(torch.stack(per_output).detach().numpy())
    J = np.stack(J)
    expected = J.reshape(60, -1) @ J.reshape(60, -1).T

    sizes = []
    real = ntk.to_model_input

    def spy(batch, dtype, device):
        sizes.append(len(batch))
        return real(batch, dtype, device)

    monkeypatch.setattr(ntk, "to_model_input", spy)
    n_params = sum(p.numel() for p in model.parameters())
    fixed = 60 * 2 * n_params * 8 + 60 * 60 * 8
    per_sample = 2 * n_params * (3 * 8 + 8)
    np.testing.assert_allclose(empirical_ntk(model, X, batch_size=32), expected, rtol=1e-10)
    assert max(sizes[1:]) == 32  # (sizes[0] is the one-sample probe of the output size)
    sizes.clear()
    with skmi.config_context(memory_budget=fixed + 5 * per_sample):
        small = empirical_ntk(model, X, batch_size=32)
    assert max(sizes[1:]) == 5
    np.testing.assert_allclose(small, expected, rtol=1e-10)
    with skmi.config_context(memory_budget=fixed + per_sample - 1):
        with pytest.raises(ValueError, match=f"{fixed + per_sample:,} bytes"):
            empirical_ntk(model, X, batch_size=32)


# -- the NTK convention of study 000 ---------------------------------------------------


def _per_sample_jacobians(model, X):
    """(n, C, P) by torch.autograd, one sample and output at a time."""
    params = [p for p in model.parameters() if p.requires_grad]
    rows = []
    for x in torch.as_tensor(X):
        out = model(x[None]).reshape(-1)
        per_output = [
            torch.cat(
                [g.reshape(-1) for g in torch.autograd.grad(out[o], params, retain_graph=True)]
            )
            for o in range(len(out))
        ]
        rows.append(torch.stack(per_output))
    return torch.stack(rows).detach().double().numpy()


def _study_entropy(K):
    """Study 000: eigenvalues normalised to sum 1, cut-off 1e-14, -sum p log p."""
    lam = np.linalg.eigvalsh(K)
    lam = lam / lam.sum()
    lam = lam[lam > 1e-14]
    return -np.sum(lam * np.log(lam))


def _digits_study_setup():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    torch.manual_seed(0)
    model = torch.nn.Sequential(  # the study's DenseModule: 32, 32, 10
        torch.nn.Linear(64, 32),
        torch.nn.ReLU(),
        torch.nn.Linear(32, 32),
        torch.nn.ReLU(),
        torch.nn.Linear(32, 10),
    ).double()
    return model, X / 16.0, y


def test_full_empirical_ntk_equals_per_sample_gradients():
    model, X, _ = _digits_study_setup()
    J = _per_sample_jacobians(model, X[:5])  # (5, 10, P)
    full = empirical_ntk(model, X[:5], outputs="full", batch_size=2)
    np.testing.assert_allclose(full, J.reshape(50, -1) @ J.reshape(50, -1).T, rtol=1e-10)
    summed = empirical_ntk(model, X[:5])
    np.testing.assert_allclose(summed, np.einsum("iop,jop->ij", J, J), rtol=1e-10)
    np.testing.assert_allclose(summed, full.reshape(5, 10, 5, 10).trace(axis1=1, axis2=3))


@pytest.mark.parametrize("n_per_class", [2, 5])
def test_class_mutual_info_in_the_study_convention(n_per_class):
    model, X, y = _digits_study_setup()
    classes = [0, 1, 8]
    result = class_mutual_info(
        model,
        X,
        y,
        classes,
        outputs="full",
        normalize="trace",
        n_per_class=n_per_class,
        random_state=0,
    )
    # independent: per-sample autograd Jacobians of the same rows, full NTK, study entropy
    rows = {c: result["indices"][c] for c in classes}
    J = {c: _per_sample_jacobians(model, X[rows[c]]) for c in classes}
    S = {
        c: _study_entropy(J[c].reshape(-1, J[c].shape[2]) @ J[c].reshape(-1, J[c].shape[2]).T)
        for c in classes
    }
    for k, c in enumerate(classes):
        assert result["entropy"][c] == pytest.approx(S[c], rel=1e-9)
        for m, d in enumerate(classes):
            if m <= k:
                continue
            both = np.concatenate([J[c], J[d]]).reshape(-1, J[c].shape[2])
            s_union = _study_entropy(both @ both.T)
            nmi = 2 * (S[c] + S[d] - s_union) / (S[c] + S[d])
            assert result["normalized_mi"][k, m] == pytest.approx(nmi, rel=1e-8)
            assert 0.5 < nmi < 1.0  # an untrained network confuses the classes
    # the defaults are the study's convention
    default = class_mutual_info(model, X, y, classes, n_per_class=n_per_class, random_state=0)
    np.testing.assert_array_equal(default["normalized_mi"], result["normalized_mi"])


def test_class_mutual_info_defaults_stay_in_zero_one_at_two_per_class():
    # The old defaults (outputs="sum", normalize="diagonal") gave a "normalised" MI
    # of -0.60 at two samples per class (-2.03 after training): two samples hold at
    # most log 2 nats. The defaults are now the study's; checked against the
    # independent computation above, before and after training.
    model, X, y = _digits_study_setup()
    classes = [0, 1, 8]

    def independent(indices):
        J = {c: _per_sample_jacobians(model, X[indices[c]]) for c in classes}
        flat = {c: J[c].reshape(-1, J[c].shape[2]) for c in classes}
        S = {c: _study_entropy(flat[c] @ flat[c].T) for c in classes}
        both = np.vstack([flat[0], flat[1]])
        return 2 * (S[0] + S[1] - _study_entropy(both @ both.T)) / (S[0] + S[1])

    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    data, target = torch.tensor(X[:300]), torch.tensor(y[:300])
    for trained in (False, True):
        if trained:
            for _ in range(30):
                optimizer.zero_grad()
                torch.nn.functional.cross_entropy(model(data), target).backward()
                optimizer.step()
        result = class_mutual_info(model, X, y, classes, n_per_class=2, random_state=0)
        nmi = result["normalized_mi"]
        assert ((0 <= nmi) & (nmi <= 1)).all(), (trained, nmi)
        assert nmi[0, 1] == pytest.approx(independent(result["indices"]), rel=1e-8)


def test_union_mi_is_negative_for_identical_points():
    # a linear map without bias: its NTK is x . x'; class a = 3 copies of e1 (S = 0),
    # class b = e2, e3, e4 (S = log 3); union spectrum (1/2, 1/6, 1/6, 1/6)
    model = torch.nn.Linear(4, 1, bias=False).double()
    X = np.vstack([np.tile([1.0, 0, 0, 0], (3, 1)), np.eye(4)[1:]])
    y = np.array([0, 0, 0, 1, 1, 1])
    union = -(0.5 * np.log(0.5) + 0.5 * np.log(1 / 6))
    for outputs, normalize in [("sum", "diagonal"), ("full", "trace")]:
        result = class_mutual_info(model, X, y, outputs=outputs, normalize=normalize)
        assert result["entropy"][0] == pytest.approx(0.0, abs=1e-12)
        assert result["entropy"][1] == pytest.approx(np.log(3), abs=1e-12)
        assert result["mi"][0, 1] == pytest.approx(np.log(3) - union, abs=1e-12)
        assert result["mi"][0, 1] == pytest.approx(-0.144, abs=5e-4)


def test_class_mutual_info_refuses_labels_that_do_not_match_x():
    model, X, y = _digits_study_setup()
    with pytest.raises(ValueError, match="y has 100 labels but X has"):
        class_mutual_info(model, X, y[:100])
    with pytest.raises(ValueError, match="outputs"):
        class_mutual_info(model, X, y, outputs="diag")
    with pytest.raises(ValueError, match="normalize"):
        class_mutual_info(model, X, y, normalize="none")


def test_ntk_recorder_tracks_class_nmi_per_epoch():
    pytest.importorskip("pandas")
    from skmi.probe import NTKClassMIRecorder

    model, X, y = _digits_study_setup()
    recorder = NTKClassMIRecorder(model, X, y, [0, 1, 8], n_per_class=2, random_state=0)
    first = recorder.record(loss=2.3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    data, target = torch.tensor(X[:300]), torch.tensor(y[:300])
    for _ in range(20):
        optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(data), target).backward()
        optimizer.step()
    second = recorder.record()
    frame = recorder.to_frame()
    assert list(frame["epoch"]) == [0, 1] and frame["loss"].iloc[0] == 2.3
    assert {"S(0)", "S(1)", "S(8)", "NMI(0,1)", "NMI(0,8)", "NMI(1,8)"} <= set(frame)
    assert first["NMI(0,1)"] != second["NMI(0,1)"]  # the same samples, a changed network
    direct = class_mutual_info(
        model,
        X,
        y,
        [0, 1, 8],
        outputs="full",
        normalize="trace",
        n_per_class=2,
        random_state=0,
    )
    assert second["NMI(1,8)"] == pytest.approx(direct["normalized_mi"][1, 2], rel=1e-12)
