"""What ``campaign init`` fixes for a campaign's life: objectives, targets, surrogate,
conversion."""

from __future__ import annotations

from dataclasses import dataclass, field

from redoxscreen.campaign.objectives import Column, Objective, potential_label, resolve_columns
from redoxscreen.electrochem import PotentialConversion


@dataclass
class CampaignConfig:
    """What ``campaign init`` fixes for the campaign's life (stored in the record)."""

    objectives: list[dict]
    targets: list[str]
    space: dict
    candidates_file: str
    candidates_sha256: str
    featurizer: str = "ecfp:r=2,bits=2048"
    surrogate: str = "auto"
    surrogate_settings: dict = field(default_factory=dict)
    acquisition: str | None = None
    diversity: str = "maxmin"
    pool_factor: float = 3.0
    ie_target: str | None = "ie_ev"
    ea_target: str | None = "ea_ev"
    conversion: dict = field(default_factory=lambda: PotentialConversion.study().to_dict())
    solvent: str = "acetonitrile"
    collector: str | None = None
    folds: int = 5
    seed: int = 0
    potential_labels: bool = False  # labels are potentials (e_*_v_li), e.g. xtb in solution

    def objective_list(self) -> list[Objective]:
        return [Objective.from_dict(o) for o in self.objectives]

    def default_acquisition(self) -> str:
        """``pwindow`` when there is no goal to improve, else Thompson sampling: the batch
        acquisition that needs no diversity heuristic (each slot a posterior draw; Hernández-
        Lobato et al., ICML 2017); the best after 500 and 1,000 labels in
        ``bench/bench_campaign.py``."""
        if self.acquisition:
            return self.acquisition
        return "thompson" if any(o.is_goal for o in self.objective_list()) else "pwindow"


def needed_targets(objectives: list[Objective], ie_target: str | None, ea_target: str | None,
                   potential_labels: bool = False) -> list[str]:
    """Label columns the objectives read: a derived potential reads its IE/EA column, or its
    ``e_*_v_li`` column when the labels are potentials."""
    out: list[str] = []
    for o in objectives:
        t = o.column
        if potential_labels and potential_label(t):
            t = potential_label(t)
        elif t.startswith("e_ox_v_"):
            t = ie_target or "ie_ev"
        elif t.startswith("e_red_v_"):
            t = ea_target or "ea_ev"
        if t not in out:
            out.append(t)
    return out


def config_columns(config: CampaignConfig) -> list[Column]:
    return resolve_columns(config.objective_list(), config.targets, ie_target=config.ie_target,
                           ea_target=config.ea_target,
                           conversion=PotentialConversion.from_dict(config.conversion),
                           solvent=config.solvent, collector=config.collector,
                           potential_labels=config.potential_labels)


