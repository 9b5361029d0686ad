"""Drop-in scikit-learn functions, the pairwise matrix, score functions, the
greedy selector, and scale-out on a real Dask cluster."""

import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.feature_selection as skfs
from sklearn.feature_selection import SelectKBest, SelectPercentile
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skmi
from skmi import (
    GaussianMutualInfo,
    KSGMutualInfo,
    MutualInfoSelector,
    mutual_info_classif,
    mutual_info_matrix,
    mutual_info_regression,
    mutual_info_score_func,
)
from skmi.datasets import make_class_mixture
from skmi.exceptions import ConstantColumnWarning


def _regression_data(n=800, n_features=12, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_features))
    y = X[:, 0] + np.sin(2 * X[:, 1]) + 0.5 * rng.standard_normal(n)
    return X, y


def _with_discrete_columns(X, columns, seed=0):
    # integer-valued columns with every value seen more than 2k + 1 times
    X = X.copy()
    X[:, columns] = np.round(np.clip(X[:, columns], -1.5, 1.5) * 2)
    return X


# -- the same numbers as scikit-learn -----------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_regression_equals_sklearn(seed):
    X, y = _regression_data(seed=seed)
    ours = mutual_info_regression(X, y, random_state=seed)
    theirs = skfs.mutual_info_regression(X, y, random_state=seed)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", [0, 1])
def test_classif_equals_sklearn(seed):
    X, y = _regression_data(seed=seed)
    classes = np.digitize(y, [-1.0, 0.0, 1.2])
    np.testing.assert_allclose(
        mutual_info_classif(X, classes, random_state=seed),
        skfs.mutual_info_classif(X, classes, random_state=seed),
        atol=1e-9,
    )


def test_rare_classes_equal_sklearn():
    # Classes of <= 2k + 1 samples, where scikit-learn switches to brute force.
    X, y = _regression_data(n=600)
    classes = np.digitize(y, [0.0])
    classes[:6], classes[6:8], classes[8] = 2, 3, 4  # classes of 6, 2 and 1 samples
    np.testing.assert_allclose(
        mutual_info_classif(X, classes, random_state=0),
        skfs.mutual_info_classif(X, classes, random_state=0),
        atol=1e-9,
    )


@pytest.mark.parametrize(
    "discrete_features", [np.array([True, False, True] + [False] * 9), np.array([0, 2])]
)
@pytest.mark.parametrize("target", ["continuous", "discrete"])
def test_discrete_features_as_mask_and_indices(discrete_features, target):
    X, y = _regression_data()
    X = _with_discrete_columns(X, [0, 2])
    if target == "discrete":
        y = np.digitize(y, [-1.0, 0.0, 1.0])
        ours_fn, theirs_fn = mutual_info_classif, skfs.mutual_info_classif
    else:
        ours_fn, theirs_fn = mutual_info_regression, skfs.mutual_info_regression
    np.testing.assert_allclose(
        ours_fn(X, y, discrete_features=discrete_features, random_state=0),
        theirs_fn(X, y, discrete_features=discrete_features, random_state=0),
        atol=1e-9,
    )


def test_all_discrete_and_sparse_X():
    X, y = _regression_data()
    Xd = _with_discrete_columns(X, list(range(12))) + 3.0  # non-negative counts
    classes = np.digitize(y, [0.0])
    dense = mutual_info_classif(Xd, classes, discrete_features=True, random_state=0)
    sparse = mutual_info_classif(sp.csr_matrix(Xd), classes, random_state=0)  # auto: discrete
    theirs = skfs.mutual_info_classif(sp.csr_matrix(Xd), classes, random_state=0)
    np.testing.assert_allclose(dense, theirs, atol=1e-12)
    np.testing.assert_allclose(sparse, theirs, atol=1e-12)


def test_sparse_with_continuous_features_is_refused_like_sklearn():
    X, y = _regression_data()
    with pytest.raises(ValueError, match="can't have continuous features"):
        mutual_info_regression(sp.csr_matrix(X), y, discrete_features=False)


def test_constant_feature_scores_zero_like_sklearn():
    X, y = _regression_data()
    X[:, 3] = 7.0
    ours = mutual_info_regression(X, y, random_state=0)
    assert ours[3] < 1e-12  # a tiny-noise column: 0 after clipping, or rounding above it
    np.testing.assert_allclose(ours, skfs.mutual_info_regression(X, y, random_state=0), atol=1e-9)


