"""``python -m skmi.cli``: the ``skmi`` command line."""

import sys

from skmi.cli import main

sys.exit(main())
