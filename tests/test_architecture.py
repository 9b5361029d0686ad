"""The module graph: arrows that run one way.

Every ``import`` in ``skmi/`` -- at module level or inside a function (the
lazy ones that hide a circle at import time) -- is an edge. The rules:

* no import circle;
* the backends (``skmi._numba``, ``skmi._torch``, ``skmi._dask``) import no
  estimator module and nothing above the estimators (probe, callbacks,
  feature selection, ``estimate_mi``, the command line): an estimator passes
  them what they need;
* the estimator modules import nothing above them.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "skmi"
BACKENDS = ("skmi._numba", "skmi._torch", "skmi._dask")
# packages built on the estimators
ABOVE = ("skmi.probe", "skmi.callbacks", "skmi.feature_selection", "skmi.auto", "skmi.cli")


def _modules():
    modules = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


MODULES = _modules()


def _imported(name, node):
    """The skmi modules an import statement names (a package for its sub-modules)."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = name if MODULES[name].name == "__init__.py" else name.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
    found = set()
    for target in targets:
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        if target.startswith("skmi") and target != name:
            found.add(target)
    return found


def _graph():
    edges = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges[name] = set().union(
            *(
                _imported(name, node)
                for node in ast.walk(tree)
                if isinstance(node, (ast.Import, ast.ImportFrom))
            )
        )
    return edges


EDGES = _graph()


def _estimator_modules():
    import skmi
    from skmi._base import BaseMutualInfo

    classes = [getattr(skmi, name) for name in skmi.__all__]
    found = {c.__module__ for c in classes if isinstance(c, type) and issubclass(c, BaseMutualInfo)}
    return found | {"skmi._composites"}


def _cycles(edges):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def _within(name, packages):
    return any(name == p or name.startswith(p + ".") for p in packages)


def test_the_graph_reads_lazy_imports_too():
    # the reader must see imports inside functions, or it would miss the circles
    assert "skmi._dask.binned" in EDGES["skmi._binned"]
    assert "skmi._result" in EDGES["skmi._entropy"]


def test_no_import_circle():
    assert _cycles(EDGES) == []


def test_the_cycle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("backend", BACKENDS)
def test_backends_import_no_estimator_and_nothing_above(backend):
    forbidden = _estimator_modules()
    for name, targets in EDGES.items():
        if _within(name, (backend,)):
            wrong = {t for t in targets if t in forbidden or _within(t, ABOVE)}
            assert not wrong, f"{name} imports {sorted(wrong)}"


def test_estimators_import_nothing_above_them():
    estimators = _estimator_modules()
    assert {"skmi._ksg", "skmi._neural", "skmi._kernel"} <= estimators
    for name in estimators:
        wrong = {t for t in EDGES[name] if _within(t, ABOVE)}
        assert not wrong, f"{name} imports {sorted(wrong)}"
