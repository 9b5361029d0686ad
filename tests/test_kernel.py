"""KernelMutualInfo and kernel_entropy: analytic cases, independence,
monotonicity, the low-rank path, the torch backend and the memory budget."""

import numpy as np
import pytest
from sklearn.metrics import mutual_info_score

import skmi
from skmi import KernelMutualInfo, kernel_entropy
from skmi.datasets import make_gaussian


def _labels(n, seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, n)
    b = (a + rng.integers(0, 2, n)) % 4
    return a, b


def _delta(labels):
    return (labels[:, None] == labels[None, :]).astype(float)


@pytest.mark.parametrize("alpha", [1.0, 0.5, 2.0])
def test_block_diagonal_grams_give_the_renyi_plug_in(alpha):
    # Delta kernels make block-diagonal Gram matrices whose normalised
    # eigenvalues are the label frequencies: every entropy is the Rényi
    # entropy of the empirical distribution, in closed form.
    a, b = _labels(400, 0)

    def renyi(*cols):
        p = np.unique(np.column_stack(cols), axis=0, return_counts=True)[1] / len(a)
        return -np.sum(p * np.log(p)) if alpha == 1 else np.log(np.sum(p**alpha)) / (1 - alpha)

    est = KernelMutualInfo(alpha=alpha, kernel="precomputed", kernel_y="precomputed")
    est.fit(_delta(a), _delta(b))
    assert est.entropy_x_ == pytest.approx(renyi(a), abs=1e-9)
    assert est.entropy_joint_ == pytest.approx(renyi(a, b), abs=1e-9)
    assert est.mi_ == pytest.approx(renyi(a) + renyi(b) - renyi(a, b), abs=1e-9)
    if alpha == 1:
        assert est.mi_ == pytest.approx(mutual_info_score(a, b), abs=1e-9)


def test_class_target_uses_the_delta_kernel():
    a, b = _labels(300, 1)
    est = KernelMutualInfo(kernel="precomputed").fit(_delta(a), b)
    assert est.discrete_target_
    assert est.mi_ == pytest.approx(mutual_info_score(a, b), abs=1e-9)


def test_independent_data_is_within_the_permutation_null():
    X, _, _ = make_gaussian(500, 2, 2, random_state=0)
    y = np.random.default_rng(1).standard_normal((500, 2))
    est = KernelMutualInfo()
    observed = est.fit(X, y).mi_
    rng = np.random.default_rng(2)
    null = [est.fit(X, y[rng.permutation(500)]).mi_ for _ in range(40)]
    # the kernel estimate has a positive small-sample bias; independence
    # means the observed value looks like a draw from the null
    assert np.mean(np.array(null) >= observed) > 0.05


def test_increases_with_the_correlation_of_a_gaussian_pair():
    values = []
    for rho in [0.0, 0.3, 0.5, 0.7, 0.9, 0.97]:
        X, y, _ = make_gaussian(800, correlation=rho, random_state=0)
        values.append(KernelMutualInfo().fit(X, y).mi_)
    assert np.all(np.diff(values) > 0)


@pytest.mark.parametrize("kernel", ["rbf", "laplacian", "linear"])
def test_kernels_and_bandwidth_rules(kernel):
    # 2-D y: the normalised linear kernel of a scalar keeps only its sign
    X, y, _ = make_gaussian(300, 2, 2, correlation=0.8, random_state=0)
    for bandwidth in ["silverman", "scott", "median", 0.5]:
        est = KernelMutualInfo(kernel=kernel, bandwidth=bandwidth).fit(X, y)
        assert 0 < est.mi_ < np.log(300)
        if kernel == "linear":
            assert est.bandwidth_x_ is None


def test_callable_kernel_equals_the_named_one():
    X, y, _ = make_gaussian(200, 2, 1, correlation=0.6, random_state=0)
    named = KernelMutualInfo(kernel="linear").fit(X, y).mi_
    assert KernelMutualInfo(kernel=lambda a, b: a @ b.T).fit(X, y).mi_ == pytest.approx(named)


def test_nystroem_is_close_to_exact():
    # Errors measured in benchmarks/bench_kernel.py; at 1000 landmarks on a
    # 1-D pair they stay under 0.05 nats.
    X, y, _ = make_gaussian(2000, correlation=0.6, random_state=0)
    exact = KernelMutualInfo(approximation="exact").fit(X, y).mi_
    low_rank = KernelMutualInfo(approximation="nystroem", random_state=0).fit(X, y).mi_
    assert low_rank == pytest.approx(exact, abs=0.05)


def test_memory_budget_refuses_with_advice():
    X, y, _ = make_gaussian(600, random_state=0)
    with skmi.config_context(memory_budget=1_000_000):
        with pytest.raises(ValueError, match="approximation='nystroem'"):
            KernelMutualInfo(approximation="exact").fit(X, y)
        KernelMutualInfo(approximation="nystroem", n_components=50, random_state=0).fit(X, y)
    KernelMutualInfo(approximation="exact").fit(X, y)  # budget restored


def test_torch_backend_equals_numpy():
    pytest.importorskip("torch")
    X, y, _ = make_gaussian(400, 2, 2, correlation=0.5, random_state=0)
    numpy_mi = KernelMutualInfo().fit(X, y).mi_
    torch_mi = KernelMutualInfo(backend="torch", device="cpu").fit(X, y).mi_
    assert torch_mi == pytest.approx(numpy_mi, abs=1e-9)


def test_bad_gram_matrices():
    a, b = _labels(50, 0)
    with pytest.raises(ValueError, match="square"):
        KernelMutualInfo(kernel="precomputed").fit(np.ones((50, 3)), b)
    asymmetric = _delta(a)
    asymmetric[0, 1] = 0.5
    with pytest.raises(ValueError, match="symmetric"):
        KernelMutualInfo(kernel="precomputed").fit(asymmetric, b)
    with pytest.raises(ValueError, match="nystroem"):
        KernelMutualInfo(kernel="precomputed", approximation="nystroem").fit(_delta(a), b)


def test_kernel_entropy_bounds_and_units():
    X = np.random.default_rng(0).standard_normal((200, 3))
    h = kernel_entropy(X)
    assert 0 < h < np.log(200)
    assert kernel_entropy(X, units="bits") == pytest.approx(h / np.log(2))
    assert kernel_entropy(np.zeros((10, 1)), kernel="delta") == pytest.approx(0.0, abs=1e-12)
