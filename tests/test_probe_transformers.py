"""LayerMIProbe and the NTK tools on Hugging Face transformers (issue 29).

Tiny models built from a config (2 layers, hidden 32): no weights are
downloaded, everything runs on the CPU in seconds.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

import skmi  # noqa: E402
from skmi import LayerMIProbe, class_mutual_info  # noqa: E402

VOCAB, HIDDEN, SEQ = 50, 32, 8


def _bert(seed=0, cls=transformers.BertModel, **extra):
    torch.manual_seed(seed)
    config = transformers.BertConfig(
        vocab_size=VOCAB,
        hidden_size=HIDDEN,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=32,
        pad_token_id=0,
        **extra,
    )
    return cls(config)


def _gpt2(seed=0):
    torch.manual_seed(seed)
    config = transformers.GPT2Config(
        vocab_size=VOCAB,
        n_embd=HIDDEN,
        n_layer=2,
        n_head=2,
        n_positions=32,
        bos_token_id=1,
        eos_token_id=1,
        pad_token_id=0,
    )
    return transformers.GPT2Model(config)


def _batch(n=12, seq=SEQ, seed=0, lengths=None):
    """Token ids (pad 0 after each sequence's length), attention mask, token types."""
    rng = np.random.default_rng(seed)
    ids = rng.integers(2, VOCAB, size=(n, seq))
    if lengths is None:
        lengths = rng.integers(3, seq + 1, size=n)
    mask = (np.arange(seq)[None, :] < np.asarray(lengths)[:, None]).astype(np.int64)
    ids[mask == 0] = 0
    return {
        "input_ids": torch.tensor(ids),
        "attention_mask": torch.tensor(mask),
        "token_type_ids": torch.zeros((n, seq), dtype=torch.long),
    }


def _hidden_states(model, inputs):
    """The model's own hidden states, run by hand in eval mode (float64)."""
    was = model.training
    model.eval()
    with torch.no_grad():
        out = model(**inputs, output_hidden_states=True)
    model.train(was)
    return [h.double() for h in out.hidden_states]


def _by_hand(h, mask, pooling):
    mask = mask.bool()
    if pooling == "tokens":
        return h[mask].numpy()
    if pooling == "mean":
        m = mask[:, :, None].double()
        return ((h * m).sum(1) / m.sum(1)).numpy()
    positions = torch.arange(mask.shape[1])
    if pooling == "cls":
        index = torch.where(mask, positions, mask.shape[1]).min(1).values
    else:
        index = torch.where(mask, positions, -1).max(1).values
    return h[torch.arange(len(h)), index].numpy()


@pytest.fixture(scope="module")
def bert():
    return _bert()


# -- shapes and layer names --------------------------------------------------------


def test_hidden_states_expand_and_shapes(bert):
    X = _batch()
    probe = LayerMIProbe(bert, layers="hidden_states", pooling="mean").fit(X)
    assert probe.layers_ == ["hidden_states.0", "hidden_states.1", "hidden_states.2"]
    assert probe.n_units_ == dict.fromkeys(probe.layers_, HIDDEN)
    assert probe.transform(X).shape == (12, 3 * HIDDEN)
    flat = LayerMIProbe(bert, layers="last_hidden_state").fit(X)
    assert flat.transform(X).shape == (12, SEQ * HIDDEN)  # pooling=None: flattened tokens
    tokens = LayerMIProbe(bert, layers="hidden_states.-1", pooling="tokens").fit(X)
    assert tokens.layers_ == ["hidden_states.2"]
    n_tokens = int(X["attention_mask"].sum())
    assert tokens.transform(X).shape == (n_tokens, HIDDEN)
    index = tokens.sample_index(X)
    assert index.shape == (n_tokens,)
    np.testing.assert_array_equal(np.bincount(index), X["attention_mask"].sum(1).numpy())
    np.testing.assert_array_equal(probe.sample_index(X), np.arange(12))


@pytest.mark.parametrize("pooling", ["cls", "mean", "last", "tokens"])
def test_pooling_matches_hidden_states_by_hand(bert, pooling):
    X = _batch(seed=1)
    hidden = _hidden_states(bert, X)
    # a module name, an output field and its module twin give the same numbers
    layers = ["encoder.layer.0", "hidden_states.1", "hidden_states.2", "last_hidden_state"]
    probe = LayerMIProbe(bert, layers=layers, pooling=pooling, batch_size=5).fit(X)
    blocks = probe.transform_layers(X)
    for name, k in [("encoder.layer.0", 1), ("hidden_states.1", 1), ("hidden_states.2", 2)]:
        expected = _by_hand(hidden[k], X["attention_mask"], pooling)
        np.testing.assert_allclose(blocks[name], expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(blocks["last_hidden_state"], blocks["hidden_states.2"])


def test_batching_slices_every_field_together(bert):
    X = _batch(n=11, seed=2)
    X["token_type_ids"][:, SEQ // 2 :] = 1  # a field that changes the output
    whole = LayerMIProbe(bert, layers="hidden_states", pooling="mean", batch_size=64).fit(X)
    pieces = LayerMIProbe(bert, layers="hidden_states", pooling="mean", batch_size=3).fit(X)
    np.testing.assert_allclose(pieces.transform(X), whole.transform(X), rtol=1e-6, atol=1e-6)


def test_batch_encoding_numpy_and_lists(bert):
    X = _batch(n=6, seed=3)
    expected = LayerMIProbe(bert, "hidden_states.2", pooling="mean").fit_transform(X)
    encoding = transformers.BatchEncoding({k: v.numpy() for k, v in X.items()})
    got = LayerMIProbe(bert, "hidden_states.2", pooling="mean").fit_transform(encoding)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    as_lists = {k: v.tolist() for k, v in X.items()}
    got = LayerMIProbe(bert, "hidden_states.2", pooling="mean").fit_transform(as_lists)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)
    # inputs are never modified, and a boolean mask works like an integer one
    before = {k: v.clone() for k, v in X.items()}
    X_bool = dict(X, attention_mask=X["attention_mask"].bool())
    got = LayerMIProbe(bert, "hidden_states.2", pooling="mean").fit_transform(X_bool)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    for key, value in X.items():
        assert torch.equal(value, before[key])


def test_row_subset_and_fancy_index_slice_all_fields(bert):
    X = _batch(n=10, seed=4)
    probe = LayerMIProbe(bert, "hidden_states.1", pooling="cls").fit(X)
    full = probe.transform(X)
    rows = np.array([7, 2, 5])
    sub = probe.transform({k: v[rows] for k, v in X.items()})
    np.testing.assert_allclose(sub, full[rows], rtol=1e-6, atol=1e-6)


# -- masking: padding never leaks -----------------------------------------------------


@pytest.mark.parametrize("model_factory", [_bert, _gpt2], ids=["bert", "gpt2"])
def test_padding_does_not_change_pooled_values(model_factory):
    model = model_factory()
    rng = np.random.default_rng(5)
    ids = torch.tensor(rng.integers(2, VOCAB, size=(4, 6)))
    short = {"input_ids": ids, "attention_mask": torch.ones_like(ids)}
    pad = torch.zeros((4, 5), dtype=torch.long)
    padded = {
        "input_ids": torch.cat([ids, pad + 0], dim=1),
        "attention_mask": torch.cat([torch.ones_like(ids), pad], dim=1),
    }
    other_pad = dict(padded, input_ids=torch.cat([ids, pad + 7], dim=1))  # other pad ids
    for pooling in ["mean", "cls", "last"]:
        probe = LayerMIProbe(model, "hidden_states", pooling=pooling)
        reference = probe.fit_transform(short)
        np.testing.assert_allclose(probe.transform(padded), reference, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(probe.transform(other_pad), reference, rtol=1e-5, atol=1e-5)
    tokens = LayerMIProbe(model, "last_hidden_state", pooling="tokens")
    np.testing.assert_allclose(
        tokens.fit_transform(padded), tokens.transform(short), rtol=1e-5, atol=1e-5
    )


def test_mean_pooling_ignores_activations_at_padded_positions():
    # an identity model: the "activations" are the input embeddings themselves,
    # with huge values at padded positions that must not reach the mean
    class Echo(torch.nn.Module):
        def forward(self, inputs_embeds, attention_mask):
            return inputs_embeds * 1.0

    emb = torch.randn(3, 5, 4)
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]])
    emb[mask == 0] = 1e30
    X = {"inputs_embeds": emb, "attention_mask": mask}
    out = LayerMIProbe(Echo(), "", pooling="mean").fit_transform(X)
    expected = [emb[i, mask[i].bool()].double().mean(0).numpy() for i in range(3)]
    np.testing.assert_allclose(out, np.stack(expected), rtol=1e-6)
    last = LayerMIProbe(Echo(), "", pooling="last").fit_transform(X)
    np.testing.assert_allclose(last, emb[[0, 1, 2], [2, 4, 0]].double().numpy())


