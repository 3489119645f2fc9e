"""Sphinx configuration of the documentation site (issue 22).

Build from the repository root (the README's "Documentation" section)::

    sphinx-build -W --keep-going -b html -c docs . docs/_build/html

The source folder is the repository itself, so the Markdown files link to each other as they do
on a code host (README.md -> experiments/NAME/README.md -> CLAIMS.md); ``include_patterns`` picks
the pages. The tutorials (``docs/tutorials/*.py``, jupytext percent format) are read by myst-nb
and rendered without running them: ``tests/test_tutorials.py`` runs them. Set
``DIFFUSION_DOCS_EXECUTE=1`` to run them during the build and show their outputs.
"""

from __future__ import annotations

import os
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from diffusion import __version__

ROOT = Path(__file__).resolve().parents[1]

project = "diffusion"
author = "The diffusion developers"
release = version = __version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",  # one page per function: numbered References stay unique per page
    "sphinx.ext.napoleon",  # NumPy-style docstrings
    "sphinx.ext.viewcode",
    "myst_nb",  # Markdown pages (MyST) and the jupytext tutorials
]

root_doc = "docs/index"
include_patterns = [
    "README.md", "CLAIMS.md", "docs/index.md", "docs/experiments.md", "docs/ODD.md", "docs/calibration.md",
    "docs/reference/*.md", "docs/tutorials/*.md", "docs/tutorials/[0-9][0-9]_*.py",
    "docs/course/*.md", "experiments/*/README.md",
]
exclude_patterns = ["docs/_build", ".ci-venv", "mutants", "outputs"]
include_patterns.append("docs/reference/generated/*.rst")  # autosummary's stubs, written at build time
autosummary_generate = True
# docs/ODD.md numbers its submodels as level-4 headings under level-2 sections (a layout its
# authors chose); the site renders them as they are rather than failing on the jump.
suppress_warnings = ["myst.header",
                     # NumPy docstrings list References as numbered notes (.. [1]) that the text
                     # need not cite; docutils flags every uncited one.
                     "ref.footnote"]

# jupytext percent-format .py files are notebooks (myst-nb reads them through jupytext).
nb_custom_formats = {".py": ["jupytext.reads", {"fmt": "py:percent"}]}
nb_execution_mode = "force" if os.environ.get("DIFFUSION_DOCS_EXECUTE") == "1" else "off"
nb_execution_timeout = 600
nb_execution_raise_on_error = True

myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = False
napoleon_numpy_docstring = True

html_theme = "alabaster"
html_title = f"diffusion {release}"


class RepositoryFileLinks(SphinxPostTransform):
    """Show a Markdown link to a file or folder of the repository that is not a page of the site
    (``diffusion/rules.py``, ``experiments/NAME/reference/``) as code text, as the README means
    it; a link to nothing that exists still fails the build (myst's missing-reference warning)."""

    default_priority = 5  # before myst's resolver (9)

    def run(self, **kwargs) -> None:
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("reftype") != "myst":
                continue
            target = node["reftarget"]
            if node["refdomain"] == "doc":
                if target in self.env.all_docs:
                    continue
                candidates = [ROOT / f"{target}{suffix}" for suffix in ("", ".py", ".md", ".yaml")]
            else:
                folder = (ROOT / node.get("refdoc", self.env.docname)).parent
                candidates = [folder / target, ROOT / target]
            if any(path.exists() for path in candidates):
                node.replace_self(nodes.literal(node.astext(), node.astext()))


def setup(app):
    app.add_post_transform(RepositoryFileLinks)