def test_copy_semantics():
    X, y = _regression_data()
    X_before, y_before = X.copy(), y.copy()
    mutual_info_regression(X, y, random_state=0)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    mutual_info_regression(X, y, copy=False, random_state=0)  # may scale X in place,
    np.testing.assert_array_equal(y, y_before)  # never y


def test_n_jobs_gives_the_same_values():
    X, y = _regression_data()
    np.testing.assert_array_equal(
        mutual_info_regression(X, y, random_state=0),
        mutual_info_regression(X, y, random_state=0, n_jobs=2),
    )


@pytest.mark.parametrize(
    ("X", "y", "kwargs"),
    [
        (np.full((20, 2), np.nan), np.ones(20), {}),
        (np.ones((20, 2)), np.ones(19), {}),
        (np.ones((20, 2, 2)), np.ones(20), {}),
        (np.ones((20, 2)), np.ones(20), {"discrete_features": "sometimes"}),
        (np.ones((20, 2)), np.ones(20), {"n_neighbors": 0}),
        (np.ones((0, 2)), np.ones(0), {}),
    ],
)
def test_rejects_what_sklearn_rejects(X, y, kwargs):
    with pytest.raises(ValueError) as theirs:
        skfs.mutual_info_regression(X, y, **kwargs)
    with pytest.raises(ValueError) as ours:
        mutual_info_regression(X, y, **kwargs)
    assert type(ours.value) is type(theirs.value)


def _bad_call_data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 3))
    y = X[:, 0] + rng.standard_normal(50)
    return X, y, (y > 0).astype(int)


# (function, target, kwargs): every argument scikit-learn validates, badly given
_BAD_CALLS = [
    ("regression", "y", {"discrete_features": [True, False, True, False]}),  # issue 14
    ("regression", "y", {"discrete_features": [True, False]}),
    ("regression", "y", {"discrete_features": [[True, False, True]]}),
    ("regression", "y", {"discrete_features": [0, 5]}),
    ("regression", "y", {"discrete_features": [-4]}),
    ("regression", "y", {"discrete_features": [0.0, 2.0]}),
    ("regression", "y", {"discrete_features": []}),
    ("regression", "y", {"discrete_features": ["a"]}),
    ("regression", "y", {"discrete_features": None}),
    ("regression", "y", {"discrete_features": 1}),
    ("regression", "y", {"discrete_features": "sometimes"}),
    ("regression", "y", {"discrete_features": [np.nan]}),
    # a continuous column declared discrete: every "class" a singleton
    ("regression", "y", {"discrete_features": [-1]}),
    ("regression", "y", {"n_neighbors": 0}),
    ("regression", "y", {"n_neighbors": 2.0}),
    ("regression", "y", {"n_neighbors": "3"}),
    ("regression", "y", {"n_neighbors": 50}),
    ("regression", "y", {"copy": "yes"}),
    ("regression", "y", {"n_jobs": 1.5}),
    ("regression", "y2d", {}),
    ("regression", "yshort", {}),
    ("classif", "y", {}),
    ("classif", "unique", {}),
    ("classif", "classes", {"discrete_features": [True, False, True, False]}),
    ("classif", "classes", {"n_neighbors": -1}),
]


@pytest.mark.parametrize(("function", "target", "kwargs"), _BAD_CALLS)
@pytest.mark.filterwarnings("ignore:The number of unique classes:UserWarning")  # both warn
def test_bad_calls_raise_what_sklearn_raises(function, target, kwargs):
    # Same call, same exception type (skmi's may be a subclass with a better message).
    X, y, classes = _bad_call_data()
    targets = {
        "y": y,
        "y2d": np.column_stack([y, y]),
        "yshort": y[:-1],
        "classes": classes,
        "unique": np.arange(50),  # 50 classes of one sample each
    }
    ours_fn = {"regression": mutual_info_regression, "classif": mutual_info_classif}[function]
    theirs_fn = getattr(skfs, f"mutual_info_{function}")
    with pytest.raises(Exception) as theirs:
        theirs_fn(X, targets[target], random_state=0, **kwargs)
    with pytest.raises(Exception) as ours:
        ours_fn(X, targets[target], random_state=0, **kwargs)
    assert isinstance(ours.value, type(theirs.value)), (ours.value, theirs.value)


