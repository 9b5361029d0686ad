"""LayerMIProbe (skmi/probe/_layers.py): the activations of any torch model's layers,
with the model borrowed safely and handed back as it was."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from _probe_helpers import _data, _hook_count, _mlp  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402

from skmi import (  # noqa: E402
    InformationPlane,
    JacobianMutualInfo,
    KSGMutualInfo,
    LayerMIProbe,
    class_mutual_info,
    empirical_ntk,
)

# -- LayerMIProbe ----------------------------------------------------------------------


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


def test_a_float_tensor_of_the_wrong_width_is_refused_by_name():
    # arrays were checked by validate_data; a tensor reached the model and
    # failed inside torch ("mat1 and mat2 shapes cannot be multiplied")
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    probe = LayerMIProbe(model).fit(torch.rand(30, 4))
    assert probe.n_features_in_ == 4
    with pytest.raises(ValueError, match="X has 5 features, but LayerMIProbe is expecting 4"):
        probe.transform(torch.rand(30, 5))
    assert probe.transform(torch.rand(30, 4)).shape[0] == 30


def test_token_tensors_of_another_length_still_pass():
    # integer ids: a sequence model may see sequences of another length, so
    # no width is recorded or enforced for them
    class Pool(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(10, 3)

        def forward(self, ids):
            return self.embed(ids).mean(dim=1)

    probe = LayerMIProbe(Pool()).fit(torch.randint(0, 10, (20, 6)))
    assert not hasattr(probe, "n_features_in_")
    assert probe.transform(torch.randint(0, 10, (20, 9))).shape[0] == 20


def test_the_probing_guide_pipeline_snippet_runs_as_written(capsys):
    # doc/user_guide/probing.rst: defines its model, names a real layer, and
    # does not warn about the ReLU's ties
    import warnings
    from pathlib import Path

    guide = Path(__file__).resolve().parents[1] / "doc" / "user_guide" / "probing.rst"
    text = guide.read_text()
    block = text.split(".. code-block:: python\n\n", 1)[1].split("\n\n\n", 1)[0]
    lines = block.split("\nA plain", 1)[0].splitlines()
    code = "\n".join(line[3:] for line in lines)
    assert "make_pipeline" in code and "model =" in code
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(compile(code, str(guide), "exec"), {})
    names, score = capsys.readouterr().out.splitlines()
    assert names == "['', '0', '1', '2']"
    # a function of X carries at most I(X; y) = log(1 + 1 / 0.25) / 2
    assert 0.3 < float(score) < 0.5 * np.log(5) + 0.05


# -- safe with any model (issue 16, section 1); some cases run every probe -------------


def _params_snapshot(model):
    return [(p.device, p.detach().clone()) for p in model.parameters()]


@pytest.mark.parametrize(
    "call",
    [
        lambda m, X: LayerMIProbe(m, layers="1", device="meta").fit(X),
        lambda m, X: JacobianMutualInfo(m, noise_var=1.0, device="meta").fit(X),
        lambda m, X: empirical_ntk(m, X, device="meta"),
        lambda m, X: class_mutual_info(m, X, np.repeat([0, 1], 16), device="meta"),
        lambda m, X: LayerMIProbe(m, layers="1", device="tpu:0").fit(X),
    ],
)
def test_a_refused_device_leaves_the_model_untouched(call):
    model = _mlp()
    model.train()
    before = _params_snapshot(model)
    with pytest.raises(ValueError, match="device"):
        call(model, _data(32)[0])
    assert model.training and _hook_count(model) == 0
    for (device, value), p in zip(before, model.parameters(), strict=True):
        assert p.device == device and torch.equal(p.detach(), value)


class _MulInPlace(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 3)

    def forward(self, x):
        x.mul_(2)
        return self.lin(x)


def test_user_tensors_are_never_mutated():
    torch.manual_seed(0)
    relu_first = torch.nn.Sequential(torch.nn.ReLU(inplace=True), torch.nn.Linear(4, 2))
    X = torch.randn(32, 4)
    X0 = X.clone()
    LayerMIProbe(relu_first, layers="1").fit(X).transform(X)
    InformationPlane(relu_first, ["1"], noise_std=0.5, random_state=0).record(X, X0[:, 0].numpy())
    empirical_ntk(relu_first, X)
    assert torch.equal(X, X0)  # the issue: no negative entries were left
    # x.mul_(2) in forward: X unchanged and the activations those of 2 X
    model = _MulInPlace()
    out = LayerMIProbe(model, layers="lin").fit(X).transform(X)
    assert torch.equal(X, X0)
    with torch.no_grad():
        expected = model.lin(2 * X0).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_activations_are_copied_before_later_in_place_ops():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.ReLU(inplace=True)).double()
    X = torch.randn(50, 4, dtype=torch.float64)
    out = LayerMIProbe(model, layers="0").fit(X).transform(X)
    with torch.no_grad():
        expected = model[0](X).numpy()
    assert (expected < 0).any()  # the pre-activation has negative entries ...
    np.testing.assert_allclose(out, expected, rtol=1e-12)  # ... and the probe keeps them


def _token_model(batch_first=True):
    torch.manual_seed(0)

    class Tokens(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = torch.nn.Embedding(20, 8)
            self.block = torch.nn.TransformerEncoderLayer(
                8, 2, dim_feedforward=16, dropout=0.0, batch_first=batch_first
            )
            self.head = torch.nn.Linear(8, 3)

        def forward(self, ids):
            h = self.embed(ids)
            if not batch_first:
                h = h.transpose(0, 1)
            h = self.block(h)
            if not batch_first:
                h = h.transpose(0, 1)
            return self.head(h.mean(1))

    return Tokens()


@pytest.mark.parametrize("batch_first", [True, False])
def test_token_ids_stay_integer_and_sequence_first_outputs_are_mapped(batch_first):
    model = _token_model(batch_first)
    ids = torch.randint(0, 20, (12, 5))
    probe = LayerMIProbe(model, layers=["embed", "block", "head"], batch_size=5).fit(ids)
    out = probe.transform_layers(ids)
    with torch.no_grad():
        model.eval()
        h = model.embed(ids)
        block_in = h if batch_first else h.transpose(0, 1)
        block = model.block(block_in)
        block = block if batch_first else block.transpose(0, 1)
    np.testing.assert_allclose(out["embed"], h.reshape(12, -1).numpy(), rtol=1e-6)
    np.testing.assert_allclose(out["block"], block.reshape(12, -1).numpy(), rtol=1e-5, atol=1e-6)
    assert probe.batch_dims_["block"] == [0 if batch_first else 1]
    np.testing.assert_array_equal(probe.transform(ids.numpy()), probe.transform(ids))
    assert empirical_ntk(model, ids[:4]).shape == (4, 4)


def test_integer_features_into_a_float_model_say_what_to_do():
    with pytest.raises(TypeError, match="astype"):
        LayerMIProbe(_mlp(), layers="1").fit(np.arange(30).reshape(10, 3))


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("n", [2, 3, 300])  # n == num_layers: rows used to be mixed up
def test_lstm_hidden_and_cell_states_map_to_their_samples(batch_first, n):
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(3, 4, num_layers=2 if n != 3 else 3, batch_first=batch_first)
    seq = torch.randn(n, 6, 3)  # the probe's X is always (n_samples, ...)

    class Wrapped(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = lstm

        def forward(self, x):
            return self.lstm(x if batch_first else x.transpose(0, 1))

    model = Wrapped()
    out = LayerMIProbe(model, layers="lstm", batch_size=64).fit(seq).transform(seq)
    with torch.no_grad():
        o, (h, c) = lstm(seq if batch_first else seq.transpose(0, 1))
    o = o if batch_first else o.transpose(0, 1)
    expected = np.hstack(
        [
            o.reshape(n, -1),
            h.transpose(0, 1).reshape(n, -1),
            c.transpose(0, 1).reshape(n, -1),
        ]
    )
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-7)


class _Packed(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = torch.nn.LSTM(3, 4, batch_first=True)

    def forward(self, x):
        lengths = torch.full((len(x),), x.shape[1])
        lengths[0] = 2
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            x, lengths, batch_first=True, enforce_sorted=False
        )
        return self.lstm(packed)


def test_packed_sequence_outputs_are_refused_clearly():
    with pytest.raises(ValueError, match="PackedSequence"):
        LayerMIProbe(_Packed(), layers="lstm").fit(torch.randn(8, 5, 3))


class _BatchMixing(torch.nn.Module):
    def forward(self, x):
        return x @ x.T  # (batch, batch): no single batch dimension


def test_outputs_without_one_batch_dimension_are_refused():
    with pytest.raises(ValueError, match="no single batch dimension"):
        LayerMIProbe(_BatchMixing(), layers="").fit(np.ones((6, 3), dtype=np.float32))


class _Twice(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 3)

    def forward(self, x):
        return self.lin(self.lin(x))


@pytest.mark.parametrize(
    "call",
    [
        lambda m, X: LayerMIProbe(m, layers="lin").fit(X),
        lambda m, X: JacobianMutualInfo(m, layer="lin", noise_var=1.0).fit(X),
    ],
)
def test_a_layer_called_twice_is_refused_everywhere(call):
    with pytest.raises(ValueError, match="called 2 times"):
        call(_Twice(), _data(20)[0])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_round_trip_restores_a_split_model():
    model = _mlp()
    model[4].cuda()  # a model spread over two devices stays spread
    X = _data(64)[0]
    for call in (
        lambda: LayerMIProbe(model, layers="3", device="cuda").fit_transform(X),
        lambda: empirical_ntk(model, X[:8], device="cuda"),
        lambda: JacobianMutualInfo(model, noise_var=1.0, device="cuda").fit(X[:8]),
    ):
        call()
        assert [p.device.type for p in model.parameters()] == ["cpu"] * 4 + ["cuda"] * 2


# -- issue 27: one borrowing at a time; modes switched by the modules' own train() -----


class _SlowBatchNormNet(torch.nn.Module):
    """BatchNorm and Dropout, with a pause in forward so that threads interleave."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 6)
        self.norm = torch.nn.BatchNorm1d(6)
        self.drop = torch.nn.Dropout(0.5)
        self.out = torch.nn.Linear(6, 2)

    def forward(self, x):
        import time

        time.sleep(0.002)
        return self.out(self.drop(self.norm(self.linear(x))))


