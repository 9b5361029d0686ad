"""Mutual information on dask data: reductions on the cluster, no gathering.

The cluster tests start their own ``LocalCluster`` on 127.0.0.1 (2 worker
processes under a memory limit) and reach no other address.
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
distributed = pytest.importorskip("dask.distributed")

from skmi import (  # noqa: E402  (after the importorskips)
    BinnedMutualInfo,
    GaussianMutualInfo,
    KernelMutualInfo,
    KSGMutualInfo,
    MutualInfoSelector,
    mutual_info_classif,
    mutual_info_matrix,
    mutual_info_regression,
    mutual_info_score_func,
    sample_rows,
)
from skmi.datasets import make_gaussian  # noqa: E402
from skmi.exceptions import ConstantColumnWarning, SkmiWarning  # noqa: E402


@pytest.fixture
def synchronous():
    with dask.config.set(scheduler="synchronous"):
        yield


def _chunked(A, rows):
    return da.from_array(A, chunks=(rows,) + A.shape[1:])


def _gaussian_data(n=3000, seed=0):
    X, y, truth = make_gaussian(n, 3, 2, correlation=0.5, random_state=seed)
    z = X[:, :1] + np.random.default_rng(seed + 1).standard_normal((n, 1))
    return X, y, z


# -- skmi without dask ----------------------------------------------------------------


def test_skmi_imports_and_fits_without_dask():
    code = (
        "import sys; sys.modules['dask'] = None\n"
        "import numpy as np, skmi\n"
        "X = np.random.default_rng(0).standard_normal((200, 2))\n"
        "print(skmi.GaussianMutualInfo().fit(X, X[:, 0] + X[:, 1]).mi_ > 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


# -- the same numbers as in memory ---------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"shrinkage": 0.3},
        {"shrinkage": "oas"},
        {"shrinkage": "ledoit-wolf"},
        {"copula": True},  # n below the quantile sample: exact ranks
        {"copula": True, "shrinkage": "ledoit-wolf", "units": "bits"},
    ],
)
def test_gaussian_equals_in_memory(params, synchronous):
    X, y, z = _gaussian_data()
    # uneven chunks, different for each input
    Xd, yd, zd = _chunked(X, 700), _chunked(y, 500), _chunked(z, 1100)
    in_memory = GaussianMutualInfo(**params).fit(X, y)
    on_dask = GaussianMutualInfo(**params).fit(Xd, yd)
    assert on_dask.mi_ == pytest.approx(in_memory.mi_, rel=1e-12, abs=1e-14)
    np.testing.assert_allclose(
        on_dask.canonical_correlations_, in_memory.canonical_correlations_, rtol=1e-12
    )
    conditional = GaussianMutualInfo(**params).fit(Xd, yd, zd).mi_
    assert conditional == pytest.approx(GaussianMutualInfo(**params).fit(X, y, z).mi_, rel=1e-12)
    # a fitted estimator scores NumPy data as usual
    assert on_dask.score(X, y) == pytest.approx(in_memory.mi_, rel=1e-12)


@pytest.mark.parametrize("scale", [1e155, 1e-165, 1e300])
@pytest.mark.parametrize("shrinkage", [None, "ledoit-wolf"])
def test_gaussian_is_scale_invariant_at_extreme_scales(scale, shrinkage, synchronous):
    # MI does not change when X is multiplied by a constant; squares of 1e155
    # overflow and of 1e-165 underflow unless the sums are scaled.
    X, y, _ = _gaussian_data()
    unscaled = GaussianMutualInfo(shrinkage=shrinkage).fit(X, y).mi_
    on_dask = GaussianMutualInfo(shrinkage=shrinkage).fit(_chunked(X * scale, 700), y).mi_
    assert on_dask == pytest.approx(unscaled, rel=1e-12)


def test_gaussian_copula_above_the_quantile_sample_is_close():
    # n > 2**17 rows: ranks from a strided sample, an approximation (documented).
    rng = np.random.default_rng(0)
    n = 300_000
    x = rng.standard_normal(n)
    y = 0.6 * x + 0.8 * rng.standard_normal(n)
    X, Y = np.exp(x)[:, None], (y**3)[:, None]  # monotone: the copula MI is unchanged
    truth = -0.5 * np.log(1 - 0.6**2)
    with dask.config.set(scheduler="synchronous"):
        approximate = GaussianMutualInfo(copula=True).fit(_chunked(X, 70_000), Y).mi_
    exact = GaussianMutualInfo(copula=True).fit(X, Y).mi_
    assert abs(approximate - exact) < 1e-3
    assert abs(approximate - truth) < 0.01  # sampling sd at this n: ~0.0015


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"strategy": "quantile"},
        {"strategy": "kmeans", "random_state": 0},  # n below the codebook sample
        {"shared_edges": True, "correction": "miller-madow"},
        {"n_bins": 3, "strategy": "quantile", "units": "bits"},
    ],
)
def test_binned_equals_in_memory(params, synchronous):
    X, y, _ = _gaussian_data()
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 4, (3000, 2))
    classes = (codes[:, 0] + rng.integers(0, 2, 3000)) % 3
    for A, b in [(X, y), (codes, classes), (X, classes), (codes, y[:, 0])]:
        in_memory = BinnedMutualInfo(**params).fit(A, b)
        on_dask = BinnedMutualInfo(**params).fit(_chunked(A, 700), _chunked(b, 900))
        assert on_dask.mi_ == pytest.approx(in_memory.mi_, rel=1e-12, abs=1e-14)
        assert on_dask.n_symbols_joint_ == in_memory.n_symbols_joint_
        assert on_dask.discrete_target_ == in_memory.discrete_target_
        assert on_dask.score(A[:500], b[:500]) == pytest.approx(in_memory.score(A[:500], b[:500]))


def _counting(A, rows, reads):
    """A dask array of A whose every block read adds 1 to ``reads``."""

    def read(block):
        if block.size:  # not dask's probe of the output type on an empty block
            reads.append(1)
        return block

    return _chunked(A, rows).map_blocks(read, dtype=A.dtype)


@pytest.mark.parametrize(
    "x_levels, y_levels",
    [
        (4, 3),  # both discrete: few levels, many samples per level
        (2, 21),  # y past MAX_LEVELS = 20: numbers
        (700, 20),  # X integer IDs, mostly distinct: numbers; y at the limit
        (3, 2),  # fewer than 5 samples a level would not matter at 2 levels
    ],
)
def test_integer_sides_are_classified_in_the_two_passes(x_levels, y_levels, synchronous):
    # The kind of an integer side is decided by its distinct values; on dask
    # they are counted in pass 1 with the ranges, not in a pass of their own
    # (which read the whole column into the client before).
    rng = np.random.default_rng(0)
    n = 3000
    codes = rng.integers(0, x_levels, (n, 2))
    target = (codes[:, 0] + rng.integers(0, 2, n)) % y_levels
    reads_x, reads_y = [], []
    on_dask = BinnedMutualInfo().fit(
        _counting(codes, 700, reads_x), _counting(target, 900, reads_y)
    )
    in_memory = BinnedMutualInfo().fit(codes, target)
    assert on_dask.mi_ == pytest.approx(in_memory.mi_, rel=1e-12, abs=1e-14)
    assert on_dask.discrete_features_ == in_memory.discrete_features_
    assert on_dask.discrete_target_ == in_memory.discrete_target_
    assert len(reads_x) == 2 * 5 and len(reads_y) == 2 * 4  # two passes over 5 and 4 chunks


def test_binned_count_tables_dense_keyed_and_row_wise_agree(synchronous):
    # 10 bins: 5 + 2 columns -> 10^7 possible cells (int64 keys, not a dense
    # array); 2 + 1 -> 10^3 (dense counts); the in-memory value either way.
    rng = np.random.default_rng(0)
    W = rng.standard_normal((3000, 5))
    w = np.column_stack([W[:, 0], W[:, 1]]) + rng.standard_normal((3000, 2))
    for A, b in [(W, w), (W[:, :2], w[:, 0])]:
        on_dask = BinnedMutualInfo().fit(_chunked(A, 700), _chunked(b, 900)).mi_
        assert on_dask == pytest.approx(BinnedMutualInfo().fit(A, b).mi_, rel=1e-12)


def test_binned_with_more_bin_patterns_than_an_int64_holds(synchronous):
    # 20 columns x 10 bins: 10^20 patterns; counted row-wise, not as one key
    rng = np.random.default_rng(0)
    W = rng.standard_normal((2000, 20))
    w = W[:, 0] + rng.standard_normal(2000)
    on_dask = BinnedMutualInfo().fit(_chunked(W, 600), w).mi_
    assert on_dask == pytest.approx(BinnedMutualInfo().fit(W, w).mi_, rel=1e-12)


def test_binned_warns_when_the_count_table_may_be_large(synchronous, monkeypatch):
    from skmi._dask import binned

    X, y, _ = _gaussian_data()
    # 10 bins on 3 + 2 columns: 10^5 possible cells, capped by n = 3000
    monkeypatch.setattr(binned, "_TABLE_WARN_BYTES", 3000 * binned._TABLE_BYTES_PER_CELL - 1)
    with pytest.warns(SkmiWarning, match="count table may hold up to 3,000 cells"):
        BinnedMutualInfo().fit(_chunked(X, 700), y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # 2 bins x 2 bins: 4 cells, no warning
        BinnedMutualInfo(n_bins=2).fit(_chunked(X[:, :1], 700), y[:, 0])


def test_dask_dataframe_input(synchronous):
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    X, y, _ = _gaussian_data()
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    ddf = dd.from_pandas(frame, npartitions=4)
    target = dd.from_pandas(pd.Series(y[:, 0]), npartitions=3)
    est = GaussianMutualInfo().fit(ddf, target)
    assert est.mi_ == pytest.approx(GaussianMutualInfo().fit(frame, y[:, 0]).mi_, rel=1e-12)
    np.testing.assert_array_equal(est.feature_names_in_, ["a", "b", "c"])
    binned = BinnedMutualInfo().fit(ddf, target).mi_
    assert binned == pytest.approx(BinnedMutualInfo().fit(frame, y[:, 0]).mi_, rel=1e-12)


def test_constant_columns_and_bad_input_as_in_memory(synchronous):
    X, y, _ = _gaussian_data()
    X[:, 1] = 3.0
    for Est in (GaussianMutualInfo, BinnedMutualInfo):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            on_dask = Est().fit(_chunked(X, 700), _chunked(y, 700)).mi_
        assert [w.category for w in caught] == [ConstantColumnWarning]
        assert on_dask == pytest.approx(Est().fit(X[:, [0, 2]], y).mi_, rel=1e-12)
        with pytest.raises(ValueError, match="X is constant"):
            Est().fit(_chunked(X[:, [1]], 700), y)
        bad = X.copy()
        bad[5, 0] = np.nan
        with pytest.raises(ValueError, match="Input X contains NaN"):
            Est().fit(_chunked(bad, 700), y)
        with pytest.raises(ValueError, match="inconsistent numbers of samples"):
            Est().fit(_chunked(X, 700), y[:-1])
        with pytest.raises(ValueError, match="target y is None"):
            Est().fit(_chunked(X, 700), None)
        with pytest.raises(ValueError, match=r"X must have shape \(n_samples, n_features\)"):
            Est().fit(_chunked(X[:, 0], 700), y)
        with pytest.raises(ValueError, match="y must have shape"):
            Est().fit(_chunked(X, 700), da.zeros((len(X), 2, 2), chunks=700))
        with pytest.raises(TypeError, match="y has dtype <U"):
            Est().fit(_chunked(X, 700), y[:, 0].astype(str))
    with pytest.raises(ValueError, match="single class"):
        BinnedMutualInfo().fit(_chunked(X[:, [0, 2]], 700), np.zeros(len(X), dtype=int))


# -- nothing else gathers dask data ------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda X, y: KSGMutualInfo().fit(X, y),
        lambda X, y: KernelMutualInfo().fit(X, y),
        lambda X, y: GaussianMutualInfo().fit(X.compute(), y.compute()).score(X, y),
        lambda X, y: mutual_info_regression(X, y),
        lambda X, y: mutual_info_classif(X, y),
        lambda X, y: mutual_info_matrix(X),
        lambda X, y: mutual_info_score_func(KSGMutualInfo())(X, y),
        lambda X, y: MutualInfoSelector(1).fit(X, y),
    ],
)
def test_entry_points_that_need_all_rows_refuse_dask(call):
    X, y, _ = _gaussian_data(n=300)
    with pytest.raises(TypeError, match="does not take dask collections here.*sample_rows"):
        call(_chunked(X, 100), _chunked(y[:, 0], 100))


# -- the honest path for k-NN estimators ---------------------------------------------------


def test_sample_rows_is_uniform_and_aligned(synchronous):
    n, k, draws = 20, 5, 200
    X = _chunked(np.arange(n, dtype=float).reshape(-1, 1), 7)  # chunks of 7, 7, 6
    y = _chunked(np.arange(n), 3)
    seen = np.zeros(n)
    for seed in range(draws):
        Xs, ys = sample_rows(X, y, n_samples=k, random_state=seed)
        np.testing.assert_array_equal(Xs[:, 0], ys)  # the same rows of X and y
        assert len(np.unique(ys)) == k  # without replacement
        seen[ys] += 1
    # every row is taken with probability k / n = 0.25 (sd of the frequency 0.031)
    np.testing.assert_allclose(seen / draws, k / n, atol=0.13)
    again = sample_rows(X, y, n_samples=k, random_state=3)
    np.testing.assert_array_equal(again[1], sample_rows(X, y, n_samples=k, random_state=3)[1])


def test_subsample_path_for_knn_covers_the_truth(synchronous):
    # The documented path: rows drawn on the cluster, KSG on them, and the
    # subsampling interval of that sample size from bootstrap_ci.
    from skmi import bootstrap_ci

    X, y, truth = make_gaussian(100_000, 1, 1, correlation=0.6, random_state=0)
    Xs, ys = sample_rows(_chunked(X, 30_000), _chunked(y, 30_000), n_samples=2000, random_state=0)
    assert Xs.shape == (2000, 1) and ys.shape == (2000,)
    ci = bootstrap_ci(KSGMutualInfo(random_state=0), Xs, ys, n_resamples=40, random_state=0)
    assert ci.method == "subsample"
    assert ci.low < truth < ci.high  # truth 0.2231; here [0.164, 0.224], 0.06 wide
    assert ci.high - ci.low < 0.15


def test_sample_rows_validates():
    X = np.zeros((10, 2))
    with pytest.raises(ValueError, match="more than the 10 rows"):
        sample_rows(X, n_samples=11)
    with pytest.raises(TypeError, match="n_samples must be an integer, got bool"):
        sample_rows(X, n_samples=True)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        sample_rows(X, np.zeros(9), n_samples=3)
    with dask.config.set(scheduler="synchronous"), pytest.raises(ValueError, match="more than"):
        sample_rows(_chunked(X, 4), n_samples=11)


# -- a real cluster -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            memory_limit="700MB",
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_local_cluster_gives_the_in_memory_result(cluster):
    X, y, _ = _gaussian_data(n=20_000)
    Xd, yd = _chunked(X, 3000), _chunked(y, 3000)
    assert GaussianMutualInfo(shrinkage="ledoit-wolf").fit(Xd, yd).mi_ == pytest.approx(
        GaussianMutualInfo(shrinkage="ledoit-wolf").fit(X, y).mi_, rel=1e-12
    )
    assert BinnedMutualInfo(strategy="quantile").fit(Xd, yd).mi_ == pytest.approx(
        BinnedMutualInfo(strategy="quantile").fit(X, y).mi_, rel=1e-12
    )
    Xs, ys = sample_rows(Xd, yd, n_samples=500, random_state=0)
    assert Xs.shape == (500, 3) and ys.shape == (500, 2)
    assert set(cluster.scheduler_info()["workers"]) and all(
        address.startswith("tcp://127.0.0.1:") for address in cluster.scheduler_info()["workers"]
    )


def test_matrix_and_drop_ins_scatter_the_data_once(cluster, monkeypatch):
    joblib = pytest.importorskip("joblib")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1000, 24))
    X[:, 1] += X[:, 0]
    y = X[:, 2] + rng.standard_normal(1000)
    local_matrix = mutual_info_matrix(X, random_state=0)
    local_mi = mutual_info_regression(X, y, random_state=0)

    sent = []
    scatter = cluster.scatter

    def counting_scatter(data, *args, **kwargs):
        sent.append(getattr(data, "shape", None))
        return scatter(data, *args, **kwargs)

    monkeypatch.setattr(cluster, "scatter", counting_scatter)
    with joblib.parallel_config(backend="dask"):
        remote_matrix = mutual_info_matrix(X, random_state=0, n_jobs=-1)
        n_matrix_scatters = len(sent)
        remote_mi = mutual_info_regression(X, y, random_state=0, n_jobs=-1)
    np.testing.assert_array_equal(remote_matrix, local_matrix)
    np.testing.assert_array_equal(remote_mi, local_mi)
    # the matrix: 10 block-pair tasks, X sent once
    assert sent[:n_matrix_scatters] == [X.shape]
    # the drop-in: y sent once, each column block once (8 blocks of 3 columns)
    assert sent[n_matrix_scatters:].count(y.shape) == 1
    assert sum(shape[1] for shape in sent[n_matrix_scatters:] if len(shape) == 2) == 24


def _rss():
    import psutil

    return psutil.Process().memory_info().rss


@pytest.mark.slow
def test_800_mb_on_700_mb_workers_never_gathers(cluster):
    # Issue 19: 10^7 x 10 float64 (800 MB) generated lazily on the workers, each
    # limited to 700 MB. Gathering would kill the workers (or grow this process by
    # 800 MB); the reductions bring back a few kB.
    rows, rho = 10_000_000, 0.6
    source = da.random.default_rng(0).standard_normal((rows, 10), chunks=(250_000, 10))
    X = source[:, :5]
    y = rho * X + np.sqrt(1 - rho**2) * source[:, 5:]  # 5 independent pairs, corr 0.6
    assert source.nbytes == 800_000_000
    truth = -2.5 * np.log(1 - rho**2)

    before = _rss()
    gaussian = GaussianMutualInfo().fit(X, y).mi_
    binned = BinnedMutualInfo(n_bins=4).fit(X[:, :2], y[:, :2]).mi_
    grown = _rss() - before
    assert grown < 100e6, f"the client grew by {grown / 1e6:.0f} MB"
    assert abs(gaussian - truth) < 0.002  # sampling sd at n = 10^7: ~0.0005

    # the same computation on a slice that fits in memory
    head = slice(0, 200_000)
    X_head, y_head = X[head].compute(), y[head].compute()
    assert GaussianMutualInfo().fit(X[head], y[head]).mi_ == pytest.approx(
        GaussianMutualInfo().fit(X_head, y_head).mi_, rel=1e-12
    )
    assert BinnedMutualInfo(n_bins=4).fit(X[head, :2], y[head, :2]).mi_ == pytest.approx(
        BinnedMutualInfo(n_bins=4).fit(X_head[:, :2], y_head[:, :2]).mi_, rel=1e-12
    )
    # binned truth check: 4 equal-width bins of two correlated pairs, MI > 0 and
    # below the Gaussian value (binning loses information)
    assert 0 < binned < 2 * -0.5 * np.log(1 - rho**2)


# -- issue 27: empty partitions ------------------------------------------------------


@pytest.mark.parametrize("strategy", ["uniform", "quantile", "kmeans"])
def test_binned_skips_empty_partitions(strategy, synchronous):
    # was: strategy="kmeans" raised scikit-learn's "Found array with 0
    # sample(s)" on a filtered DataFrame whose second partition is empty
    pd = pytest.importorskip("pandas")
    dd = pytest.importorskip("dask.dataframe")
    X, y, _ = _gaussian_data()
    codes = np.random.default_rng(0).integers(0, 4, 3000)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": y[:, 0], "p": codes})
    frame["k"] = np.arange(3000)
    lazy = dd.from_pandas(frame, npartitions=4, sort=False)
    lazy = lazy[(lazy.k < 750) | (lazy.k >= 1500)]
    assert 0 in [len(part) for part in lazy.partitions]
    rows = frame[(frame.k < 750) | (frame.k >= 1500)]
    params = {"strategy": strategy, "random_state": 0}
    for xs, target in [(["a", "b"], "c"), (["a"], "p"), (["p"], "c")]:
        in_memory = BinnedMutualInfo(**params).fit(rows[xs], rows[target])
        on_dask = BinnedMutualInfo(**params).fit(lazy[xs], lazy[target])
        assert on_dask.mi_ == pytest.approx(in_memory.mi_, rel=1e-12, abs=1e-14)
        assert on_dask.n_symbols_joint_ == in_memory.n_symbols_joint_
    # a dask array with an empty chunk
    chunks = ((1000, 0, 2000), (3,))
    on_dask = BinnedMutualInfo(**params).fit(da.from_array(X, chunks=chunks), y[:, 0])
    assert on_dask.mi_ == pytest.approx(BinnedMutualInfo(**params).fit(X, y[:, 0]).mi_, rel=1e-12)


def test_a_dask_gaussian_fit_replaces_the_widths_of_an_earlier_fit(synchronous):
    # issue 27, tier 3: n_features_y_in_ survived from an in-memory fit
    X, y, _ = _gaussian_data(600)
    est = GaussianMutualInfo().fit(X, y)  # y has 2 columns
    assert est.n_features_y_in_ == 2
    est.fit(_chunked(X, 200), _chunked(y[:, 0], 200))
    assert est.n_features_y_in_ == 1
    assert est.score(X, y[:, 0]) == pytest.approx(
        GaussianMutualInfo().fit(X, y[:, 0]).mi_, rel=1e-9
    )


@pytest.mark.parametrize("chunks", [(125,), (0, 60, 65)])
def test_integers_beyond_float_precision_as_in_memory(chunks, synchronous):
    # the in-memory data-kind rule reads integer columns as float64, so 25
    # levels near 2**60 share floats; pass 1 counted the exact integers, and an
    # empty chunk's float extremes cast the int64 range to float ("constant")
    x = (2**60 + np.arange(125) % 25).astype(np.int64)[:, None]
    y = np.arange(125) % 2
    in_memory = BinnedMutualInfo(random_state=0).fit(x, y)
    on_dask = BinnedMutualInfo(random_state=0).fit(
        da.from_array(x, chunks=(chunks, (1,))), da.from_array(y, chunks=(chunks,))
    )
    assert on_dask.discrete_features_ == in_memory.discrete_features_
    assert on_dask.mi_ == pytest.approx(in_memory.mi_, rel=1e-12)