# -- GPT-2 ------------------------------------------------------------------------------


def test_gpt2_blocks_and_last_token():
    model = _gpt2()
    X = _batch(n=7, seed=6)
    del X["token_type_ids"]
    hidden = _hidden_states(model, X)
    probe = LayerMIProbe(model, ["h.0", "h.1", "hidden_states.1"], pooling="last").fit(X)
    blocks = probe.transform_layers(X)
    np.testing.assert_allclose(
        blocks["h.0"], _by_hand(hidden[1], X["attention_mask"], "last"), rtol=1e-6, atol=1e-6
    )
    np.testing.assert_array_equal(blocks["h.0"], blocks["hidden_states.1"])
    # the last block's output is normalised by ln_f before it becomes hidden_states[-1]
    np.testing.assert_allclose(
        LayerMIProbe(model, "ln_f", pooling="mean").fit_transform(X),
        _by_hand(hidden[2], X["attention_mask"], "mean"),
        rtol=1e-6,
        atol=1e-6,
    )
    # the whole model's output (last_hidden_state and a cache object): its first tensor
    whole = LayerMIProbe(model, "", pooling="cls").fit_transform(X)
    np.testing.assert_allclose(whole, _by_hand(hidden[2], X["attention_mask"], "cls"), atol=1e-6)


