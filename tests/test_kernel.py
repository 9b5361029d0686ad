"""KernelMutualInfo and kernel_entropy: analytic cases, independence,
monotonicity, the low-rank path, the torch backend and the memory budget."""

import numpy as np
import pytest
from sklearn.base import clone
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
    # Errors measured in benchmarks/speed/bench_binned_kernel.py; at 1000
    # landmarks on a 1-D pair they stay under 0.05 nats.
    X, y, _ = make_gaussian(2000, correlation=0.6, random_state=0)
    exact = KernelMutualInfo(approximation="exact").fit(X, y).mi_
    low_rank = KernelMutualInfo(approximation="nystroem", random_state=0).fit(X, y).mi_
    assert low_rank == pytest.approx(exact, abs=0.05)


def test_memory_budget_refuses_with_advice():
    X, y, _ = make_gaussian(600, random_state=0)
    with skmi.config_context(memory_budget=1_000_000):
        with pytest.raises(ValueError, match="approximation='blocks'"):
            KernelMutualInfo(approximation="exact").fit(X, y)
        with pytest.raises(ValueError, match="block_size"):
            KernelMutualInfo().fit(X, y)  # auto is exact at 600 <= block_size
        KernelMutualInfo(approximation="blocks", block_size=100, random_state=0).fit(X, y)
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


# -- issue 17: no silent switch to a biased approximation ---------------------


def _independent(n, seed, d=2):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.standard_normal((n, d))


@pytest.mark.parametrize("n", [150, 151, 400, 1000])
def test_independent_data_never_negative_across_the_block_switch(n):
    # The exact matrix MI is >= 0 (the Hadamard joint's entropy is at most the
    # sum of the marginal ones, Sanchez Giraldo et al. 2015, Prop. 4.1), and
    # a block average of exact estimates inherits it. Nystroem gave -0.31 at
    # n = 20,000 on such data (issue 17). block_size=150 puts the switch at 150.
    X, y = _independent(n, n)
    est = KernelMutualInfo(block_size=150, random_state=0).fit(X, y)
    assert est.mi_ >= -1e-9


def test_no_jump_at_the_block_switch():
    # One more sample than block_size: two blocks of 150 out of 151 rows, each
    # nearly the whole sample, so the value is the exact one up to the effect
    # of one row (issue 17: 0.407 at n = 2000 against 0.373 at 2001).
    X, y, _ = make_gaussian(151, 1, 1, correlation=0.6, random_state=3)
    exact = KernelMutualInfo(approximation="exact").fit(X, y).mi_
    blocks = KernelMutualInfo(block_size=150, random_state=0).fit(X, y).mi_
    assert blocks == pytest.approx(exact, abs=0.01)


def test_blocks_equal_exact_when_one_block_covers_the_sample():
    X, y, _ = make_gaussian(120, 2, 1, correlation=0.5, random_state=0)
    exact = KernelMutualInfo(approximation="exact").fit(X, y).mi_
    blocks = KernelMutualInfo(approximation="blocks", block_size=120).fit(X, y).mi_
    assert blocks == pytest.approx(exact, abs=1e-12)


def test_blocks_on_labels_average_the_plug_in_of_each_block():
    # delta kernels: every block's estimate is the plug-in MI of its labels
    a, b = _labels(300, 4)
    est = KernelMutualInfo(
        kernel="linear", kernel_y="delta", approximation="blocks", block_size=100, random_state=0
    )
    x = np.eye(4)[a]  # one-hot rows: the normalised linear kernel is the delta kernel
    blocks = _covering(300, 100, 0)
    expected = np.mean([mutual_info_score(a[r], b[r]) for r in blocks])
    assert est.fit(x, b).mi_ == pytest.approx(expected, abs=1e-9)


def _covering(n, size, seed):
    from skmi._kernel import _covering_blocks

    rows = _covering_blocks(n, size, np.random.RandomState(seed))
    assert np.array_equal(np.unique(np.concatenate(rows)), np.arange(n))
    assert all(len(r) == size for r in rows)
    return rows


# -- issue 14: nonsense inputs ------------------------------------------------


