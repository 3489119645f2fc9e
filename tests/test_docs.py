"""Documentation that must stay in step with the code: the ODD description and the citation."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest
import yaml

from diffusion import params
from diffusion.networks import weak_tie_society

REPO = Path(__file__).resolve().parents[1]


def test_odd_lists_every_parameter_with_its_default():
    """docs/ODD.md (section 7) has a row for every model parameter, showing the code's default."""
    text = (REPO / "docs" / "ODD.md").read_text()
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| `")}
    for cls in (params.PlatformParams, params.BehaviourParams, params.CampaignParams):
        for field in dataclasses.fields(cls):
            if field.name == "policy":
                continue
            row = rows.get(f"`{field.name}`")
            assert row is not None, f"docs/ODD.md has no row for {cls.__name__}.{field.name}"
            assert f"`{field.default}`" in row, f"docs/ODD.md shows a stale default for {field.name}: {row}"
    documented = " ".join(rows)
    for name, parameter in inspect.signature(weak_tie_society).parameters.items():
        if name != "rng":
            assert f"`{name}`" in documented, f"docs/ODD.md does not document network.{name}"


@pytest.mark.parametrize("section", ["Purpose and patterns", "Entities, state variables and scales",
                                     "Process overview and scheduling", "Design concepts", "Initialization",
                                     "Input data", "Submodels"])
def test_odd_has_every_section(section):
    assert section in (REPO / "docs" / "ODD.md").read_text()


def test_citation_file_is_valid_and_matches_the_package():
    import diffusion

    citation = yaml.safe_load((REPO / "CITATION.cff").read_text())
    assert citation["cff-version"].startswith("1.2")
    assert citation["version"] == diffusion.__version__
    for key in ("title", "authors", "message", "license"):
        assert citation[key]
