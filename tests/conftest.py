"""The one list of public estimators that drives the contract suite.

Every public estimator class appears here, in the configurations whose code
paths differ, with the part of the contract it keeps:

* ``"mi"``: the full MI-estimator contract (``fit(X, y)`` -> ``mi_``,
  ``score(X, y)``, ``units``, the bad-input suite) -- :class:`BaseMutualInfo`
  subclasses;
* ``"class-mi"``: an MI estimator whose y is always class labels (held-out
  classifier bounds): scikit-learn's checks, and the data contract with a
  class y;
* ``"unsupervised-mi"``: ``fit(X)`` -> ``mi_`` of a model's map
  (:class:`~skmi.JacobianMutualInfo`);
* ``"selector"`` and ``"transformer"``: scikit-learn's contract only.

``tests/test_common.py`` runs the checks; a check that cannot apply to a
kind is skipped there with the reason. Torch estimators join the list only
where torch is installed.
"""

from dataclasses import dataclass

from skmi import (
    AtomDecompositionMutualInfo,
    BinnedMutualInfo,
    GaussianMutualInfo,
    KernelMutualInfo,
    KSGMutualInfo,
    LDAMutualInfo,
    LogisticMutualInfo,
    MutualInfoSelector,
    TCopulaMutualInfo,
    TransferEntropy,
)
from skmi._composites import LargerOfMutualInfo, TCopulaOrKSGMutualInfo


@dataclass(frozen=True)
class Entry:
    """One estimator configuration in the contract suite."""

    estimator: object
    kind: str  # "mi", "class-mi", "unsupervised-mi", "selector" or "transformer"
    # Checks of scikit-learn's suite expected to fail, with the reason.
    expected_failed_checks: tuple = ()


# Small, fast neural settings: the contract, not the accuracy, is tested here.
TINY_NEURAL = dict(
    hidden_layer_sizes=(8,), batch_size=16, max_epochs=2, max_time=None, random_state=0
)


def _torch_entries():
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is an optional extra
        return []
    from _torch_models import ScaledTanh

    from skmi import MINE, JacobianMutualInfo, LayerMIProbe, NeuralMutualInfo

    def any_width():
        # elementwise, so it accepts any input width scikit-learn's checks
        # try; a module-level torch class, so fitted estimators pickle
        return torch.nn.Sequential(torch.nn.Tanh())

    jacobian = (
        (
            "check_estimators_dtypes",
            "integer X is refused with a TypeError: integer inputs are token ids (as in "
            "LayerMIProbe), and a Jacobian with respect to token ids is not defined; a "
            "float cast would break nn.Embedding models.",
        ),
    )
    return [
        Entry(NeuralMutualInfo(**TINY_NEURAL), "mi"),
        Entry(NeuralMutualInfo(objective="infonce", **TINY_NEURAL), "mi"),
        Entry(MINE(**TINY_NEURAL), "mi"),
        Entry(JacobianMutualInfo(any_width(), noise_var=0.1), "unsupervised-mi", jacobian),
        Entry(LayerMIProbe(any_width(), layers="0"), "transformer"),
        Entry(
            LayerMIProbe(ScaledTanh(), layers="act"),
            "transformer",
            (
                (
                    "check_estimators_overwrite_params",
                    "A live torch.nn.Module parameter hashes differently after fit (its "
                    "tensors are compared by identity), though the probe never changes it.",
                ),
            ),
        ),
    ]


ENTRIES = [
    Entry(KSGMutualInfo(random_state=0), "mi"),
    Entry(KSGMutualInfo(variant=2, random_state=0), "mi"),
    Entry(KSGMutualInfo(ties="mixed"), "mi"),
    Entry(GaussianMutualInfo(), "mi"),
    Entry(GaussianMutualInfo(copula=True, shrinkage="ledoit-wolf"), "mi"),
    Entry(BinnedMutualInfo(), "mi"),
    Entry(BinnedMutualInfo(strategy="quantile", correction="miller-madow"), "mi"),
    Entry(BinnedMutualInfo(4, strategy="kmeans", random_state=0), "mi"),
    Entry(KernelMutualInfo(), "mi"),
    Entry(
        KernelMutualInfo(
            alpha=2.0, kernel="laplacian", approximation="nystroem", n_components=20, random_state=0
        ),
        "mi",
    ),
    Entry(GaussianMutualInfo(bias_correction=True), "mi"),
    Entry(TCopulaMutualInfo(), "mi"),
    Entry(TCopulaMutualInfo(df=3.0, bias_correction=False), "mi"),
    Entry(AtomDecompositionMutualInfo(random_state=0), "mi"),
    Entry(
        AtomDecompositionMutualInfo(within_estimator=KSGMutualInfo(random_state=0), random_state=0),
        "mi",
    ),
    Entry(AtomDecompositionMutualInfo(atom="repeated", discrete_target=True), "class-mi"),
    Entry(LDAMutualInfo(random_state=0), "class-mi"),
    Entry(LogisticMutualInfo(random_state=0), "class-mi"),
    Entry(TransferEntropy(random_state=0), "mi"),
    Entry(TransferEntropy(2, 2, tau=2, method="gaussian"), "mi"),
    Entry(TransferEntropy(method="binned"), "mi"),
    # estimate_mi's composites (not public, but what result.estimator holds)
    # (parts without k-NN: KSG's tie-breaking jitter on rank lattices moves an
    # estimate by ~1e-4 under a decreasing map, beyond the invariance tests'
    # 1e-6; the default parts are tested in test_composites.py)
    Entry(LargerOfMutualInfo([GaussianMutualInfo(copula=True), TCopulaMutualInfo()]), "mi"),
    Entry(
        LargerOfMutualInfo(
            [LDAMutualInfo(copula=True, random_state=0), LogisticMutualInfo(random_state=0)]
        ),
        "class-mi",
    ),
    Entry(TCopulaOrKSGMutualInfo(random_state=0), "mi"),
    Entry(MutualInfoSelector(2, random_state=0), "selector"),
    *_torch_entries(),
]

# The MI estimators with the full contract, and the neural ones among them.
MI_ESTIMATORS = [e.estimator for e in ENTRIES if e.kind == "mi"]


def estimator_id(estimator):
    """A readable test id: the class and the parameters that differ from defaults."""
    params = estimator.get_params(deep=False)
    try:
        defaults = type(estimator)().get_params(deep=False)
    except TypeError:  # a required argument (a model)
        defaults = {}
    diff = ",".join(
        f"{k}={v}"
        for k, v in params.items()
        if k not in ("random_state", "model") and k in defaults and defaults[k] != v
    )
    return f"{type(estimator).__name__}({diff})"


def is_neural(estimator):
    from skmi._traits import get_traits

    return get_traits(estimator).neural