def test_renyi_entropy_is_continuous_at_alpha_one():
    # issue 14: alpha = 1 - 1e-15, 1, 1 + 1e-15 gave MI 0.60, 0.95, 1.11
    X, y, _ = make_gaussian(300, 2, 2, correlation=0.6, random_state=0)
    at_one = KernelMutualInfo(alpha=1.0).fit(X, y).mi_
    for alpha in (1 - 1e-15, 1 + 1e-15):
        assert KernelMutualInfo(alpha=alpha).fit(X, y).mi_ == pytest.approx(at_one, abs=1e-9)
    for alpha in (1 - 1e-6, 1 + 1e-6):
        assert KernelMutualInfo(alpha=alpha).fit(X, y).mi_ == pytest.approx(at_one, abs=1e-4)


def test_renyi_entropy_of_known_spectra():
    from skmi._matrix_entropy import entropy_from_eigenvalues

    p = np.array([0.5, 0.25, 0.125, 0.125])
    for alpha in (0.5, 1 - 1e-12, 1.0, 1 + 1e-12, 2.0, 7.0):
        expected = (
            -np.sum(p * np.log(p))
            if abs(alpha - 1) < 1e-9
            else np.log(np.sum(p**alpha)) / (1 - alpha)
        )
        assert entropy_from_eigenvalues(p, alpha) == pytest.approx(expected, rel=1e-9)
    assert entropy_from_eigenvalues(np.full(8, 1 / 8), 3.0) == pytest.approx(np.log(8))


def test_callable_kernel_of_the_wrong_shape_is_refused():
    # issue 14: a callable returning the wrong shape gave 0.0
    X, y, _ = make_gaussian(60, 2, 1, random_state=0)
    with pytest.raises(ValueError, match="kernel callable for X returned shape"):
        KernelMutualInfo(kernel=lambda a, b: np.ones((len(a), 1))).fit(X, y)
    with pytest.raises(ValueError, match="non-finite"):
        KernelMutualInfo(kernel=lambda a, b: np.full((len(a), len(b)), np.nan)).fit(X, y)


def test_precomputed_gram_that_is_not_psd_is_refused():
    # issue 14: a symmetric, non-PSD matrix was accepted (MI 1.92)
    rng = np.random.default_rng(0)
    a, b = _labels(50, 0)
    M = rng.uniform(-1, 1, (50, 50))
    K = (M + M.T) / 2
    np.fill_diagonal(K, 1.0)
    assert np.linalg.eigvalsh(K).min() < -0.1  # clearly not a Gram matrix
    with pytest.raises(ValueError, match="not positive semi-definite"):
        KernelMutualInfo(kernel="precomputed").fit(K, b)
    with pytest.raises(ValueError, match="not positive semi-definite"):
        kernel_entropy(K, kernel="precomputed")


def test_tiny_bandwidths():
    # issue 14: bandwidth=1e-300 raised ZeroDivisionError. Far below the
    # data's spacing every Gram matrix is the identity, so each entropy is
    # log n and the MI log n + log n - log n = log n; below 1e-100 the
    # parameter is refused by name.
    X, y = _independent(80, 0)
    assert KernelMutualInfo(bandwidth=1e-60).fit(X, y).mi_ == pytest.approx(np.log(80), abs=1e-9)
    with pytest.raises(ValueError, match="bandwidth"):
        KernelMutualInfo(bandwidth=1e-300).fit(X, y)


@pytest.mark.parametrize("scale", [1e155, 1e-165, 1e300])
def test_extreme_scales_give_the_unscaled_value(scale):
    # issue 14: 0.0 from a scale of 1e154; MI does not depend on units
    X, y, _ = make_gaussian(200, 2, 1, correlation=0.6, random_state=0)
    for kernel in ("rbf", "laplacian", "linear"):
        plain = KernelMutualInfo(kernel=kernel).fit(X, y).mi_
        scaled = KernelMutualInfo(kernel=kernel).fit(X * scale, y * scale).mi_
        assert scaled == pytest.approx(plain, abs=1e-9)
        assert kernel_entropy(X * scale, kernel=kernel) == pytest.approx(
            kernel_entropy(X, kernel=kernel), abs=1e-9
        )


def test_parameters_are_checked_again_at_score():
    # issue 14: set_params(alpha=-1) after fit, then score, gave 21.9
    X, y, _ = make_gaussian(100, random_state=0)
    est = KernelMutualInfo().fit(X, y)
    est.set_params(alpha=-1)
    with pytest.raises(ValueError, match="alpha"):
        est.score(X, y)


