"""Every route of estimate_mi is invariant to strictly monotone maps of columns.

MI does not change when a column goes through a strictly monotone map
(DESIGN.md, "Invariance"). For each route ``estimate_mi`` takes, random
maps of every continuous column (exp, cube, sinh, logistic, arcsinh with a
linear part; random signs and scales) must leave the estimate within 2 %.
"""

import warnings

import numpy as np
import pytest

from skmi import estimate_mi
from skmi.datasets import (
    make_class_mixture,
    make_discrete_continuous,
    make_gaussian,
    make_relu_atoms,
    make_student_t,
)

_MAPS = (
    lambda v, a: np.exp(a * v),
    lambda v, a: (a * v) ** 3 + v,
    lambda v, a: np.sinh(a * v),
    lambda v, a: 1.0 / (1.0 + np.exp(-a * v)),
    lambda v, a: np.arcsinh(a * v) + 0.1 * v,
)


def _monotone(A, rng, keep=None):
    """Each column of A through a random strictly monotone map (except ``keep``)."""
    A = np.array(A, dtype=np.float64).reshape(len(A), -1)
    out = A.copy()
    for c in range(A.shape[1]):
        if keep is not None and keep(A[:, c]):
            continue
        z = (A[:, c] - A[:, c].mean()) / A[:, c].std()
        f = _MAPS[rng.integers(len(_MAPS))]
        out[:, c] = rng.choice([-1.0, 1.0]) * f(z, rng.uniform(0.5, 1.5))
    return out


ROUTES = {
    "t-copula-or-ksg": lambda: make_gaussian(1000, 2, 2, correlation=0.6, random_state=0),
    "t-copula-or-ksg (heavy tails)": lambda: make_student_t(1000, 2, 2, df=3, random_state=0),
    "ksg-copula (class, d = 2)": lambda: make_class_mixture(800, 3, 2, random_state=0),
    "larger (class, d = 4)": lambda: make_class_mixture(800, 3, 4, random_state=0),
    "classifiers (class, d = 8)": lambda: make_class_mixture(800, 2, 8, random_state=0),
    "atoms": lambda: make_relu_atoms(1000, 2, random_state=0),
    "class-atoms": lambda: make_discrete_continuous(1000, 4, atom_probability=0.3, random_state=0),
    "binned": lambda: _discrete_pair(),
}


def _discrete_pair():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, 1000)
    y = np.where(rng.random(1000) < 0.6, x, rng.integers(0, 4, 1000))
    return x, y, None


@pytest.mark.parametrize("route", list(ROUTES))
@pytest.mark.parametrize("seed", [0, 1])
def test_every_route_is_invariant_to_monotone_maps(route, seed):
    X, y, _ = ROUTES[route]()
    rng = np.random.default_rng(seed)
    discrete_y = np.asarray(y).dtype.kind in "iu"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = estimate_mi(X, y, random_state=0)
        X2 = _monotone(X, rng, keep=lambda c: np.unique(c).size < 20)
        y2 = y if discrete_y else _monotone(y, rng)
        if route == "atoms":
            # the atom is at 0: the positive part goes through increasing maps only
            y2 = np.where(y > 0, np.log1p(np.expm1(1.0) * y) + y**3, 0.0)
        after = estimate_mi(X2, y2, random_state=0)
    if route == "binned":
        # symbols: a strictly monotone map of the codes is a relabelling
        after = estimate_mi(np.exp(np.asarray(X, dtype=float)), y, random_state=0)
    assert after.method == before.method
    assert after.estimate == pytest.approx(before.estimate, rel=0.02, abs=0.005)


# -- each estimator's declared invariance (its traits) holds ------------------------


def _declared(kind):
    from conftest import ENTRIES

    from skmi._traits import INVARIANCE_ORDER, get_traits

    entries = [e for e in ENTRIES if e.kind in ("mi", "class-mi")]
    return [
        e
        for e in entries
        if INVARIANCE_ORDER.index(get_traits(e.estimator).invariance)
        <= INVARIANCE_ORDER.index(kind)
    ]


def _ids(entries):
    from conftest import estimator_id

    return [estimator_id(e.estimator) for e in entries]


def _pair(entry, n=400):
    X, y, _ = make_gaussian(n, 2, 1, correlation=0.6, random_state=4)
    if entry.kind == "class-mi":
        y = (y > np.median(y)).astype(np.int64)
    return X, y


def _fitted(estimator, X, y):
    from sklearn.base import clone

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return clone(estimator).fit(X, y).mi_


@pytest.mark.parametrize("entry", _declared("monotone"), ids=_ids(_declared("monotone")))
def test_declared_monotone_invariance_holds(entry):
    X, y = _pair(entry)
    rng = np.random.default_rng(5)
    X2 = _monotone(X, rng)
    y2 = y if y.dtype.kind in "iu" else _monotone(y, rng)[:, 0]
    before, after = _fitted(entry.estimator, X, y), _fitted(entry.estimator, X2, y2)
    assert after == pytest.approx(before, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("entry", _declared("affine"), ids=_ids(_declared("affine")))
def test_declared_affine_invariance_holds(entry):
    X, y = _pair(entry)
    rng = np.random.default_rng(6)
    scale = rng.choice([-1.0, 1.0], 2) * rng.uniform(0.01, 100.0, 2)
    X2 = X * scale + rng.uniform(-50, 50, 2)
    y2 = y if y.dtype.kind in "iu" else 1e-3 * y - 7.0
    before, after = _fitted(entry.estimator, X, y), _fitted(entry.estimator, X2, y2)
    assert after == pytest.approx(before, rel=1e-6, abs=1e-9)
