"""skmi: mutual-information estimation the scikit-learn way.

Estimators follow one contract: ``fit(X, y)`` sets ``mi_`` (nats unless
``units="bits"``), ``score(X, y)`` estimates on new data, and
``pointwise_mi(X, y)`` (where it exists) returns the per-sample terms whose
mean is the estimate.
"""

import importlib

# Imported on first use (PEP 562), so that `import skmi` and `skmi --help`
# do not pay for scikit-learn, SciPy, Numba and every estimator up front.
_LAZY = {
    "AtomDecompositionMutualInfo": "skmi._atoms",
    "BinnedMutualInfo": "skmi._binned",
    "GaussianMutualInfo": "skmi._gaussian",
    "InformationPlane": "skmi.probe",
    "JacobianMutualInfo": "skmi.probe",
    "KSGMutualInfo": "skmi._ksg",
    "KernelMutualInfo": "skmi._kernel",
    "LDAMutualInfo": "skmi._lda",
    "LayerMIProbe": "skmi.probe",
    "LogisticMutualInfo": "skmi._lda",
    "MINE": "skmi._neural",
    "MIResult": "skmi._result",
    "MutualInfoSelector": "skmi.feature_selection",
    "NeuralMutualInfo": "skmi._neural",
    "TCopulaMutualInfo": "skmi._tcopula",
    "TransferEntropy": "skmi._transfer_entropy",
    "bootstrap_ci": "skmi.stats",
    "class_mutual_info": "skmi.probe",
    "config_context": "skmi._config",
    "datasets": "skmi.datasets",
    "empirical_ntk": "skmi.probe",
    "entropy": "skmi._entropy",
    "estimate_mi": "skmi.auto._estimate",
    "exceptions": "skmi.exceptions",
    "get_config": "skmi._config",
    "kernel_entropy": "skmi._kernel",
    "kl_divergence": "skmi._divergence",
    "layer_parts_mutual_info": "skmi.probe",
    "mutual_info_classif": "skmi.feature_selection",
    "mutual_info_matrix": "skmi.feature_selection",
    "mutual_info_regression": "skmi.feature_selection",
    "mutual_info_score_func": "skmi.feature_selection",
    "permutation_test": "skmi.stats",
    "sample_rows": "skmi._dask.sample",
    "set_config": "skmi._config",
    "transfer_entropy": "skmi._transfer_entropy",
}

__version__ = "0.1.0.dev0"

# The public names are the lazy table's: one list to extend.
__all__ = sorted(_LAZY)


def __getattr__(name):
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'skmi' has no attribute {name!r}") from None
    value = importlib.import_module(module)
    if module != f"skmi.{name}":
        value = getattr(value, name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
