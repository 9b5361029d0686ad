"""The reference studies' conventions (issue 29), each as an option of skmi:

* study 000: the first n samples of each class (``sampling="first"``);
* study 001: the pairwise plug-in MI matrix of a layer's parts, k-means
  clusters n_bins ** n_parts (``skmi.probe.layer_parts_mutual_info``);
* study 002: MINE's marginal pairs as independent index draws and one fixed
  reference set (``marginal="independent"``, ``resample_marginal=False``),
  and the DV value on the training samples (``kl_divergence(...,
  evaluate_on="training")``).
"""

import numpy as np
import pytest
from scipy.stats import chi2

from skmi.probe import PartsInformation, layer_parts_mutual_info

# -- study 001: the pairwise matrix of a layer's parts -----------------------------------


def _blobs(labels, d, rng, separation=20.0):
    """Rows of a 2-blob mixture in d dimensions: blob ``labels[i]`` plus unit noise."""
    centres = np.vstack([np.zeros(d), np.full(d, separation)])
    return centres[labels] + rng.standard_normal((len(labels), d))


def _balanced_labels(n, rng):
    return rng.permutation(np.repeat([0, 1], n // 2))


def _study_plugin_matrix(labels):
    """The study's plug-in, ported to numpy: p_xy by einsum over one-hot labels,
    ``sum p_xy log(p_xy / (p_x p_y))`` (0 log 0 = 0, as its ``pow(p_xy)`` makes it)."""
    n, n_parts = labels.shape
    onehot = np.eye(labels.max() + 1)[labels]  # (n, n_parts, K)
    p_xy = np.einsum("bij,bkl->ikjl", onehot, onehot) / n
    p_x = np.einsum("iikk->ik", p_xy)
    ratio = p_xy / p_x[None, :, None, :] / p_x[:, None, :, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p_xy > 0, p_xy * np.log(ratio), 0.0)
    return terms.sum(axis=(2, 3))


def test_copies_share_their_entropy_and_independent_parts_share_nothing():
    # parts 0 and 1 are the same units' copies; part 2 is a mixture of two
    # far-apart blobs whose labels are independent of parts 0/1's
    n = 2000
    rng = np.random.default_rng(0)
    z_a, z_b = _balanced_labels(n, rng), _balanced_labels(n, rng)
    a = _blobs(z_a, 3, rng)
    layer = np.hstack([a, a, _blobs(z_b, 2, rng)])
    parts = [[0, 1, 2], [3, 4, 5], [6, 7]]
    result = layer_parts_mutual_info(layer, parts, n_clusters=2, random_state=0)
    assert isinstance(result, PartsInformation) and result.n_clusters == 2
    # k-means finds the blobs: balanced, so the plug-in entropy is log 2 exactly
    for k, z in [(0, z_a), (1, z_a), (2, z_b)]:
        assert abs(np.corrcoef(result.labels[:, k], z)[0, 1]) == pytest.approx(1.0)
    np.testing.assert_allclose(result.entropy, np.log(2), rtol=1e-12)
    np.testing.assert_array_equal(np.diag(result.mi), result.entropy)
    np.testing.assert_array_equal(result.mi, result.mi.T)
    # copies: every part is clustered with the same seed, so identical units
    # get identical labels and I(a; a') = H(a)
    assert result.mi[0, 1] == result.entropy[0]
    # independent labels: 2 n I_plugin -> chi2 with (K - 1)^2 dof; its 99.99 %
    # quantile bounds the plug-in bias (15.1 / 4000 = 0.0038 nats)
    bound = chi2.ppf(0.9999, (2 - 1) ** 2) / (2 * n)
    assert 0 <= result.mi[0, 2] < bound and 0 <= result.mi[1, 2] < bound
    # the study's own formula on these labels gives the same matrix
    np.testing.assert_allclose(_study_plugin_matrix(result.labels), result.mi, atol=1e-12)


def test_the_cluster_count_is_n_bins_to_the_number_of_parts():
    rng = np.random.default_rng(1)
    layer = rng.standard_normal((300, 6))
    assert layer_parts_mutual_info(layer, [[0, 1], [2, 3]], n_bins=3).n_clusters == 9
    assert layer_parts_mutual_info(layer, [[0, 1], [2, 3], [4, 5]]).n_clusters == 8  # 2 ** 3
    direct = layer_parts_mutual_info(layer, [[0, 1], [2, 3]], n_clusters=5, random_state=0)
    assert direct.n_clusters == 5 and direct.labels.max() == 4
    # the occupied clusters bound the entropy: H <= log K
    assert (direct.entropy <= np.log(5) + 1e-12).all()


def test_the_three_forms_of_parts_agree():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    layer = rng.standard_normal((400, 7))
    unit_labels = np.array([1, 0, 1, 1, 0, 0, 1])  # the study's one_hot(...).T form below
    matrix = np.stack([unit_labels == 0, unit_labels == 1])
    as_lists = [[1, 4, 5], [0, 2, 3, 6]]
    results = [
        layer_parts_mutual_info(layer, parts, n_bins=2, random_state=0)
        for parts in (matrix, as_lists, unit_labels)
    ]
    study_form = torch.nn.functional.one_hot(torch.as_tensor(unit_labels)).bool().T
    results.append(
        layer_parts_mutual_info(torch.as_tensor(layer), study_form, n_bins=2, random_state=0)
    )
    for other in results[1:]:
        np.testing.assert_array_equal(other.mi, results[0].mi)
    named = layer_parts_mutual_info(
        layer, np.array(["b", "a", "b", "b", "a", "a", "b"]), n_bins=2, random_state=0
    )
    assert named.names == ["a", "b"]
    np.testing.assert_array_equal(named.mi, results[0].mi)


def test_units_correction_frame_and_inputs_left_alone():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(3)
    layer = rng.standard_normal((500, 4))
    parts = [[0, 1], [2, 3]]
    before, parts_before = layer.copy(), [list(p) for p in parts]
    nats = layer_parts_mutual_info(layer, parts, n_clusters=4, random_state=0)
    bits = layer_parts_mutual_info(layer, parts, n_clusters=4, units="bits", random_state=0)
    np.testing.assert_allclose(bits.mi, nats.mi / np.log(2), rtol=1e-12)
    assert bits.units == "bits"
    corrected = layer_parts_mutual_info(
        layer, parts, n_clusters=4, correction="miller-madow", random_state=0
    )
    occupied = [len(np.unique(nats.labels[:, k])) for k in range(2)]
    expected = nats.entropy + (np.array(occupied) - 1) / (2 * 500)
    np.testing.assert_allclose(corrected.entropy, expected, rtol=1e-12)
    frame = nats.to_frame()
    assert isinstance(frame, pd.DataFrame) and list(frame.index) == [0, 1]
    np.testing.assert_array_equal(frame.to_numpy(), nats.mi)
    np.testing.assert_array_equal(layer, before)
    assert parts == parts_before


@pytest.mark.parametrize(
    "parts, kwargs, match",
    [
        ([[0, 1], [1, 2]], {}, r"parts overlap: unit\(s\) \[1\]"),
        (np.array([[True, True, False], [False, True, True]]), {}, "parts overlap"),
        (np.array([[True, True, False], [False, False, False]]), {}, r"parts\[1\] selects no unit"),
        ([[0, 1], []], {}, r"parts\[1\] must be a non-empty"),
        ([[0, 1]], {}, "parts needs at least two"),
        ([0, 0, 0], {}, "parts needs at least two"),
        ([0, 1], {}, "parts holds 2 labels but the layer has 3 units"),
        ([[0], [5]], {}, r"parts\[1\] holds unit 5"),
        (np.array([[1, 1, 0], [0, 0, 1]]), {}, "as booleans"),
        (np.array([[True, False], [False, True]]), {}, r"parts\[0\] has shape"),
        ("units", {}, "parts must be"),
        ([[0], [1, 2]], {"n_clusters": 50}, "n_clusters=50 clusters exceed the 40 samples"),
        ([[0], [1], [2]], {"n_bins": 4}, r"n_bins \*\* n_parts = 4 \*\* 3 = 64"),
        ([[0], [1, 2]], {"n_bins": 2, "n_clusters": 3}, "n_bins .* or n_clusters, not both"),
        ([[0], [1, 2]], {"units": "hartleys"}, "units"),
        ([[0], [1, 2]], {"correction": "jackknife"}, "correction must be None or"),
        ([], {}, "parts is empty"),
        ([[0], [1, 2]], {"random_state": "x"}, "random_state"),
    ],
)
def test_bad_parts_and_counts_are_refused_by_name(parts, kwargs, match):
    layer = np.random.default_rng(4).standard_normal((40, 3))
    with pytest.raises(ValueError, match=match):
        layer_parts_mutual_info(layer, parts, **kwargs)


def test_bad_activations_and_count_types():
    layer = np.random.default_rng(5).standard_normal((40, 3))
    bad = layer.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="activations"):
        layer_parts_mutual_info(bad, [[0], [1, 2]])
    with pytest.raises(ValueError, match="activations"):
        layer_parts_mutual_info(layer[:, 0], [[0], [1, 2]])  # 1-D
    with pytest.raises(TypeError, match="n_clusters"):
        layer_parts_mutual_info(layer, [[0], [1, 2]], n_clusters=2.5)
    with pytest.raises(ValueError, match="n_bins"):
        layer_parts_mutual_info(layer, [[0], [1, 2]], n_bins=1)


# -- study 000: the first n samples of each class -----------------------------------------


def _ntk_setup():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3)
    ).double()
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 4))
    y = rng.permutation(np.repeat([0, 1, 8], 20))  # classes interleaved in X's order
    return model, X, y


