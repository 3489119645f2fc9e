"""The wheel ships every subpackage and the Hydra configs (a non-editable install must work)."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed_for_the_wheel():
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(path.parent.relative_to(REPO).parts)
        for path in (REPO / "diffusion").rglob("__init__.py")
    }
    assert found | {"diffusion.conf"} == listed


def test_installed_package_finds_its_configs():
    from diffusion.cli import conf_dir

    assert (conf_dir() / "experiment" / "weak_ties.yaml").is_file()
