"""Watch the platform model run in a browser: a Mesa SolaraViz page.

Run with ``python -m diffusion.viz`` (see :mod:`diffusion.viz.__main__`) or
``solara run diffusion/viz/app.py``. The page shows the social network with users coloured by
their state towards the campaign (W1's focal product: unaware, seen, shared, bought), a line
of counts, and live plots of campaign reach and purchases, daily purchases and the Gini of
creators' views. The sidebar holds Mesa's Reset / play / Step controls and the model
parameters (weak-tie share, exposure policy, creator strategy, feed size, users, seed); a
changed parameter takes effect on Reset, as everywhere in SolaraViz.

Needs the ``viz`` extra (``pip install ".[viz]"``). Uses Mesa's matplotlib components only
(Mesa 3.3's altair backend fails with pandas 3).
"""

from __future__ import annotations

import inspect
import io

import solara
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter
from mesa.visualization import SolaraViz, make_plot_component

from diffusion.config import group_options
from diffusion.viz.drawing import draw_network
from diffusion.viz.layout import network_layout
from diffusion.viz.model import VizModel
from diffusion.viz.state import campaign_counts, model_campaign_states

#: Title of the page.
TITLE = "diffusion: a campaign spreading on a short-video platform"

#: Defaults of the page's controls: those of :class:`VizModel` (the package's own).
DEFAULTS = {name: p.default for name, p in inspect.signature(VizModel.__init__).parameters.items() if name != "self"}

#: The sidebar's model parameters (Mesa SolaraViz ``model_params``).
MODEL_PARAMS = {
    "weak_tie_share": {
        "type": "SliderFloat", "label": "Weak-tie share", "value": DEFAULTS["weak_tie_share"],
        "min": 0.0, "max": 0.6, "step": 0.05,
    },
    "platform": {
        "type": "Select", "label": "Platform policy", "value": DEFAULTS["platform"], "values": group_options("platform"),
    },
    "strategy": {
        "type": "Select", "label": "Creator strategy", "value": DEFAULTS["strategy"], "values": group_options("strategy"),
    },
    "feed_size": {"type": "SliderInt", "label": "Feed size", "value": DEFAULTS["feed_size"], "min": 1, "max": 30, "step": 1},
    "n_users": {"type": "SliderInt", "label": "Users", "value": DEFAULTS["n_users"], "min": 200, "max": 10000, "step": 100},
    "seed": {"type": "InputText", "label": "Seed", "value": str(DEFAULTS["seed"])},
}


def counts_line(model: VizModel) -> str:
    """One line of text: the day, the campaign counts, the policy and the strategy.

    The browser test reads it, so keep its ``name value`` pairs.
    """
    c = campaign_counts(model)
    return (
        f"day {c['day']} | seen {c['seen']} | shared {c['shared']} | bought {c['bought']} | "
        f"policy {model.policy_name} | strategy {model.strategy_name}"
    )


def settings_line(model: VizModel) -> str:
    """The network settings of the run, for the drawing's title."""
    return (
        f"{model.n_users:,} users, weak-tie share {model.weak_tie_share:g}, feed size "
        f"{model.platform.feed_size}, seed {model.root_seed}"
    )


def network_png(model: VizModel, *, dpi: int = 100) -> bytes:
    """The network drawing of the model's current day, as PNG bytes."""
    fig = Figure(figsize=(7.2, 4.2))
    ax = fig.add_subplot()
    positions = network_layout(model.society, seed=model.root_seed)
    draw_network(ax, model.society, positions, model_campaign_states(model), title=settings_line(model))
    ax.title.set_fontsize(9)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def network_view(model: VizModel):
    """The counts line and the network drawing (re-rendered by SolaraViz after every step).

    The drawing is shown at the width of its grid cell, so it follows when the cell is resized.
    """
    with solara.Column(gap="4px") as main:
        solara.Text(counts_line(model), classes=["campaign-counts"])
        solara.Image(network_png(model), width="100%")
    return main


def _axes_labeller(title: str, ylabel: str, *, percent: bool = False, labels: tuple[str, ...] = ()):
    """A ``post_process`` for Mesa's plot component: title, axis label, legend labels.

    (Mesa labels the x axis "Step" itself; one step is one day.)
    """

    def post_process(ax) -> None:
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        if percent:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=1))
        if labels:
            for line, label in zip(ax.get_lines(), labels):
                line.set_label(label)
            ax.legend(loc="upper left")

    return post_process


COMPONENTS = [
    network_view,
    make_plot_component(
        {"campaign_reach_share": "#e69f00", "campaign_purchase_share": "#d55e00"},
        post_process=_axes_labeller(
            "W1: campaign reach and purchases", "share of users", percent=True,
            labels=("viewed a campaign item", "bought a campaign item"),
        ),
    ),
    make_plot_component(
        "purchases", post_process=_axes_labeller("Purchases per day (all products)", "purchases per day")
    ),
    make_plot_component(
        "creator_views_gini",
        post_process=_axes_labeller("D1-D4: concentration of creators' views", "Gini of creators' views"),
    ),
]


@solara.component
def Page():
    """The page: one model per browser session, built from the default parameters."""
    model = solara.use_memo(VizModel, [])
    return SolaraViz(model, components=COMPONENTS, model_params=MODEL_PARAMS, name=TITLE)
