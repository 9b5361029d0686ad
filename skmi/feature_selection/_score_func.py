"""mutual_info_score_func: any skmi estimator as a feature selector's score."""

import numpy as np
from sklearn.base import clone
from sklearn.utils import check_array

from skmi._base import fitted_mi
from skmi._dask import refuse_dask_collections
from skmi._ksg import KSGMutualInfo
from skmi._parallel import Parallel, delayed
from skmi.feature_selection._common import warn_constant_columns

__all__ = ["mutual_info_score_func"]


def mutual_info_score_func(estimator=None, *, n_jobs=None):
    """Turn an skmi estimator into a ``score_func`` for feature selectors.

    The returned function scores each column of X by the estimator's
    ``fit(X[:, [j]], y).mi_`` -- with any skmi estimator, and with
    multivariate targets -- for use in
    :class:`~sklearn.feature_selection.SelectKBest` and friends.

    Parameters
    ----------
    estimator : skmi estimator, default=None
        ``KSGMutualInfo()`` when None. It is cloned for every column.
    n_jobs : int, default=None
        Parallel jobs over the columns (joblib).

    Returns
    -------
    score_func : callable ``(X, y) -> ndarray of shape (n_features,)``
        A constant column of X scores 0 (it carries no information), with one
        :class:`~skmi.exceptions.ConstantColumnWarning` per call naming the
        constant columns, as a feature-selection score should; the
        estimator's own refusal of a constant X is for direct use.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.feature_selection import SelectKBest
    >>> from skmi import GaussianMutualInfo, mutual_info_score_func
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((500, 4))
    >>> Y = np.column_stack([X[:, 2], X[:, 3]]) + rng.standard_normal((500, 2))
    >>> selector = SelectKBest(mutual_info_score_func(GaussianMutualInfo()), k=2)
    >>> selector.fit(X, Y).get_support()
    array([False, False,  True,  True])
    """
    template = KSGMutualInfo() if estimator is None else estimator

    def score_func(X, y):
        refuse_dask_collections("mutual_info_score_func", X=X, y=y)
        X = check_array(X)
        scores = np.zeros(X.shape[1])
        varying = np.flatnonzero(~warn_constant_columns(X, stacklevel=2))
        scores[varying] = Parallel(n_jobs=n_jobs)(
            delayed(fitted_mi)(clone(template), X[:, [j]], y) for j in varying
        )
        return scores

    score_func.__name__ = f"mutual_info_score_func({type(template).__name__})"
    return score_func
