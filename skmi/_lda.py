"""LDAMutualInfo: a class target against a high-dimensional X, by a classifier.

For a class y and any classifier q(y | x) judged on data it was not fitted
on, ``I(X; y) >= H(y) + E[log q(y | X)]`` (Barber & Agakov, 2003): the
held-out cross-entropy bounds the conditional entropy from above. With
shrinkage linear discriminant analysis (Gaussian classes with one shared
covariance, Ledoit-Wolf shrinkage) the bound is tight when the classes are
Gaussian with a common covariance and stays a lower bound otherwise, and --
unlike k-NN estimators -- its bias does not grow with the dimension of X
(measured on ``Z ~ N(0, I_d)``, ``Z_0 += 2y - 1``, truth 0.3368 nats, n = 1000:
0.33 at d = 10 and 0.31 at d = 100, where Ross's k-NN gives 0.25 and 0.04).
"""

from numbers import Integral

import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from skmi._base import BaseMutualInfo
from skmi._sklearn_compat import Interval
from skmi._traits import MITraits


class LDAMutualInfo(BaseMutualInfo):
    """I(X; y) for a class y: entropy of y minus the held-out LDA cross-entropy.

    Parameters
    ----------
    n_splits : int, default=5
        Folds of the cross-fitting: each sample's class probabilities come
        from a discriminant fitted without it. Every class needs at least
        ``n_splits`` samples.
    units : {"nats", "bits"}, default="nats"
    random_state : int, RandomState instance or None, default=None
        Shuffles the folds.

    Attributes
    ----------
    mi_ : float
        ``H(y) + mean log q(y_i | x_i)`` in ``units``; a lower bound in
        expectation, so it can be negative on independent data.

    References
    ----------
    .. [1] D. Barber and F. Agakov, "The IM algorithm: a variational approach
       to information maximization", NeurIPS 2003.
    .. [2] O. Ledoit and M. Wolf, "A well-conditioned estimator for
       large-dimensional covariance matrices", J. Multivariate Anal. 88, 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from skmi._lda import LDAMutualInfo
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 1000)
    >>> Z = rng.standard_normal((1000, 50))
    >>> Z[:, 0] += 2 * y - 1  # truth 0.3368 nats whatever the dimension
    >>> bool(abs(LDAMutualInfo(random_state=0).fit(Z, y).mi_ - 0.3368) < 0.08)
    True
    """

    _parameter_constraints: dict = {
        **BaseMutualInfo._parameter_constraints,
        "n_splits": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    }
    _supports_discrete_target = True
    # Cross-fitting with duplicated rows would score samples the discriminant
    # was fitted on: subsample, never bootstrap.
    _mi_traits = MITraits(resampling="subsample", discrete_target=True)

    def __init__(self, *, n_splits=5, units="nats", random_state=None):
        self.n_splits = n_splits
        self.units = units
        self.random_state = random_state

    def _target_is_discrete(self, y):
        return True

    def _estimate(self, X, y, z):
        counts = np.bincount(y)
        if counts.min() < self.n_splits:
            raise ValueError(
                f"y has a class with {counts.min()} samples; LDAMutualInfo needs at least "
                f"n_splits = {self.n_splits} samples of every class."
            )
        p = counts / counts.sum()
        entropy = -np.sum(p * np.log(p))
        folds = StratifiedKFold(self.n_splits, shuffle=True, random_state=self._rng())
        model = LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto")
        log_q = cross_val_predict(model, X, y, cv=folds, method="predict_log_proba")
        return float(entropy + np.mean(log_q[np.arange(len(y)), y]))