def test_first_per_class_takes_the_first_rows_in_the_order_of_x():
    from skmi import class_mutual_info

    model, X, y = _ntk_setup()
    classes, n = [0, 1, 8], 3
    first_rows = {c: np.flatnonzero(y == c)[:n] for c in classes}
    result = class_mutual_info(model, X, y, classes, n_per_class=n, sampling="first")
    for c in classes:
        np.testing.assert_array_equal(result["indices"][c], first_rows[c])
    # the same as a call on exactly those rows (all of them taken)
    rows = np.sort(np.concatenate(list(first_rows.values())))
    restricted = class_mutual_info(model, X[rows], y[rows], classes, random_state=0)
    for key in ("mi", "normalized_mi"):
        np.testing.assert_allclose(result[key], restricted[key], rtol=1e-12)
    # deterministic: random_state plays no part
    other = class_mutual_info(
        model, X, y, classes, n_per_class=n, sampling="first", random_state=123
    )
    np.testing.assert_array_equal(other["mi"], result["mi"])
    # the default still draws at random: not the first rows for this seed
    drawn = class_mutual_info(model, X, y, classes, n_per_class=n, random_state=0)
    assert any(not np.array_equal(drawn["indices"][c], first_rows[c]) for c in classes)


def test_the_recorder_keeps_the_first_rows_too():
    from skmi import class_mutual_info
    from skmi.probe import NTKClassMIRecorder

    model, X, y = _ntk_setup()
    recorder = NTKClassMIRecorder(model, X, y, [0, 1, 8], n_per_class=2, sampling="first")
    for c in (0, 1, 8):
        np.testing.assert_array_equal(recorder.indices_[c], np.flatnonzero(y == c)[:2])
    row = recorder.record()
    direct = class_mutual_info(model, X, y, [0, 1, 8], n_per_class=2, sampling="first")
    assert row["NMI(1,8)"] == pytest.approx(direct["normalized_mi"][1, 2], rel=1e-12)
    with pytest.raises(ValueError, match="sampling"):
        NTKClassMIRecorder(model, X, y, n_per_class=2, sampling="last")
    with pytest.raises(ValueError, match="sampling"):
        class_mutual_info(model, X, y, n_per_class=2, sampling=None)


