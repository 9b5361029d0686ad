"""Sphinx configuration of the skmi documentation.

Build: ``sphinx-build -W --keep-going -b html doc doc/_build/html`` (warnings
are errors), after ``pip install -e ".[docs]"``. The gallery runs
``examples/plot_*.py`` in their quick mode (fewer samples and epochs, a few
minutes on two cores); set ``SKMI_DOCS_FULL=1`` to run them at full size.
Their files (PNG, CSV, Lightning logs) go to a temporary directory, never into
the checkout: ``SKMI_EXAMPLES_OUT`` tells each example where to write.
"""

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import skmi  # noqa: E402

project = "skmi"
author = "The skmi developers"
copyright = "2026, the skmi developers"
release = skmi.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = set()
templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_theme = "pydata_sphinx_theme"
html_static_path = ["_static"]
html_title = f"skmi {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_sidebars = {"**": ["sidebar-nav-bs"]}

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "reset_modules": ("matplotlib",),
}
# Quick by default (the README's command); SKMI_DOCS_FULL=1 for the full size.
if os.environ.get("SKMI_DOCS_FULL") != "1":
    os.environ.setdefault("SKMI_EXAMPLES_QUICK", "1")
# The examples' own outputs: a directory of this build, removed when it ends.
if "SKMI_EXAMPLES_OUT" not in os.environ:
    _example_outputs = tempfile.mkdtemp(prefix="skmi-gallery-")
    atexit.register(shutil.rmtree, _example_outputs, ignore_errors=True)
    os.environ["SKMI_EXAMPLES_OUT"] = _example_outputs


def _method_table_rst():
    """The method table the code reads (skmi.auto._methods), as an RST list-table."""
    from skmi.auto._methods import METHOD_TABLE

    classes = {"no": "", "can": "yes", "needs": "only"}
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 18 67 15",
        "",
        "   * - ``method=``",
        "     - what it computes",
        "     - class side",
    ]
    for method in METHOD_TABLE:
        lines += [
            f"   * - ``{method.name}``",
            f"     - {method.help}",
            f"     - {classes[method.classes]}",
        ]
    return lines


def setup(app):
    """``.. skmi-methods::``: the method table, so the guide cannot drift from the code."""
    from docutils import nodes
    from docutils.parsers.rst import Directive
    from docutils.statemachine import StringList

    class MethodTable(Directive):
        def run(self):
            container = nodes.container()
            self.state.nested_parse(StringList(_method_table_rst()), 0, container)
            return container.children

    app.add_directive("skmi-methods", MethodTable)
