"""The all-claims table (issue 18): CLAIMS.md is what ``python -m diffusion.claims`` builds from
the committed references, with one row per claim."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from diffusion import claims_table
from diffusion.claims import CLAIMS

REPO = Path(__file__).resolve().parents[1]


def test_claims_md_matches_the_references():
    committed = (REPO / claims_table.TABLE_FILE).read_text()
    assert committed == claims_table.build(), (
        "CLAIMS.md no longer matches experiments/*/reference; run python -m diffusion.claims --write")


def test_one_row_per_claim_with_calibration_and_missing_experiments():
    rows = {row["claim"]: row for row in claims_table.rows()}
    assert list(rows) == list(CLAIMS)
    for claim_id in ("P1", "P2", "P3"):
        assert rows[claim_id]["origin"] == "calibrated" and "simulated survey" in rows[claim_id]["parts"]
    assert rows["R5"]["origin"] == "built in" and "not evidence" in rows["R5"]["verdict"]


def test_a_claim_without_a_committed_reference_says_so(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "experiments", repo / "experiments")
    shutil.rmtree(repo / "experiments" / "price_tiers" / "reference")
    rows = {row["claim"]: row for row in claims_table.rows(repo)}
    assert rows["R5"]["verdict"] == "no reference yet" and rows["R5"]["parts"] == "—"


def test_table_reads_per_part_effects_and_origins(tmp_path):
    """With a reference in the new format, each part's verdict and the claim's origin come from
    effects.csv as written; a changed reference changes the table."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO / "experiments", repo / "experiments")
    effects = pd.DataFrame({
        "claim": ["W3", "W3"], "role": ["part", "knockout"], "part": ["equal_sources", "equal_sources"],
        "description": ["d", "knock-out: d"], "estimate": [0.01, 0.0], "ci_low": [0.008, -0.0005],
        "ci_high": [0.012, 0.0005], "n": [20, 20], "direction": [1, 1], "sesoi": [0.001, 0.001],
        "verdict": ["supported", "negligible"], "claim_verdict": ["supported"] * 2, "origin": ["built in"] * 2,
    })
    effects.to_csv(repo / "experiments" / "weak_ties" / "reference" / "effects.csv", index=False)
    rows = {row["claim"]: row for row in claims_table.rows(repo)}
    assert rows["W3"]["origin"] == "built in" and "not evidence" in rows["W3"]["verdict"]
    assert "knock-out" in rows["W3"]["parts"] and "negligible" in rows["W3"]["parts"]
    assert claims_table.build(repo) != claims_table.build()