# -- study 002: MINE's resampling and the training-set DV value ------------------------


def test_independent_draws_pair_a_sample_with_itself_at_rate_one_over_n():
    torch = pytest.importorskip("torch")
    from skmi._torch.training import marginal_pairs

    n, m = 10, 200_000
    generator = torch.Generator().manual_seed(0)
    j, k = marginal_pairs(n, m, "independent", generator)
    rate = float((j == k).double().mean())
    # binomial: standard error sqrt(p (1 - p) / m) = 0.00067; 5 of them
    assert abs(rate - 1 / n) < 5 * np.sqrt(0.1 * 0.9 / m)
    # j and k uniform on range(n) and independent: every cell near m / n^2
    cells = np.bincount((j * n + k).numpy(), minlength=n * n)
    assert cells.min() > 0.85 * m / n**2 and cells.max() < 1.15 * m / n**2
    for how, size in (("bootstrap", m), ("shuffle", n)):
        j, k = marginal_pairs(n, size, how, generator)
        assert not bool((j == k).any()), how  # skmi's defaults never pair i with i


def _spy_training(resample, n=80, batch_size=16, n_marginal=40, epochs=3):
    """Run train() on a PairedSamples that records the Q pairs of every step."""
    torch = pytest.importorskip("torch")
    from skmi._torch.training import OBJECTIVES, PairedSamples, TrainingSettings, train

    seen = []

    class Spy(PairedSamples):
        def batch(self, critic, idx, objective, settings, generator, q_pairs=None):
            seen.append(None if q_pairs is None else torch.stack(q_pairs, 1).clone())
            return super().batch(critic, idx, objective, settings, generator, q_pairs)

    x = torch.randn(n, 1)
    critic = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))

    class Critic(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = critic

        def forward(self, a, b):
            return self.net(torch.cat([a, b], 1)).squeeze(1)

    settings = TrainingSettings(
        learning_rate=1e-3,
        batch_size=batch_size,
        max_epochs=epochs,
        max_time=None,
        n_iter_no_change=100,
        ema_decay=0.99,
        clip=5.0,
        marginal="independent",
        n_marginal=n_marginal,
        seed=0,
        resample_marginal=resample,
    )
    task = Spy(x, x + 0.1 * torch.randn(n, 1))
    train(Critic(), OBJECTIVES["mine"], task, PairedSamples(x, x), settings)
    return seen, task


def test_a_fixed_reference_set_is_the_q_sample_of_every_epoch():
    seen, task = _spy_training(resample=False)
    steps = 80 // 16
    assert len(seen) == 3 * steps and all(s is not None for s in seen)
    reference = np.stack([p.numpy() for p in task.fixed_reference], 1)
    epochs = [seen[e * steps : (e + 1) * steps] for e in range(3)]
    for epoch in epochs:
        # the epoch's slices are the reference set, in a new order, 8 pairs a step
        assert [len(s) for s in epoch] == [8] * steps
        visited = np.concatenate([s.numpy() for s in epoch])
        rows = visited[np.lexsort(visited.T[::-1])]
        np.testing.assert_array_equal(rows, reference[np.lexsort(reference.T[::-1])])
    assert not np.array_equal(epochs[0][0].numpy(), epochs[1][0].numpy())  # reshuffled
    fresh, fresh_task = _spy_training(resample=True)
    assert all(s is None for s in fresh) and fresh_task.fixed_reference is None


def test_neural_mutual_info_in_the_mine_studys_scheme():
    pytest.importorskip("torch")
    from skmi import NeuralMutualInfo
    from skmi._neural import split_indices
    from skmi.datasets import make_gaussian

    X, y, truth = make_gaussian(200, 1, 1, mi=0.5, random_state=0)
    tiny = dict(hidden_layer_sizes=(8,), batch_size=16, max_epochs=1, max_time=None)
    study = NeuralMutualInfo(
        marginal="independent", resample_marginal=False, n_marginal=20_000, random_state=0, **tiny
    ).fit(X, y)
    reference = study.marginal_reference_
    assert reference.shape == (20_000, 2)
    train_rows, _ = split_indices(200, 0.15, 0)
    assert np.isin(reference, train_rows).all()  # drawn from the training split
    # independent uniform draws: j == k at rate 1 / 170 (118 expected, sd 11)
    same = int((reference[:, 0] == reference[:, 1]).sum())
    assert abs(same - 20_000 / 170) < 5 * np.sqrt(20_000 / 170)
    bootstrap = NeuralMutualInfo(
        marginal="bootstrap", resample_marginal=False, n_marginal=20_000, random_state=0, **tiny
    ).fit(X, y)
    assert not (bootstrap.marginal_reference_[:, 0] == bootstrap.marginal_reference_[:, 1]).any()
    # defaults: fresh Q every step, no reference set kept
    default = NeuralMutualInfo(random_state=0, **tiny)
    assert default.marginal == "shuffle" and default.resample_marginal is True
    assert default.fit(X, y).marginal_reference_ is None


def test_a_fixed_reference_set_needs_a_pair_per_step_and_options_are_checked():
    pytest.importorskip("torch")
    from skmi import NeuralMutualInfo
    from skmi.datasets import make_gaussian

    X, y, _ = make_gaussian(200, 1, 1, mi=0.5, random_state=0)
    tiny = dict(hidden_layer_sizes=(8,), batch_size=16, max_epochs=1, max_time=None)
    with pytest.raises(ValueError, match="n_marginal=5: a fixed reference set"):
        NeuralMutualInfo(resample_marginal=False, n_marginal=5, **tiny).fit(X, y)  # 10 steps
    with pytest.raises(ValueError, match="marginal"):
        NeuralMutualInfo(marginal="replace", **tiny).fit(X, y)
    with pytest.raises((ValueError, TypeError), match="resample_marginal"):
        NeuralMutualInfo(resample_marginal="no", **tiny).fit(X, y)


def test_training_set_dv_value_of_two_gaussians():
    pytest.importorskip("torch")
    from skmi import kl_divergence
    from skmi.callbacks import Callback

    class Record(Callback):
        def __init__(self):
            self.bounds = []

        def on_epoch_end(self, estimator, record):
            self.bounds.append(record["train_bound"])

    rng = np.random.default_rng(0)
    P = rng.normal(0.0, 1.0, size=(2000, 1))
    Q = rng.normal(1.0, 1.0, size=(2000, 1))  # D(P || Q) = 1/2 nats
    settings = dict(hidden_layer_sizes=(32, 32), max_epochs=20, max_time=None, random_state=0)
    held_out, on_training = Record(), Record()
    validation = kl_divergence(P, Q, callbacks=[held_out], **settings)
    training = kl_divergence(P, Q, callbacks=[on_training], evaluate_on="training", **settings)
    # the same critic, trained alike: only where it is evaluated differs
    assert on_training.bounds == held_out.bounds
    assert training != validation
    # At the optimal critic T = 1/2 - z, the DV value on 1700 + 1700 training
    # samples has standard error sqrt(Var_P T / n + Var_Q(e^T) / n) =
    # sqrt((1 + (e - 1)) / 1700) = 0.04 nats; 3 of them, and the training
    # value's optimism is within it for a 32 x 32 critic on one dimension.
    assert abs(training - 0.5) < 0.12
    with pytest.raises(ValueError, match="evaluate_on"):
        kl_divergence(P, Q, evaluate_on="test", **settings)
