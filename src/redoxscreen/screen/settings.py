"""What a screening run does, as one JSON-able record (stored in the manifest and run folder)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from redoxscreen.electrochem import PotentialConversion, ScreenRule, stability_window
from redoxscreen.evaluation.calibration import INTERVALS
from redoxscreen.runtime.errors import ConfigError


@dataclass
class ScreenSettings:
    """Options of ``redoxscreen screen``.

    ``bands`` maps a role to ``(low, high)`` in V on ``scale`` (either may be ``None``);
    ``conversion`` is a :class:`PotentialConversion` as a dict (default: the study's rule).
    """

    roles: list[str] = field(default_factory=lambda: ["cathode", "anode"])
    solvent: str = "acetonitrile"
    collector: str | None = None
    bands: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    uncertainty: str = "conformal"
    coverage: float = 0.95
    scale: str = "vs_li"
    conversion: dict = field(default_factory=lambda: PotentialConversion.study().to_dict())
    ie_target: str | None = None
    ea_target: str | None = None
    chunk_size: int = 10000
    n_workers: int = 2
    top_n: int = 100

    def rules(self) -> dict[str, ScreenRule]:
        """One rule per role; validates roles, solvent, collector and the uncertainty mode."""
        INTERVALS[self.uncertainty]  # an unknown mode fails before any work
        conv = PotentialConversion.from_dict(self.conversion)
        window = stability_window(self.solvent, self.collector, self.scale, conv.she_absolute_v)
        return {r: ScreenRule(r, window, self.bands.get(r)) for r in self.roles}

    def resolve_targets(self, targets: list[str]) -> None:
        """Pick the IE/EA outputs of the model when not given (names with 'ie'/'ip', 'ea')."""
        def pick(explicit: str | None, keys: tuple[str, ...]) -> str | None:
            if explicit:
                if explicit not in targets:
                    raise ConfigError(f"the model has no target {explicit!r} (it predicts "
                                      f"{', '.join(targets)})")
                return explicit
            hits = [t for t in targets if any(k in t.lower() for k in keys)]
            return hits[0] if hits else None

        self.ie_target = pick(self.ie_target, ("ie", "ip", "ion"))
        self.ea_target = pick(self.ea_target, ("ea", "affin"))
        if "cathode" in self.roles and self.ie_target is None:
            raise ConfigError(f"cathode screening needs an IE output; the model predicts "
                              f"{', '.join(targets)}: name it with --ie-target")
        if "anode" in self.roles and self.ea_target is None:
            raise ConfigError(f"anode screening needs an EA output; the model predicts "
                              f"{', '.join(targets)}: name it with --ea-target")

    def target_for(self, role: str) -> str | None:
        """The model output a role's potential is computed from (IE: cathode, EA: anode)."""
        return self.ie_target if role == "cathode" else self.ea_target

    def to_dict(self) -> dict:
        return asdict(self)