def test_wrong_length_mask_is_a_value_and_an_index_error():
    X, y, _ = _bad_call_data()
    with pytest.raises(IndexError, match=r"shape \(3,\), one entry per column"):
        mutual_info_regression(X, y, discrete_features=[True, False, True, False])
    with pytest.raises(ValueError, match="outside"):
        mutual_info_regression(X, y, discrete_features=[0, 3])
    with pytest.raises(IndexError, match="boolean mask or an array of integer"):
        mutual_info_matrix(X, discrete_features=[0.5])


def test_all_true_mask_of_wrong_length_is_refused_not_truncated():
    # scikit-learn scores only the first two columns here, without a word.
    X, _, classes = _bad_call_data()
    Xd = np.round(X)
    assert len(skfs.mutual_info_classif(Xd, classes, discrete_features=[True, True])) == 2
    with pytest.raises(IndexError, match="shape \\(3,\\)"):
        mutual_info_classif(Xd, classes, discrete_features=[True, True])


@pytest.mark.parametrize(
    "call",
    [
        lambda X, y, c: mutual_info_regression(X, y, n_neighbors=True),
        lambda X, y, c: mutual_info_classif(X, c, n_neighbors=True),
        lambda X, y, c: mutual_info_matrix(X, n_neighbors=True),
        lambda X, y, c: mutual_info_matrix(X, n_neighbors=np.True_),
    ],
)
def test_boolean_n_neighbors_is_refused_by_name(call):
    # scikit-learn reads True as 1; skmi's kernels would fail with a Numba TypingError.
    # (np.True_ is not an Integral: scikit-learn's own check refuses it, by name too)
    with pytest.raises(TypeError, match="n_neighbors"):
        call(*_bad_call_data())


def test_ross_caps_k_per_class_like_sklearn():
    # Continuous X, class y: k is capped at each class's size - 1, so n <= k is fine.
    X, _, classes = _bad_call_data()
    np.testing.assert_allclose(
        mutual_info_classif(X, classes, n_neighbors=50, random_state=0),
        skfs.mutual_info_classif(X, classes, n_neighbors=50, random_state=0),
        atol=1e-9,
    )
    pair = np.column_stack([X[:, 0], classes])
    M = mutual_info_matrix(pair, discrete_features=[1], n_neighbors=60)
    assert M[0, 1] > 0  # one continuous column: no KSG pair, only Ross's capped k


def test_matrix_refuses_a_discrete_column_without_repeats():
    X, _, _ = _bad_call_data()
    with pytest.raises(ValueError, match="column 0 of X is used as discrete.*occurs only once"):
        mutual_info_matrix(X, discrete_features=[0])


def test_classif_rejects_continuous_target():
    X, y = _regression_data()
    with pytest.raises(ValueError, match="Unknown label type"):
        mutual_info_classif(X, y)


def test_drop_in_for_select_k_best_and_percentile():
    X, y = _regression_data(n_features=20)
    ours = SelectKBest(lambda X, y: mutual_info_regression(X, y, random_state=0), k=3)
    theirs = SelectKBest(lambda X, y: skfs.mutual_info_regression(X, y, random_state=0), k=3)
    np.testing.assert_array_equal(ours.fit(X, y).get_support(), theirs.fit(X, y).get_support())
    assert set(np.flatnonzero(ours.get_support())) >= {0, 1}
    pct = SelectPercentile(mutual_info_regression, percentile=10).fit(X, y)
    assert pct.get_support()[:2].all()
    pipe = make_pipeline(StandardScaler(), SelectKBest(mutual_info_regression, k=2))
    assert pipe.fit_transform(X, y).shape == (len(X), 2)


# -- pairwise matrix ------------------------------------------------------------------


def test_mutual_info_matrix():
    rng = np.random.default_rng(0)
    a, b, c = rng.standard_normal((3, 2000))
    X = np.column_stack([a, a + 0.5 * rng.standard_normal(2000), b, c, np.round(b)])
    M = mutual_info_matrix(X, discrete_features=[4], random_state=0)
    assert np.isnan(np.diag(M)).all()
    np.testing.assert_array_equal(M, M.T)
    # each entry is the drop-in estimate of that pair
    np.testing.assert_allclose(M[0, 1], mutual_info_regression(X[:, [0]], X[:, 1]), atol=0.01)
    assert M[0, 1] > 0.7 and M[2, 4] > 0.7  # dependent pairs (truth 0.80 for the first)
    assert M[0, 2] < 0.02 and M[3, 4] < 0.02  # independent pairs
    np.testing.assert_array_equal(
        M, mutual_info_matrix(X, discrete_features=[4], random_state=0, n_jobs=2)
    )


