"""Feature selection by mutual information, scikit-learn's way but faster.

* :func:`mutual_info_regression`, :func:`mutual_info_classif` -- drop-in
  replacements for scikit-learn's functions: the same signature, defaults,
  preprocessing (scaling, the same random noise drawn in the same order) and
  clipping, so the same ``random_state`` gives the same numbers; the
  neighbour searches run on skmi's Numba kernels (``_univariate.py``).
* :func:`mutual_info_matrix` -- MI between every pair of columns
  (``_matrix.py``).
* :func:`mutual_info_score_func` -- any skmi estimator as a ``score_func``
  (``_score_func.py``).
* :class:`MutualInfoSelector` -- greedy mRMR, JMI and CMIM selection
  (``_greedy.py``).

Loops over features go through joblib (``n_jobs``), so
``with joblib.parallel_config(backend="dask"):`` runs them on a Dask cluster.
"""

from skmi.feature_selection._common import DiscreteFeaturesError
from skmi.feature_selection._greedy import MutualInfoSelector
from skmi.feature_selection._matrix import mutual_info_matrix
from skmi.feature_selection._score_func import mutual_info_score_func
from skmi.feature_selection._univariate import mutual_info_classif, mutual_info_regression

__all__ = [
    "DiscreteFeaturesError",
    "MutualInfoSelector",
    "mutual_info_classif",
    "mutual_info_matrix",
    "mutual_info_regression",
    "mutual_info_score_func",
]
