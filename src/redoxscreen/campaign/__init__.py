"""Discovery campaigns: active learning that chooses what to compute or measure next.

A candidate space (:mod:`.space`), a surrogate with calibrated uncertainty (:mod:`.surrogate`),
registered acquisitions (:mod:`.acquisition`) with batch diversity (:mod:`.diversity`),
objectives and constraints (:mod:`.objectives`), oracles (:mod:`.oracles`), and the record of
every round in DuckDB (:mod:`.store`), driven by :class:`~.loop.Campaign`.
"""

from redoxscreen.campaign.acquisition import ACQUISITIONS
from redoxscreen.campaign.config import CampaignConfig
from redoxscreen.campaign.loop import Campaign, init_campaign
from redoxscreen.campaign.objectives import Objective, objectives_from_options
from redoxscreen.campaign.record import CampaignRecord

__all__ = ["ACQUISITIONS", "Campaign", "CampaignConfig", "CampaignRecord", "Objective",
           "init_campaign", "objectives_from_options"]
