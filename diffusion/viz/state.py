"""Each user's state towards the campaign (W1's focal product), for drawing the network.

Pure functions of the platform model's arrays, vectorised over users; no Solara or Mesa
visualization imports, so the tests and a notebook can use them without the viz extra.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from diffusion.model import PlatformModel


class CampaignState(IntEnum):
    """How far the campaign has gone with a user; a higher state includes the lower ones."""

    UNAWARE = 0  # has not viewed a campaign item
    SEEN = 1  # has viewed a campaign item
    SHARED = 2  # has passed a campaign item on (a share, or a recommendation after buying)
    BOUGHT = 3  # has bought a campaign item


def campaign_sharers(
    n_users: int, exposure_item: np.ndarray, exposure_user: np.ndarray, sent: np.ndarray, is_campaign: np.ndarray
) -> np.ndarray:
    """Mask of users who have passed a campaign item on.

    Parameters
    ----------
    n_users : int
        Number of users.
    exposure_item, exposure_user, sent : numpy.ndarray
        One entry per row of the model's exposure table: the item, the user, and whether the
        user has sent the item on (``exposures["sent"]``).
    is_campaign : numpy.ndarray of bool
        Per item id, whether it is a campaign item.

    Notes
    -----
    Campaign items live for the whole run, so their exposure rows are never dropped and the
    mask is complete. O(rows).
    """
    rows = sent & is_campaign[exposure_item]
    mask = np.zeros(n_users, dtype=bool)
    mask[exposure_user[rows]] = True
    return mask


def campaign_states(view_step: np.ndarray, buy_step: np.ndarray, shared: np.ndarray) -> np.ndarray:
    """Each user's :class:`CampaignState` as an ``int8`` array, the highest that applies.

    Parameters
    ----------
    view_step, buy_step : numpy.ndarray of int
        Day each user first viewed / bought a campaign item, -1 if never
        (``PlatformModel.campaign_view_step`` and ``campaign_buy_step``).
    shared : numpy.ndarray of bool
        Whether each user has passed a campaign item on (:func:`campaign_sharers`).
    """
    state = np.full(np.shape(view_step), CampaignState.UNAWARE, dtype=np.int8)
    state[np.asarray(view_step) >= 0] = CampaignState.SEEN
    state[np.asarray(shared, dtype=bool)] = CampaignState.SHARED
    state[np.asarray(buy_step) >= 0] = CampaignState.BOUGHT
    return state


def model_campaign_states(model: PlatformModel) -> np.ndarray:
    """:func:`campaign_states` of a platform model's current state."""
    ex = model.exposures
    shared = campaign_sharers(model.n_users, ex.first(), ex.second(), ex["sent"], model.items.campaign)
    return campaign_states(model.campaign_view_step, model.campaign_buy_step, shared)


def campaign_counts(model: PlatformModel) -> dict[str, int]:
    """Users who have seen, shared and bought a campaign item so far (each counted in every
    stage they reached, so ``seen >= bought``), and the number of days simulated."""
    ex = model.exposures
    shared = campaign_sharers(model.n_users, ex.first(), ex.second(), ex["sent"], model.items.campaign)
    return {
        "day": int(model.steps),
        "seen": int((model.campaign_view_step >= 0).sum()),
        "shared": int(shared.sum()),
        "bought": int((model.campaign_buy_step >= 0).sum()),
    }
