"""The calibration flag reads the simulated survey at the experiment's own setting, not pooled
over its sweep (issue 18, item 7): the calibration holds at a point."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from diffusion.analyses import common


def settings(share: float, homophily: float = 0.5):
    return SimpleNamespace(
        experiment=SimpleNamespace(sweep={"network.weak_tie_share": [0.0, 0.2, 0.6],
                                          "behaviour.share_homophily": [0.5, 0.9]}),
        network=SimpleNamespace(weak_tie_share=share), behaviour=SimpleNamespace(share_homophily=homophily),
    )


def outcomes() -> pd.DataFrame:
    """Survey share 0.32 at weak-tie share 0.2 (on the target) and 0.60 elsewhere (far off)."""
    rows = [{"weak_tie_share": s, "share_homophily": h, "replicate": r,
             "survey_trust_share": (0.32 if s == 0.2 else 0.60) + 0.001 * r}
            for s in (0.0, 0.2, 0.6) for h in (0.5, 0.9) for r in range(6)]
    return pd.DataFrame(rows)


def test_the_survey_is_read_at_the_experiments_setting():
    rows, where = common.default_point(outcomes(), settings(0.2))
    assert len(rows) == 6 and set(rows["weak_tie_share"]) == {0.2} and set(rows["share_homophily"]) == {0.5}
    assert where == "at this experiment's setting (weak_tie_share 0.2, share_homophily 0.5)"
    notes = common.with_survey(["n"], outcomes(), settings(0.2))
    assert not notes[0].startswith("**Calibration flag") and "survey_trust_share 0.323 " in notes[0]
    pooled = common.with_survey(["n"], outcomes())  # the old reading: pooled over the sweep
    assert pooled[0].startswith("**Calibration flag")


def test_a_setting_off_the_grid_leaves_the_key_free():
    rows, where = common.default_point(outcomes(), settings(0.3))
    assert len(rows) == 18 and "every weak_tie_share" in where


def test_a_swept_group_is_left_free():
    """A group sweep (e.g. ``strategy``: option names on the grid, a spec dict in the config)."""
    frame = pd.DataFrame({"strategy": ["organic", "gifting"] * 3, "survey_trust_share": [0.3] * 6})
    conf = SimpleNamespace(experiment=SimpleNamespace(sweep={"strategy": ["organic", "gifting"]}),
                           strategy={"_target_": "x"})
    rows, where = common.default_point(frame, conf)
    assert len(rows) == 6 and where == "at this experiment's setting (every strategy)"
