"""One warning per call, pointing at the caller's line.

Resampling loops fit an estimator a hundred times; each fit may warn with a
slightly different message (a percentage of ties), so Python's own
de-duplication never applies and the user sees a hundred lines that point
into skmi. The public functions instead record what their inner fits say,
keep one warning per (category, message), and re-issue it at the first
stack frame outside skmi (DESIGN.md, "The honesty rule").
"""

import contextlib
import sys
import warnings
from pathlib import Path

_SKMI_DIR = str(Path(__file__).resolve().parent)
# scikit-learn's parameter-validation decorator wraps every public function;
# contextlib runs the exit of :func:`once_at_caller`.
_WRAPPER_FILES = ("_param_validation.py", "contextlib.py")


def caller_stacklevel():
    """The ``stacklevel`` of the first frame outside skmi, for a warn() made here."""
    frame, level = sys._getframe(1), 1
    while frame is not None:
        filename = frame.f_code.co_filename
        inside = filename.startswith(_SKMI_DIR) or filename.endswith(_WRAPPER_FILES)
        if not inside:
            return level
        frame, level = frame.f_back, level + 1
    return level


def warn_at_caller(message, category=UserWarning):
    """``warnings.warn`` at the first frame outside skmi."""
    warnings.warn(message, category, stacklevel=caller_stacklevel())


@contextlib.contextmanager
def once_at_caller():
    """Record warnings in the block; re-issue each distinct one once at the caller."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught
    seen = set()
    for record in caught:
        key = (record.category, str(record.message))
        if key in seen:
            continue
        seen.add(key)
        warnings.warn(str(record.message), record.category, stacklevel=caller_stacklevel())