def test_device_defaults_to_the_config():
    assert KernelMutualInfo().device is None


@pytest.mark.parametrize("param", ["alpha", "bandwidth", "block_size", "n_components"])
def test_booleans_are_refused_by_name(param):
    # issue 14: a bool is an int in Python; scikit-learn's Interval lets it through
    X, y, _ = make_gaussian(60, random_state=0)
    with pytest.raises(TypeError, match=param):
        KernelMutualInfo(**{param: True}).fit(X, y)


def test_median_bandwidth_needs_no_cubic_memory():
    # Issue 16: bandwidth="median" built an (m, m, d) difference array (29.8 GiB
    # at n = 1999, d = 1000). The median of pdist over <= 1000 rows is what it
    # must equal: check it on data where the full array would be large.
    import tracemalloc

    from scipy.spatial.distance import pdist

    from skmi._kernel import _bandwidth
    from skmi._preprocessing import standardize

    rng = np.random.default_rng(0)
    X = rng.standard_normal((1999, 300))
    tracemalloc.start()
    width = _bandwidth(X, "rbf", "median")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rows = standardize(X)[::2]
    assert width == pytest.approx(float(np.median(pdist(rows))), rel=1e-12)
    assert peak < 200 * 1024**2  # the old code planned 1000^2 * 300 * 8 B = 2.4 GB


# -- issue 27: the Nyström path keeps to the memory budget ------------------------------


def test_nystroem_with_every_landmark_in_row_blocks_equals_the_exact_estimate():
    # With n landmarks, C W^+ C^T is K itself (up to eigenvalues below 1e-10 of
    # the largest), so the Nyström entropies are the exact ones, however the
    # rows are blocked.
    from skmi._kernel import nystroem_plan

    X, y, _ = make_gaussian(600, correlation=0.6, random_state=0)
    exact = KernelMutualInfo(approximation="exact").fit(X, y)
    budget = 12 * 600 * 600 * 8 + 8 * 600 * 8 + 6 * 600 * 8 * 50
    assert nystroem_plan(600, 600, budget=budget) == 50  # twelve blocks of rows
    with skmi.config_context(memory_budget=budget):
        low_rank = KernelMutualInfo(approximation="nystroem", n_components=600, random_state=0)
        low_rank.fit(X, y)
    for name in ("entropy_x_", "entropy_y_", "entropy_joint_", "mi_"):
        assert getattr(low_rank, name) == pytest.approx(getattr(exact, name), abs=1e-5), name


def test_nystroem_peak_memory_stays_within_the_budget():
    # was: n = 2e5 with a 95 MiB budget peaked at 4.9 GB (whole n x m matrices)
    import tracemalloc

    X, y, _ = make_gaussian(20_000, correlation=0.6, random_state=0)
    free = KernelMutualInfo(approximation="nystroem", n_components=100, random_state=0)
    unbounded = free.fit(X, y).mi_
    budget = 3 * 1024**2  # the whole n x m matrices alone would be 16 MB each
    with skmi.config_context(memory_budget=budget):
        tracemalloc.start()
        try:
            bounded = clone(free).fit(X, y).mi_
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak <= budget
    # the blocks change only the summation order of C^T C; W^-1/2 amplifies
    # that rounding to about 1e-6 nats here (a hundred blocks or more)
    assert bounded == pytest.approx(unbounded, abs=1e-5)
    with skmi.config_context(memory_budget=10**5):
        with pytest.raises(ValueError, match="memory_budget"):
            clone(free).fit(X, y)


def test_object_y_holding_numbers_is_the_float_y():
    # was: an object y of 300 distinct floats read as 300 classes (delta kernel)
    X, y, _ = make_gaussian(300, correlation=0.6, random_state=0)
    as_float = KernelMutualInfo().fit(X, y)
    as_object = KernelMutualInfo().fit(X, np.asarray(y, dtype=object))
    assert not as_object.discrete_target_
    assert as_object.mi_ == pytest.approx(as_float.mi_, abs=1e-12)
    labels = np.repeat(["a", "b", "c"], 100).astype(object)  # symbols stay classes
    assert KernelMutualInfo().fit(X, labels).discrete_target_