def test_matrix_column_blocks_do_not_change_the_values(monkeypatch):
    # The matrix runs one task per pair of column blocks; uneven blocks (7, 7, ..., 5)
    # with a discrete column must give exactly the one-block values.
    from skmi.feature_selection import _matrix

    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 40))
    X[:, 5] = np.round(X[:, 5])
    X[:, 1] += X[:, 0]
    one_block = mutual_info_matrix(X, discrete_features=[5], random_state=0)
    blocks = _matrix._column_blocks
    monkeypatch.setattr(
        _matrix, "_column_blocks", lambda *args, **kw: blocks(*args, **kw, max_columns=7)
    )
    assert len(_matrix._column_blocks(40, 300, None)) == 6
    np.testing.assert_array_equal(
        mutual_info_matrix(X, discrete_features=[5], random_state=0), one_block
    )
    assert one_block[0, 1] > 0.3 and np.isnan(np.diag(one_block)).all()


def test_matrix_verbose_shows_progress_and_changes_no_value(capsys):
    # issue 27: 2,000 columns took minutes with nothing printed
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 30))
    X[:, 1] += X[:, 0]
    quiet = mutual_info_matrix(X, random_state=0)
    capsys.readouterr()
    loud = mutual_info_matrix(X, random_state=0, verbose=1)
    err = capsys.readouterr().err
    assert "mutual_info_matrix" in err and "/120" in err  # 15 blocks of 2 columns: 120 tasks
    np.testing.assert_array_equal(quiet, loud)
    with pytest.raises(ValueError, match="verbose"):
        mutual_info_matrix(X, verbose="yes")


# -- estimator-based score functions --------------------------------------------------


def test_score_func_with_multivariate_target():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((600, 6))
    Y = np.column_stack([X[:, 4], X[:, 1]]) + 0.5 * rng.standard_normal((600, 2))
    for estimator in [None, GaussianMutualInfo(), KSGMutualInfo(n_neighbors=5, random_state=0)]:
        selector = SelectKBest(mutual_info_score_func(estimator), k=2).fit(X, Y)
        np.testing.assert_array_equal(np.flatnonzero(selector.get_support()), [1, 4])


def test_score_func_scores_a_constant_column_zero_with_one_warning():
    # Issue 14: SelectKBest(mutual_info_score_func(KSGMutualInfo())) aborted with
    # "X is constant". A constant column carries no information: its MI is 0.
    X, y = _regression_data(n=400, n_features=4)
    X[:, 1] = 7.0
    X[:, 3] = -1.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        selector = SelectKBest(mutual_info_score_func(KSGMutualInfo(random_state=0)), k=2)
        selector.fit(X, y)
    constant_warnings = [w for w in caught if issubclass(w.category, ConstantColumnWarning)]
    assert len(constant_warnings) == 1
    assert "[1, 3]" in str(constant_warnings[0].message)
    assert selector.scores_[1] == 0.0 and selector.scores_[3] == 0.0
    expected = KSGMutualInfo(random_state=0).fit(X[:, [0]], y).mi_
    assert selector.scores_[0] == expected
    np.testing.assert_array_equal(np.flatnonzero(selector.get_support()), [0, 2])


def test_selector_warns_once_about_constant_columns():
    X, y = _redundant_data(n=300)
    X[:, 5] = 3.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        selector = MutualInfoSelector(2, random_state=0).fit(X, y)
    assert sum(issubclass(w.category, ConstantColumnWarning) for w in caught) == 1
    assert selector.relevance_[5] == 0.0 and not selector.support_[5]


# -- greedy selection --------------------------------------------------------------------


def _redundant_data(n=1500, seed=0):
    """Two informative signals; the stronger one comes in three near-copies."""
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((2, n))
    y = 2 * a + b + 0.3 * rng.standard_normal(n)
    copies = [a + 0.05 * rng.standard_normal(n) for _ in range(3)]
    noise = rng.standard_normal((n, 3))
    X = np.column_stack(copies + [b] + list(noise.T))
    return X, y  # informative: any copy (0-2) and column 3


