"""The method table of :func:`skmi.estimate_mi`: one row per method name.

Each row holds the name, a one-line help, the factory and how the method
treats a class side. The planner (:mod:`skmi.auto._planner`), ``estimate_mi``'s
docstring, ``skmi estimate --help`` and the user guide read it; a new
method is one row. The factories import their estimators when called, so
reading the table (the command line's help) imports no estimator.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    """One row of the method table: everything skmi knows about a method name.

    ``classes`` says how the method treats a discrete side: "no" (never as
    class labels), "can" (class labels when a side is discrete: Ross's k-NN,
    the binned plug-in), "needs" (only with a class side).
    """

    name: str
    help: str
    build: object  # callable(_Build) -> estimator
    classes: str = "no"


@dataclass(frozen=True)
class _Build:
    """What a method's factory needs: seed, units, and whether y holds classes."""

    random_state: object
    units: str
    class_target: object  # True, False, or None (each estimator's "auto")

    def ksg(self, **options):
        from skmi._ksg import KSGMutualInfo

        target = "auto" if self.class_target is None else bool(self.class_target)
        return KSGMutualInfo(
            discrete_target=target, random_state=self.random_state, units=self.units, **options
        )

    def lda(self, **options):
        from skmi._lda import LDAMutualInfo

        return LDAMutualInfo(units=self.units, random_state=self.random_state, **options)

    def logistic(self):
        from skmi._lda import LogisticMutualInfo

        return LogisticMutualInfo(units=self.units, random_state=self.random_state)


def _larger(b):
    from skmi._composites import LargerOfMutualInfo
    from skmi._gaussian import GaussianMutualInfo

    if b.class_target:
        parts = [b.ksg(copula=True), b.lda(copula=True), b.logistic()]
    else:
        parts = [b.ksg(copula=True), GaussianMutualInfo(copula=True)]
    return LargerOfMutualInfo(parts, units=b.units)


def _binned(b):
    from skmi._binned import BinnedMutualInfo

    target = bool(b.class_target) or "auto"
    return BinnedMutualInfo(
        correction="miller-madow", discrete_features=target, discrete_target=target, units=b.units
    )


def _atoms(b):
    """The zero-pattern chain rule with both parts on normal scores.

    Ross's k-NN for the pattern and the Gaussian within patterns, each on
    the columns' normal scores: a monotone map of any column of X then
    leaves the estimate unchanged, as it leaves the MI (ReLU atoms through
    random monotone maps of X, ``benchmarks/accuracy/bench_stress.py``: 62 % of estimates within
    10 % before, 100 % after; identity 1.225 -> 1.155, truth 1.178).
    """
    from skmi._atoms import AtomDecompositionMutualInfo
    from skmi._gaussian import GaussianMutualInfo

    # atoms wherever they sit (values repeated max(5, sqrt(n)) times): a shift
    # of the side moves them and leaves the MI unchanged
    return AtomDecompositionMutualInfo(
        atom="repeated",
        pattern_estimator=b.ksg(copula=True),
        within_estimator=GaussianMutualInfo(copula=True, bias_correction=True),
        units=b.units,
        random_state=b.random_state,
    )


def _class_atoms(b):
    """The chain rule over a side's atoms, against class labels (in y).

    The plug-in MI of the labels and the atom patterns plus Ross's k-NN on
    the continuous part: no k-NN across the atoms (Gao et al.'s counting
    there read 3 % low at n = 1000 with an interval that covered the truth
    in 14 of 20 data sets).
    """
    from skmi._atoms import AtomDecompositionMutualInfo

    # Ross's k-NN on normal scores: a monotone map of the side leaves it unchanged
    return AtomDecompositionMutualInfo(
        atom="repeated",
        discrete_target=True,
        within_estimator=b.ksg(copula=True),
        units=b.units,
        random_state=b.random_state,
    )


def _gaussian(b, **options):
    from skmi._gaussian import GaussianMutualInfo

    return GaussianMutualInfo(units=b.units, **options)


