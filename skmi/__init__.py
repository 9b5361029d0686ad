"""skmi: mutual-information estimation the scikit-learn way.

Estimators follow one contract: ``fit(X, y)`` sets ``mi_`` (nats unless
``units="bits"``), ``score(X, y)`` estimates on new data, and
``pointwise_mi(X, y)`` (where it exists) returns the per-sample terms whose
mean is the estimate.
"""

from skmi import datasets, exceptions
from skmi._atoms import AtomDecompositionMutualInfo
from skmi._auto import MIResult, estimate_mi
from skmi._binned import BinnedMutualInfo
from skmi._config import config_context, get_config, set_config
from skmi._dask.sample import sample_rows
from skmi._divergence import kl_divergence
from skmi._entropy import entropy
from skmi._gaussian import GaussianMutualInfo
from skmi._kernel import KernelMutualInfo, kernel_entropy
from skmi._ksg import KSGMutualInfo
from skmi._lda import LDAMutualInfo, LogisticMutualInfo
from skmi._neural import MINE, NeuralMutualInfo
from skmi._tcopula import TCopulaMutualInfo
from skmi._transfer_entropy import TransferEntropy, transfer_entropy
from skmi.feature_selection import (
    MutualInfoSelector,
    mutual_info_classif,
    mutual_info_matrix,
    mutual_info_regression,
    mutual_info_score_func,
)
from skmi.probe import (
    InformationPlane,
    JacobianMutualInfo,
    LayerMIProbe,
    class_mutual_info,
    empirical_ntk,
)
from skmi.stats import bootstrap_ci, permutation_test

__version__ = "0.1.0.dev0"

__all__ = [
    "AtomDecompositionMutualInfo",
    "BinnedMutualInfo",
    "GaussianMutualInfo",
    "InformationPlane",
    "JacobianMutualInfo",
    "KSGMutualInfo",
    "KernelMutualInfo",
    "LDAMutualInfo",
    "LayerMIProbe",
    "LogisticMutualInfo",
    "MIResult",
    "MINE",
    "MutualInfoSelector",
    "NeuralMutualInfo",
    "TCopulaMutualInfo",
    "TransferEntropy",
    "bootstrap_ci",
    "class_mutual_info",
    "config_context",
    "datasets",
    "empirical_ntk",
    "entropy",
    "estimate_mi",
    "exceptions",
    "get_config",
    "kernel_entropy",
    "kl_divergence",
    "mutual_info_classif",
    "mutual_info_matrix",
    "mutual_info_regression",
    "mutual_info_score_func",
    "permutation_test",
    "sample_rows",
    "set_config",
    "transfer_entropy",
]
