"""The browser page's parts that need no browser: campaign states, layout, drawing, the model.

The page itself is driven in headless Chromium by tests/test_viz.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from diffusion import runner
from diffusion.config import Config, RunConfig
from diffusion.errors import ConfigError
from diffusion.metrics.inequality import gini
from diffusion.viz.__main__ import solara_command
from diffusion.viz.drawing import draw_network
from diffusion.viz.layout import circle_layout, network_layout
from diffusion.viz.model import VizModel, page_point
from diffusion.viz.state import (
    CampaignState,
    campaign_counts,
    campaign_sharers,
    campaign_states,
    model_campaign_states,
)

SMALL = {"n_users": 400, "weak_tie_share": 0.3, "seed": 4}


def test_campaign_state_is_the_highest_stage_reached():
    view = np.array([-1, 0, 2, 1, 3])
    buy = np.array([-1, -1, -1, 4, 3])
    shared = np.array([False, False, True, True, False])
    state = campaign_states(view, buy, shared)
    assert state.dtype == np.int8
    assert state.tolist() == [
        CampaignState.UNAWARE, CampaignState.SEEN, CampaignState.SHARED, CampaignState.BOUGHT, CampaignState.BOUGHT
    ]


def test_sharers_count_only_campaign_items_that_were_sent():
    is_campaign = np.array([True, False, True])
    item = np.array([0, 0, 1, 2, 2])
    user = np.array([1, 2, 3, 4, 1])
    sent = np.array([True, False, True, True, True])
    assert campaign_sharers(6, item, user, sent, is_campaign).tolist() == [False, True, False, False, True, False]


def test_states_never_go_back_and_match_the_model_arrays():
    model = VizModel(**SMALL)
    previous = model_campaign_states(model)
    assert (previous == CampaignState.UNAWARE).all()
    for _ in range(6):
        model.step()
        state = model_campaign_states(model)
        assert (state >= previous).all()
        previous = state
    assert ((state >= CampaignState.SEEN) == (model.campaign_view_step >= 0)).all()
    assert ((state == CampaignState.BOUGHT) == (model.campaign_buy_step >= 0)).all()
    counts = campaign_counts(model)
    assert counts["day"] == 6 and counts["seen"] > 0
    assert counts["seen"] >= counts["bought"] == int((state == CampaignState.BOUGHT).sum())


def test_page_model_is_replicate_zero_of_an_experiment_run():
    controls = {"n_users": 400, "weak_tie_share": 0.3, "platform": "popularity", "strategy": "gifting",
                "feed_size": 6, "p_stream": 0.2}
    model = VizModel(seed=4, **controls)
    for _ in range(5):
        model.step()
    page = model.datacollector.get_model_vars_dataframe().iloc[1:].reset_index(drop=True)
    config = Config(seed=4, run=RunConfig(n_steps=5, n_jobs=1, progress=False))
    run = runner.simulate(config, runner.RunSpec(index=0, point=page_point(**controls), replicate=0))
    expected = run.trajectories[page.columns.intersection(run.trajectories.columns)]
    assert len(expected.columns) >= 6
    pd.testing.assert_frame_equal(page[expected.columns], expected, check_dtype=False)


def test_page_model_reports_the_gini_of_creators_views_from_day_zero():
    model = VizModel(**SMALL)
    model.step()
    frame = model.datacollector.get_model_vars_dataframe()
    assert len(frame) == 2 and frame["creator_views_gini"].iloc[0] == 0.0
    assert frame["creator_views_gini"].iloc[-1] == gini(model.creator_views[model.creators])
    assert model.platform.p_stream == 0.2


def test_page_model_rejects_an_unknown_policy_by_name():
    with pytest.raises(ConfigError, match="platform='nonsense' is not a platform/ option"):
        VizModel(platform="nonsense", **SMALL)


def test_page_model_accepts_the_seed_as_text():
    assert VizModel(**{**SMALL, "seed": "4"}).root_seed == 4


@pytest.mark.parametrize("weak_tie_share", [0.0, 0.3])
def test_layout_puts_circles_together_and_is_cached(weak_tie_share):
    model = VizModel(**{**SMALL, "weak_tie_share": weak_tie_share})
    society = model.society
    positions = network_layout(society, seed=1)
    assert positions.shape == (society.n_users, 2) and np.isfinite(positions).all()
    assert network_layout(society, seed=1) is positions
    np.testing.assert_array_equal(circle_layout(society, rng=np.random.default_rng(1)), positions)
    # Members of a circle sit closer to their circle's centre than to other circles' centres.
    # Not a sampling bound but the layout's geometry: a circle of mean size is a uniform disc
    # (Vogel spiral) of diameter 0.4 D, D the median distance between neighbouring centres,
    # so the median member lies 0.2 D / sqrt(2) = 0.14 D from its centre; another circle's
    # centre is typically D or more away. The factor 0.5 fails only if other centres came
    # within about 0.28 D, i.e. if the discs overlapped.
    circle = society.circle
    centres = np.stack([np.bincount(circle, weights=positions[:, k]) / np.bincount(circle) for k in (0, 1)], axis=1)
    own = np.linalg.norm(positions - centres[circle], axis=1)
    other = np.linalg.norm(positions - centres[(circle + 1) % centres.shape[0]], axis=1)
    assert np.median(own) < 0.5 * np.median(other)


def test_drawing_shows_every_user_and_counts_states_in_the_legend():
    model = VizModel(**SMALL)
    for _ in range(3):
        model.step()
    states = model_campaign_states(model)
    ax = Figure().add_subplot()
    draw_network(ax, model.society, network_layout(model.society, seed=1), states)
    assert ax.collections[-1].get_offsets().shape == (model.n_users, 2)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    counts = np.bincount(states, minlength=len(CampaignState))
    assert labels == [f"{s.name.lower()} ({counts[s]})" for s in CampaignState]


def test_command_serves_the_app_on_the_given_port():
    command = solara_command(9123, "localhost", ["--no-open"])
    assert command[1:4] == ["-m", "solara", "run"] and command[4].endswith("diffusion/viz/app.py")
    assert command[command.index("--port") + 1] == "9123" and command[-1] == "--no-open"