@pytest.mark.parametrize("criterion", ["mrmr", "jmi", "cmim"])
def test_selector_beats_top_k_on_redundant_features(criterion):
    X, y = _redundant_data()
    top_k = set(np.argsort(mutual_info_regression(X, y, random_state=0))[-2:])
    assert 3 not in top_k  # plain top-2 takes two copies of a and misses b
    selected = MutualInfoSelector(2, criterion=criterion, random_state=0).fit(X, y)
    support = set(np.flatnonzero(selected.get_support()))
    assert 3 in support and len(support & {0, 1, 2}) == 1
    # and the selected pair carries more information about y
    est = GaussianMutualInfo()
    assert est.fit(X[:, sorted(support)], y).mi_ > est.fit(X[:, sorted(top_k)], y).mi_ + 0.3


def test_selector_with_classes_and_pandas_output():
    pd = pytest.importorskip("pandas")
    X, y = _redundant_data()
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    classes = np.digitize(y, [-1.0, 1.0])
    selector = MutualInfoSelector(0.3, criterion="jmi", random_state=0).set_output(
        transform="pandas"
    )
    out = selector.fit(frame, classes).transform(frame)
    assert isinstance(out, pd.DataFrame) and out.shape == (len(X), 2)
    assert "f3" in out.columns
    np.testing.assert_array_equal(selector.get_feature_names_out(), out.columns)
    assert selector.selection_order_[0] in (0, 1, 2) and len(selector.selection_scores_) == 2
    assert selector.scores_.shape == selector.ranking_.shape == (X.shape[1],)


def test_selector_validates_its_parameters():
    X, y = _redundant_data(n=200)
    with pytest.raises(ValueError, match="more than n_features=7"):
        MutualInfoSelector(10).fit(X, y)
    with pytest.raises(ValueError, match="'criterion' parameter"):
        MutualInfoSelector(2, criterion="best").fit(X, y)


# -- scale-out on a real Dask cluster ------------------------------------------------


@pytest.mark.slow
def test_dask_local_cluster_gives_the_local_result():
    distributed = pytest.importorskip("dask.distributed")
    X, y = _regression_data(n=2000, n_features=16)
    local = mutual_info_regression(X, y, random_state=0)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with joblib.parallel_config(backend="dask"):
            remote = mutual_info_regression(X, y, random_state=0, n_jobs=-1)
        # the work really ran on the workers
        assert len(client.scheduler_info()["workers"]) == 2
    np.testing.assert_array_equal(remote, local)


def test_class_mixture_ranking():
    X, y, _ = make_class_mixture(3000, n_classes=3, n_features=3, random_state=0)
    mi = mutual_info_classif(X, y, random_state=0)
    assert np.argmax(mi) == 0 and mi[1:].max() < 0.02


@pytest.mark.parametrize("criterion", ["mrmr", "jmi", "cmim"])
@pytest.mark.parametrize("copy", ["exact", "near"])
def test_selectors_never_keep_a_copy(criterion, copy):
    # Issue 26, case 6: iris with petal length twice, target petal width; JMI
    # and CMIM chose both copies at k = 2. A copy of a chosen feature adds
    # exactly nothing: I(x; y | x) = 0.
    from sklearn.datasets import load_iris

    X = load_iris().data
    twin = X[:, 2] if copy == "exact" else X[:, 2] + 1e-6 * np.random.default_rng(0).random(150)
    F = np.column_stack([X[:, 0], X[:, 1], X[:, 2], twin])
    selector = MutualInfoSelector(2, criterion=criterion, random_state=0).fit(F, X[:, 3])
    assert not (selector.support_[2] and selector.support_[3])


