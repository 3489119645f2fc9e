"""The platform model as the browser page builds it: from a few slider values.

:class:`VizModel` is a thin subclass of :class:`~diffusion.model.PlatformModel`. Its constructor
takes only keyword arguments a page control can set (Mesa's SolaraViz rebuilds the model with
them on Reset), builds the society, the exposure policy and the creator strategy exactly as an
experiment run does (replicate 0 of root seed ``seed``, :func:`diffusion.runner.simulate`), and
adds a reporter to the DataCollector. The model itself is unchanged.
"""

from __future__ import annotations

from typing import Any

import mesa

from diffusion import config as config_module
from diffusion import runner
from diffusion.config import Config
from diffusion.errors import ConfigError
from diffusion.metrics import platform as platform_metrics
from diffusion.metrics.inequality import gini
from diffusion.model import PlatformModel
from diffusion.params import PlatformParams
from diffusion.rng import replicate_streams

#: Live streams are off by default in the package (the calibrated core runs on short videos);
#: the page switches them on, as the creator experiments do, so that strategies matter.
P_STREAM = 0.2
#: Users on the page by default: big enough for circles, cities and creators of every tier,
#: small enough to draw every user and redraw in well under a second.
N_USERS = 2000
# Every other default is the package's own (the typed schema and conf/config.yaml).
_POLICY_OPTION = config_module.TARGET_NODES["platform.policy"][3]
_STRATEGY_OPTION = config_module.TARGET_NODES["strategy"][3]


def creator_views_gini(model: PlatformModel) -> float:
    """Gini coefficient of creators' views so far (D1-D4: how concentrated attention is)."""
    return gini(model.creator_views[model.creators])


#: The page's DataCollector: the model's own reporters plus the Gini of creators' views.
VIZ_REPORTERS = {**platform_metrics.MODEL_REPORTERS, "creator_views_gini": creator_views_gini}


class VizModel(PlatformModel):
    """A :class:`PlatformModel` built from page controls, with live streams on.

    Parameters
    ----------
    n_users : int
        Users in the weak-tie society (default :data:`N_USERS`).
    weak_tie_share : float
        ``network.weak_tie_share``: the fraction of ties that bridge circles (W1-W4).
    platform : str
        An option of the ``platform/`` config group (the exposure policy), e.g. ``"baseline"``.
    strategy : str
        An option of the ``strategy/`` config group (the focal creators' growth strategy).
    feed_size : int
        ``platform.feed_size``: platform feed slots each online user views a day.
    seed : int or str
        Root seed (digits as text are accepted: the page's seed box gives text). The run uses
        the streams of replicate 0, so it is the same run as replicate 0 of an experiment with
        these settings (apart from the extra day-0 record below).

    Every default but ``n_users`` and ``p_stream`` is the package's own.
    p_stream : float
        ``platform.p_stream``: chance a creator goes live on a day (default :data:`P_STREAM`).

    Notes
    -----
    Unlike an experiment run, the DataCollector also records the state before day 0, so the
    page's plots start from zero.
    """

    def __init__(
        self,
        *,
        n_users: int = N_USERS,
        weak_tie_share: float = config_module.NetworkConfig.weak_tie_share,
        platform: str = _POLICY_OPTION,
        strategy: str = _STRATEGY_OPTION,
        feed_size: int = PlatformParams.feed_size,
        seed: int | str = Config.seed,
        p_stream: float = P_STREAM,
    ) -> None:
        seed = int(seed)  # the page's seed box gives text
        settings = settings_for(
            n_users=n_users, weak_tie_share=weak_tie_share, platform=platform, strategy=strategy,
            feed_size=feed_size, seed=seed, p_stream=p_stream,
        )
        streams = replicate_streams(seed, 0)
        society = runner.society_for_run(settings, seed, 0)
        super().__init__(society, **runner.model_arguments(settings, streams))
        self.policy_name = platform
        self.weak_tie_share = float(weak_tie_share)
        self.strategy_name = strategy
        self.root_seed = seed
        self.datacollector = mesa.DataCollector(model_reporters=VIZ_REPORTERS)
        self.datacollector.collect(self)


def page_point(
    *, n_users: int, weak_tie_share: float, platform: str, strategy: str, feed_size: int, p_stream: float
) -> dict[str, Any]:
    """The page's controls as a grid point (dotted config keys and group options), as an
    experiment's sweep would give them to :func:`diffusion.config.apply_point`."""
    return {
        "platform": platform,
        "strategy": strategy,
        "network.n_users": int(n_users),
        "network.weak_tie_share": float(weak_tie_share),
        "platform.feed_size": int(feed_size),
        "platform.p_stream": float(p_stream),
    }


def settings_for(*, seed: int, **controls: Any) -> config_module.Settings:
    """Validated settings for the page's controls (:func:`page_point`) on top of the package
    defaults.

    Raises :class:`~diffusion.errors.ConfigError` naming a bad value (e.g. an unknown policy).
    """
    point = page_point(**controls)
    for group in ("platform", "strategy"):
        if point[group] not in config_module.group_options(group):
            raise ConfigError(
                f"{group}={point[group]!r} is not a {group}/ option; allowed: "
                f"{', '.join(config_module.group_options(group))}."
            )
    return config_module.apply_point(Config(seed=seed), point)