# -- the model comes back as it was ---------------------------------------------------------


def _modes(model):
    return {name: m.training for name, m in model.named_modules()}


def _hooks(model):
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) for m in model.modules())


def test_model_restored_after_success_and_errors():
    model = _bert(seed=1)
    X = _batch(n=5, seed=7)
    # transformers installs its own output-capturing hooks on the first call with
    # output_hidden_states=True (and keeps them): count skmi's against that
    _hidden_states(model, X)
    model.train()
    model.encoder.layer[0].eval()  # a user's frozen block stays frozen
    modes, hooks = _modes(model), _hooks(model)
    device = next(model.parameters()).device
    LayerMIProbe(model, "hidden_states", pooling="mean", device="cpu").fit_transform(X)
    assert _modes(model) == modes and _hooks(model) == hooks
    bad_ids = dict(X, input_ids=X["input_ids"] + VOCAB)  # out of the vocabulary
    probe = LayerMIProbe(model, "encoder.layer.1", pooling="mean").fit(X)
    with pytest.raises((IndexError, RuntimeError)):
        probe.transform(bad_ids)
    assert _modes(model) == modes and _hooks(model) == hooks
    # an error raised inside skmi's hook, mid forward pass
    with pytest.raises(ValueError, match="pooling"):
        LayerMIProbe(model, ["encoder.layer.0", "pooler"], pooling="mean").fit(X)
    assert _modes(model) == modes and _hooks(model) == hooks
    assert next(model.parameters()).device == device
    assert model.training and not model.encoder.layer[0].training


# -- errors ---------------------------------------------------------------------------------


def test_errors_name_the_problem(bert):
    X = _batch(n=4)
    with pytest.raises(ValueError, match=r"Unknown layer\(s\) \['hidden_state.1'\].*hidden_states"):
        LayerMIProbe(bert, "hidden_state.1").fit(X)
    with pytest.raises(ValueError, match="neither module names"):
        LayerMIProbe(bert, "hidden_states.9").fit(X)
    with pytest.raises(ValueError, match="different numbers of rows"):
        LayerMIProbe(bert, "hidden_states.1").fit(dict(X, attention_mask=X["attention_mask"][:3]))
    with pytest.raises(ValueError, match="not one vector per token"):
        LayerMIProbe(bert, "pooler_output", pooling="cls").fit(X)
    empty = dict(X, attention_mask=X["attention_mask"].clone())
    empty["attention_mask"][2] = 0
    with pytest.raises(ValueError, match=r"Sample\(s\) \[2\].*no real token"):
        LayerMIProbe(bert, "hidden_states.1", pooling="mean").fit_transform(empty)
    with pytest.raises(ValueError, match="pooling"):
        LayerMIProbe(bert, "hidden_states.1", pooling="max").fit(X)
    with pytest.raises(ValueError, match="NaN"):
        floats = {"inputs_embeds": torch.full((2, 3, HIDDEN), float("nan"))}
        LayerMIProbe(bert, "hidden_states.1").fit(floats)
    # per-sample outputs need pooling=None, and then work
    assert LayerMIProbe(bert, "pooler_output").fit_transform(X).shape == (4, HIDDEN)


def test_pooling_on_plain_sequence_tensors():
    # pooling is not transformers-only: a token-id tensor is (n, seq), all real
    model = torch.nn.Sequential(torch.nn.Embedding(VOCAB, 6), torch.nn.Tanh())
    ids = torch.tensor(np.random.default_rng(8).integers(0, VOCAB, (5, 4)))
    out = LayerMIProbe(model, "1", pooling="mean").fit_transform(ids)
    np.testing.assert_allclose(out, torch.tanh(model[0](ids)).double().mean(1).detach(), atol=1e-6)
    with pytest.raises(ValueError, match="no sequence dimension"):
        flat = torch.nn.Linear(3, 2)
        LayerMIProbe(flat, "", pooling="mean").fit(np.ones((4, 3), dtype=np.float32))