def test_threads_on_one_train_mode_model_leave_it_as_it_was():
    # was: one thread restored train mode while another ran (BatchNorm stats
    # updated), and the model could be left in eval mode
    import copy
    from concurrent.futures import ThreadPoolExecutor

    torch.manual_seed(0)
    model = _SlowBatchNormNet().train()
    with torch.no_grad():  # non-trivial running statistics
        model.norm.running_mean.fill_(0.3)
        model.norm.running_var.fill_(2.0)
    before = {k: v.clone() for k, v in model.norm.state_dict().items()}
    X = _data(64)[0]
    reference = copy.deepcopy(model).eval()  # the eval-mode forward pass, by hand
    with torch.no_grad():
        expected = reference(torch.tensor(X)).double().numpy()
    probe = LayerMIProbe(model, layers="", batch_size=16).fit(X)

    def calls(_):
        return [probe.transform(X) for _ in range(4)]

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = [r for batch in pool.map(calls, range(3)) for r in batch]
    assert len(results) == 12
    for result in results:
        np.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-7)
    assert model.training and all(m.training for m in model.modules())
    for key, value in model.norm.state_dict().items():
        assert torch.equal(value, before[key]), key


class _SwitchedByTrain(torch.nn.Module):
    """A module whose train() does more than set the flag."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 4)
        self.state = "train"
        self.seen = []
        self.switches = 0

    def train(self, mode=True):
        super().train(mode)
        self.state = "train" if mode else "eval"
        self.switches += 1
        return self

    def forward(self, x):
        self.seen.append(self.state)
        return self.linear(x)


def test_modes_are_switched_and_restored_by_the_modules_own_train():
    # was: the probe set module.training directly, so _SwitchedByTrain ran with
    # state "train" in eval mode, or was left with state "eval" in train mode
    inner = _SwitchedByTrain()
    frozen = torch.nn.Linear(4, 4)
    model = torch.nn.Sequential(inner, torch.nn.ReLU(), frozen).train()
    frozen.eval()  # a user-frozen sub-module keeps its own mode
    LayerMIProbe(model, layers="0").fit_transform(_data(20)[0])
    assert set(inner.seen) == {"eval"}
    assert inner.state == "train" and inner.training
    assert model.training and model[1].training and not frozen.training
    # and the same model, all in eval mode, stays so
    model.eval()
    inner.seen.clear()
    LayerMIProbe(model, layers="0").fit_transform(_data(20)[0])
    assert set(inner.seen) == {"eval"} and inner.state == "eval"
    assert not any(m.training for m in model.modules())


def test_a_scripted_model_gets_the_real_reason_and_comes_back_unchanged():
    # issue 27, tier 3: the real error was masked by an AttributeError from
    # restoring placements ('OrderedDictWrapper' has no 'get')
    torch.manual_seed(0)
    model = torch.jit.script(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh()))
    model.train()
    X = np.random.default_rng(0).standard_normal((20, 2)).astype(np.float32)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(TypeError, match="torch.jit.script"):
        LayerMIProbe(model, layers="1").fit_transform(X)
    assert model.training
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k])
