"""Every private or version-dependent scikit-learn import, in one place.

scikit-learn moves its internals between releases (``_validate_data`` was
removed in 1.7, ``_more_tags`` is ignored from 1.7, ``force_all_finite`` was
renamed ``ensure_all_finite`` in 1.6 and removed by 1.9). skmi supports
scikit-learn >= 1.6; when an import below breaks, this is the only file to fix.
"""

from sklearn.utils._param_validation import (  # noqa: F401  (re-exported)
    HasMethods,
    Hidden,
    Interval,
    Options,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import _num_samples, check_is_fitted, validate_data  # noqa: F401


def validate_parameters(estimator):
    """Check ``estimator``'s hyper-parameters against its constraints.

    Raises ``sklearn.utils._param_validation.InvalidParameterError`` (a
    ``ValueError`` and ``TypeError``) naming the parameter and what it
    accepts.
    """
    estimator._validate_params()


def num_samples(x):
    """Number of samples in an array-like, as scikit-learn counts them."""
    return _num_samples(x)