# -- information -----------------------------------------------------------------------------


def test_label_of_one_token_is_read_by_pooled_layers(bert):
    # y is a deterministic function of token 1: I(pooled; y) = H(y) = log 4 for a
    # pooled layer injective in that token; the classifier bound reads close to it
    rng = np.random.default_rng(9)
    n = 400
    ids = rng.integers(20, 23, size=(n, SEQ))
    y = rng.integers(0, 4, size=n)
    ids[:, 1] = 10 + y
    X = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    T = LayerMIProbe(bert, "last_hidden_state", pooling="mean").fit_transform(X)
    h_y = np.log(4)
    estimate = skmi.estimate_mi(T, y, random_state=0).estimate
    assert 0.5 * h_y < estimate <= h_y + 1e-9


def test_information_plane_records_a_transformer(bert):
    # token ids as a tensor; the plane's probe takes the pooling
    ids = torch.tensor(np.random.default_rng(10).integers(2, VOCAB, (60, SEQ)))
    y = ids[:, 1].numpy() % 3
    plane = skmi.InformationPlane(bert, ["hidden_states.1", "hidden_states.2"], noise_std=0.5)
    plane.probe.set_params(pooling="mean")
    rows = plane.record(ids, y, epoch=0)
    assert [row["layer"] for row in rows] == ["hidden_states.1", "hidden_states.2"]
    assert all(np.isfinite(row["I(T;Y)"]) and row["I(X;T)"] > 0 for row in rows)


def test_class_mutual_info_on_a_sequence_classifier():
    model = _bert(seed=2, cls=transformers.BertForSequenceClassification, num_labels=2)
    model.train()
    ids = torch.tensor(np.random.default_rng(11).integers(2, VOCAB, (12, 6)))
    y = np.repeat([0, 1], 6)
    result = class_mutual_info(model, ids, y, n_per_class=3, random_state=0)
    nmi = result["normalized_mi"]
    assert nmi.shape == (2, 2) and np.allclose(nmi, nmi.T)
    assert np.isfinite(nmi).all()
    assert model.training and _hooks(model) == 0


# ~2 s alone; up to ~40 s on a loaded 2-core machine after a Numba parallel call
# (its OpenMP layer raises torch's thread count, and the threads spin)
@pytest.mark.slow
def test_gallery_example_runs(tmp_path):
    import runpy
    from pathlib import Path

    pytest.importorskip("matplotlib")
    example = Path(__file__).resolve().parents[1] / "examples" / "plot_probe_transformer.py"
    run = runpy.run_path(str(example), run_name="skmi_example")["run"]
    results = run(steps=40, n_train=400, n_probe=200, out_dir=tmp_path, show=False)
    bound = results["H(label)"]
    for when in ("before", "after"):
        for values in results[when].values():
            assert list(values) == ["hidden_states.0", "hidden_states.1", "hidden_states.2"]
            assert all(0 <= v <= bound + 1e-9 for v in values.values())
    assert results["after"]["mean"]["hidden_states.2"] > 0.5 * bound
    assert (tmp_path / "probe_transformer.png").exists()


def test_information_plane_takes_a_dict_batch_and_its_pooling(bert):
    inputs = _batch(n=60, seed=12)
    y = inputs["input_ids"][:, 0].numpy() % 3
    plane = skmi.InformationPlane(bert, ["hidden_states.1"], noise_std=0.5, pooling="mean")
    rows = plane.record(inputs, y, epoch=0)
    assert len(rows) == 1 and np.isfinite(rows[0]["I(T;Y)"])


def test_class_mutual_info_ignores_padding_in_a_dict_batch():
    # the same sequences, once with extra padding under mask 0: the NTK, and
    # with it the class MI, must not change
    model = _bert(seed=3, cls=transformers.BertForSequenceClassification, num_labels=2)
    model.eval()
    short = _batch(n=8, seq=6, seed=13, lengths=[6] * 8)
    padded = {
        "input_ids": torch.cat([short["input_ids"], torch.zeros((8, 4), dtype=torch.long)], 1),
        "attention_mask": torch.cat(
            [short["attention_mask"], torch.zeros((8, 4), dtype=torch.long)], 1
        ),
        "token_type_ids": torch.zeros((8, 10), dtype=torch.long),
    }
    y = np.repeat([0, 1], 4)
    a = class_mutual_info(model, short, y, n_per_class=3, random_state=0)
    b = class_mutual_info(model, padded, y, n_per_class=3, random_state=0)
    np.testing.assert_allclose(a["normalized_mi"], b["normalized_mi"], rtol=1e-4, atol=1e-6)