def _classifiers(b):
    from skmi._composites import LargerOfMutualInfo

    return LargerOfMutualInfo([b.lda(copula=True), b.logistic()], units=b.units)


def _tcopula(b):
    from skmi._tcopula import TCopulaMutualInfo

    return TCopulaMutualInfo(units=b.units)


def _tcopula_or_ksg(b):
    from skmi._composites import TCopulaOrKSGMutualInfo

    return TCopulaOrKSGMutualInfo(random_state=b.random_state, units=b.units)


def _neural(b):
    from skmi._neural import NeuralMutualInfo

    return NeuralMutualInfo(random_state=b.random_state, units=b.units)


def _kernel(b):
    from skmi._kernel import KernelMutualInfo

    return KernelMutualInfo(random_state=b.random_state, units=b.units)


# The one method table: the planner, make_estimator, estimate_mi's docstring,
# `skmi estimate --help` and the user guide read it.
METHOD_TABLE = (
    Method(
        "binned",
        "plug-in counts of (binned) values with the Miller-Madow correction",
        _binned,
        "can",
    ),
    Method(
        "ksg",
        "Kraskov-Stoegbauer-Grassberger k-nearest neighbours (Ross's form for classes)",
        lambda b: b.ksg(),
        "can",
    ),
    Method(
        "ksg-mixed",
        "k-NN counting exact ties as atoms (Gao et al. 2017), for data with atoms",
        lambda b: b.ksg(ties="mixed"),
        "can",
    ),
    Method(
        "ksg-copula",
        "k-NN on per-column normal scores (rank transform first)",
        lambda b: b.ksg(copula=True),
        "can",
    ),
    Method(
        "gaussian",
        "closed form of a fitted Gaussian (exact for Gaussian data)",
        lambda b: _gaussian(b),
    ),
    Method(
        "gaussian-copula",
        "Gaussian closed form on per-column normal scores",
        lambda b: _gaussian(b, copula=True),
    ),
    Method(
        "larger",
        "the larger of estimates that are all biased downwards here",
        _larger,
        "can",
    ),
    Method(
        "lda",
        "class side only: H(y) minus held-out LDA cross-entropy (a lower bound)",
        lambda b: b.lda(),
        "needs",
    ),
    Method(
        "logistic",
        "class side only: H(y) minus held-out logistic cross-entropy on normal scores "
        "(a lower bound)",
        lambda b: b.logistic(),
        "needs",
    ),
    Method(
        "classifiers",
        "class side only: the larger of the held-out LDA and logistic bounds",
        _classifiers,
        "needs",
    ),
    Method(
        "gaussian-classes",
        "class side only: bias-corrected Gaussian MI with the classes one-hot",
        lambda b: _gaussian(b, bias_correction=True, discrete_target=True),
        "needs",
    ),
    Method(
        "t-copula",
        "Student-t copula fitted to ranks by EM (elliptical, heavy tails), bias-corrected",
        _tcopula,
    ),
    Method(
        "t-copula-or-ksg",
        "the t-copula, unless ksg-copula is clearly larger (non-elliptical)",
        _tcopula_or_ksg,
    ),
    Method(
        "atoms",
        "atom-pattern chain rule for a y with atoms (ReLU-type variables: a value taken "
        "with positive probability), on normal scores",
        _atoms,
    ),
    Method(
        "class-atoms",
        "class side only, against a side with atoms (repeated values): the chain rule over "
        "the atoms, plug-in MI with the atom patterns plus Ross's k-NN on the continuous part",
        _class_atoms,
        "needs",
    ),
    Method("neural", "a trained critic's variational bound (needs torch)", _neural),
    Method("kernel", "matrix-based Renyi entropy of Gram matrices", _kernel),
)
_BY_NAME = {m.name: m for m in METHOD_TABLE}

METHODS = ("auto", *_BY_NAME)
# One line per method, for help texts (the command line prints these).
METHOD_HELP = {
    "auto": "chosen from the data kinds and dimension (the table in the user guide)",
    **{m.name: m.help for m in METHOD_TABLE},
}
