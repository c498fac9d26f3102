"""What a screening run does, as one JSON-able record (stored in the manifest and run folder)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from redoxscreen.electrochem import PotentialConversion, ScreenRule, stability_window
from redoxscreen.evaluation.calibration import INTERVALS
from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.precision import PRECISIONS


@dataclass
class ScreenSettings:
    """Options of ``redoxscreen screen``.

    ``bands`` maps a role to ``(low, high)`` in V on ``scale`` (either may be ``None``);
    ``conversion`` is a :class:`PotentialConversion` as a dict; ``None`` (the default) is the
    model's own: none for a model that predicts potentials, else the study's rule
    (:meth:`resolve_conversion`). A molecule outside the model's applicability domain
    (``domain == 'out'``) never passes unless ``allow_out_of_domain``.
    """

    roles: list[str] = field(default_factory=lambda: ["cathode", "anode"])
    solvent: str = "acetonitrile"
    collector: str | None = None
    bands: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    uncertainty: str = "conformal"
    coverage: float = 0.95
    scale: str = "vs_li"
    conversion: dict | None = None
    ie_target: str | None = None
    ea_target: str | None = None
    chunk_size: int = 10000
    n_workers: int = 2
    top_n: int = 100
    allow_out_of_domain: bool = False
    scheduler: str | None = None  # see redoxscreen.runtime.executor; None: local processes
    precision: str = "fp32"  # the nets': fp32, mixed or int8 (redoxscreen.runtime.precision)

    def rules(self) -> dict[str, ScreenRule]:
        """One rule per role; validates roles, solvent, collector and the uncertainty mode."""
        INTERVALS[self.uncertainty]  # an unknown mode fails before any work
        if self.precision not in PRECISIONS:
            raise ConfigError(f"unknown precision {self.precision!r}; use "
                              f"{' or '.join(PRECISIONS)}")
        conv = PotentialConversion.from_dict(self.conversion or
                                             PotentialConversion.study().to_dict())
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

        self.ie_target = pick(self.ie_target, ("ie", "ip", "ion", "e_ox"))
        self.ea_target = pick(self.ea_target, ("ea", "affin", "e_red"))
        if "cathode" in self.roles and self.ie_target is None:
            raise ConfigError(f"cathode screening needs an IE output; the model predicts "
                              f"{', '.join(targets)}: name it with --ie-target")
        if "anode" in self.roles and self.ea_target is None:
            raise ConfigError(f"anode screening needs an EA output; the model predicts "
                              f"{', '.join(targets)}: name it with --ea-target")

    def resolve_conversion(self, units: dict[str, str], potential_scale: str | None) -> None:
        """Fix ``conversion`` for a model whose outputs have ``units``: a model that predicts
        the roles' potentials (unit V, on ``potential_scale``) needs none — an explicit one
        would convert twice and is refused — and any other gets the study's rule by default."""
        used = {self.target_for(r) for r in self.roles} - {None}
        volts = {t for t in used if units.get(t, "eV").lower() == "v"}
        if volts and volts != used:
            raise ConfigError(f"the roles read {', '.join(sorted(used))}: some are potentials "
                              "(V) and some energies; screen them in separate runs")
        if not volts:
            if self.conversion is None:
                self.conversion = PotentialConversion.study().to_dict()
            return
        if self.conversion is not None and self.conversion.get("method") == "linear":
            return  # a line fitted on this model's potentials ('calibrate --model'): a correction
        if self.conversion is not None and self.conversion.get("method") != "labels":
            raise ConfigError(f"the model predicts potentials ({', '.join(sorted(volts))}, V "
                              f"{potential_scale}); the {self.conversion.get('method')} "
                              "conversion would convert them twice: drop --conversion (a line "
                              "fitted by 'calibrate --model' on this model is accepted)")
        self.conversion = PotentialConversion.identity(potential_scale or "vs_li").to_dict()

    def target_for(self, role: str) -> str | None:
        """The model output a role's potential is computed from (IE: cathode, EA: anode)."""
        return self.ie_target if role == "cathode" else self.ea_target

    def to_dict(self) -> dict:
        return asdict(self)