def test_selector_attributes_follow_scikit_learn():
    # scores_ and ranking_ are per input feature (SelectKBest.scores_, RFE.ranking_);
    # the order of selection has its own attributes. The Gaussian estimator's
    # closed form gives the expected values independently: for unit-variance
    # jointly Gaussian columns, I = -1/2 log(1 - rho^2) from the sample correlation.
    from skmi import GaussianMutualInfo

    rng = np.random.default_rng(0)
    n = 4000
    a, b, c = rng.standard_normal((3, n))
    y = 2.0 * a + 1.0 * b + 0.5 * c + 0.5 * rng.standard_normal(n)
    X = np.column_stack([c, a, rng.standard_normal(n), b])
    selector = MutualInfoSelector(2, criterion="mrmr", estimator=GaussianMutualInfo()).fit(X, y)

    def gaussian_mi(u, v):
        rho = np.corrcoef(u, v)[0, 1]
        return -0.5 * np.log1p(-(rho**2))

    relevance = np.array([gaussian_mi(X[:, j], y) for j in range(4)])
    np.testing.assert_allclose(selector.relevance_, relevance, rtol=1e-6)
    np.testing.assert_array_equal(selector.selection_order_, [1, 3])  # a, then b
    # mRMR at step 2: relevance minus the redundancy with the chosen a
    second = relevance - np.array([gaussian_mi(X[:, j], X[:, 1]) for j in range(4)])
    np.testing.assert_allclose(selector.selection_scores_, [relevance[1], second[3]], rtol=1e-6)
    expected_scores = second.copy()
    expected_scores[1] = relevance[1]
    np.testing.assert_allclose(selector.scores_, expected_scores, rtol=1e-6)
    np.testing.assert_allclose(
        selector.scores_[selector.selection_order_], selector.selection_scores_
    )
    # selected: rank 1; then c (some relevance, none shared with a), then noise
    np.testing.assert_array_equal(selector.ranking_, [2, 1, 3, 1])
    np.testing.assert_array_equal(selector.get_support(), selector.ranking_ == 1)


@pytest.mark.parametrize("criterion", ["mrmr", "jmi", "cmim"])
@pytest.mark.parametrize(
    "make_estimator",
    [
        lambda: None,  # the default KSG
        lambda: KSGMutualInfo(random_state=np.random.RandomState(3)),  # a generator object
        lambda: KSGMutualInfo(ties="mixed", n_neighbors=4, random_state=0),
        lambda: skmi.BinnedMutualInfo(n_bins=4),
        lambda: skmi.GaussianMutualInfo(),
    ],
    ids=["default", "ksg-randomstate", "ksg-mixed-k4", "binned", "gaussian"],
)
def test_selector_reuses_validation_and_values(criterion, make_estimator, monkeypatch):
    # The selector validates each target once and fits copies on the column
    # blocks (issue 28: selection speed); every score must be the one that
    # cloning and fitting the estimator per block gives.
    from skmi.feature_selection import _greedy

    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 7))
    X[:, 1] += X[:, 0]
    X[:, 2] = 4.0  # a constant column
    X[:, 3] = rng.integers(0, 3, 300)  # few levels: a class-like target when chosen
    X[:, 4] = X[:, 3] + 0.5 * rng.standard_normal(300)
    y = (X[:, 0] + X[:, 3] > 0.5).astype(int)
    kwargs = {"criterion": criterion, "random_state": 0}

    def fitted():
        return MutualInfoSelector(5, estimator=make_estimator(), **kwargs).fit(X, y)

    fast = fitted()
    init = _greedy._BlockFits.__init__

    def generic_init(self, *args):
        init(self, *args)
        self.fast = False

    monkeypatch.setattr(_greedy._BlockFits, "__init__", generic_init)
    generic = fitted()
    # the same fits; mRMR's 1-D KSG pairs run in the batched kernel, equal to rounding
    np.testing.assert_allclose(fast.scores_, generic.scores_, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(fast.relevance_, generic.relevance_, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(fast.selection_order_, generic.selection_order_)


def test_selector_verbose_shows_progress_and_changes_no_value(capsys):
    # issues 28 and 29: selection was silent however long it took
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 6))
    y = X[:, 0] + X[:, 1] + 0.5 * rng.standard_normal(200)
    quiet = MutualInfoSelector(3, random_state=0).fit(X, y)
    capsys.readouterr()
    loud = MutualInfoSelector(3, random_state=0, verbose=1).fit(X, y)
    assert "MutualInfoSelector: features selected" in capsys.readouterr().err
    np.testing.assert_array_equal(quiet.scores_, loud.scores_)
    with pytest.raises(ValueError, match="verbose"):
        MutualInfoSelector(3, verbose="loud").fit(X, y)
