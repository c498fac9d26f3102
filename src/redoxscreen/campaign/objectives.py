r"""What a campaign looks for: ``--maximize COL``, ``--minimize COL``, ``--band COL=LO:HI``.

``COL`` is a label column (``ea_ev``) or a potential derived from one, named as ``screen``
names them (``e_ox_v_li`` from the IE target, ``e_red_v_she`` from the EA target, ...). A derived
potential is linear in its target, :math:`E = aX + b` (the campaign's conversion), so its
predicted mean and standard deviation are :math:`a\mu + b` and :math:`|a|\sigma`, and it is
always constrained to the electrolyte's stability window (solvent ∩ collector).

Goals (maximise/minimise) are what acquisitions improve; bands and windows are constraints,
entered as the probability :math:`P_\mathrm{feas} = \prod_c P(l_c \le y_c \le h_c)` under the
calibrated Gaussian predictive of each constrained column. Several goals are scalarised with
stated weights on goal values standardised by the spread of the labels,
:math:`s = \sum_g w_g\, d_g\, y_g / \mathrm{sd}_g` (:math:`d_g = \pm 1`), and the labelled set's
Pareto front is reported.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np
from scipy.special import ndtr

from redoxscreen.electrochem import PotentialConversion, stability_window
from redoxscreen.electrochem.scales import convert_potential
from redoxscreen.runtime.errors import ConfigError

_POTENTIAL = re.compile(r"^e_(ox|red)_v_(li|she|abs)$")
_SCALES = {"li": "vs_li", "she": "vs_she", "abs": "absolute"}
_KINDS = ("maximize", "minimize", "band")


@dataclass(frozen=True)
class Objective:
    """One objective on ``column``; ``low``/``high`` (either may be ±inf) for a band."""

    column: str
    kind: str
    low: float = -np.inf
    high: float = np.inf
    weight: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ConfigError(f"unknown objective kind {self.kind!r}; use {', '.join(_KINDS)}")

    @property
    def is_goal(self) -> bool:
        return self.kind != "band"

    @property
    def sign(self) -> float:
        return -1.0 if self.kind == "minimize" else 1.0

    def label(self) -> str:
        if self.kind == "band":
            return f"{self.column} in [{self.low:g}, {self.high:g}]"
        return f"{self.kind} {self.column}"

    def to_dict(self) -> dict:
        return {k: (None if isinstance(v, float) and np.isinf(v) else v)
                for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict) -> Objective:
        low, high = d.get("low"), d.get("high")
        return cls(d["column"], d["kind"], -np.inf if low is None else low,
                   np.inf if high is None else high, d.get("weight", 1.0))


def parse_band(text: str) -> Objective:
    """``COL=LO:HI`` (either bound may be empty: ``e_red_v_li=:1.5``) → a band objective."""
    col, sep, rng = text.partition("=")
    lo, sep2, hi = rng.partition(":")
    if not (sep and sep2 and col.strip()):
        raise ConfigError(f"--band {text!r}: write COL=LO:HI, e.g. e_red_v_li=1.0:2.5 "
                          "(leave a bound empty for an open side)")
    try:
        low = float(lo) if lo.strip() else -np.inf
        high = float(hi) if hi.strip() else np.inf
    except ValueError as exc:
        raise ConfigError(f"--band {text!r}: bounds must be numbers ({exc})") from exc
    if low >= high:
        raise ConfigError(f"--band {text!r}: the lower bound must be below the upper one")
    return Objective(col.strip(), "band", low, high)


def objectives_from_options(maximize: list[str], minimize: list[str], bands: list[str],
                            weights: list[float] | None = None) -> list[Objective]:
    """The objectives of ``campaign init``; ``weights`` follow the goals in the order given."""
    goals = [Objective(c, "maximize") for c in maximize] + [Objective(c, "minimize")
                                                             for c in minimize]
    if weights:
        if len(weights) != len(goals):
            raise ConfigError(f"{len(weights)} --weight values for {len(goals)} goals; give one "
                              "per --maximize/--minimize")
        goals = [Objective(g.column, g.kind, weight=float(w)) for g, w in zip(goals, weights,
                                                                                strict=True)]
    out = goals + [parse_band(b) for b in bands]
    if not out:
        raise ConfigError("a campaign needs an objective: --maximize COL, --minimize COL or "
                          "--band COL=LO:HI")
    cols = [o.column for o in out]
    if len(set(cols)) != len(cols):
        raise ConfigError(f"a column has two objectives ({', '.join(cols)}); give one per column")
    return out


@dataclass(frozen=True)
class Column:
    """How an objective's column comes from a label target: ``a·target + b``, and the
    interval it must stay in (band ∩ stability window)."""

    name: str
    target: str
    slope: float = 1.0
    intercept: float = 0.0
    low: float = -np.inf
    high: float = np.inf

    @property
    def constrained(self) -> bool:
        return bool(np.isfinite(self.low) or np.isfinite(self.high))


def potential_label(column: str) -> str | None:
    """``e_red_v_she`` → ``e_red_v_li``: the label column of a potential when the labels are
    potentials already (kept vs Li/Li⁺, as the solvated oracle writes them)."""
    m = _POTENTIAL.match(column)
    return f"e_{m.group(1)}_v_li" if m else None


def resolve_columns(objectives: list[Objective], label_targets: list[str], *,
                    ie_target: str | None, ea_target: str | None,
                    conversion: PotentialConversion, solvent: str,
                    collector: str | None, potential_labels: bool = False) -> list[Column]:
    """One :class:`Column` per objective: which target it reads, its linear map, its bounds.

    With ``potential_labels`` a potential objective reads its ``e_*_v_li`` label column, moved
    to the objective's scale (no IE/EA conversion: it would apply twice)."""
    out = []
    for obj in objectives:
        low, high = obj.low, obj.high
        m = _POTENTIAL.match(obj.column)
        if obj.column in label_targets or not m:
            if obj.column not in label_targets:
                raise ConfigError(
                    f"objective column {obj.column!r} is neither a label column "
                    f"({', '.join(label_targets) or 'none yet'}) nor a potential "
                    "(e_ox_v_li, e_red_v_li, ..._v_she, ..._v_abs)")
            out.append(Column(obj.column, obj.column, 1.0, 0.0, low, high))
            continue
        process = "oxidation" if m.group(1) == "ox" else "reduction"
        scale = _SCALES[m.group(2)]
        if potential_labels:
            target, a = potential_label(obj.column), 1.0
            b = float(convert_potential(0.0, "vs_li", scale, conversion.she_absolute_v))
        else:
            target = ie_target if process == "oxidation" else ea_target
            b = float(conversion.potential(0.0, process, scale))
            a = float(conversion.potential(1.0, process, scale)) - b
        if target is None or target not in label_targets:
            need = "--ie-target" if process == "oxidation" else "--ea-target"
            raise ConfigError(f"objective {obj.column} needs the label column it comes from: "
                              f"name it with {need} (label columns: "
                              f"{', '.join(label_targets) or 'none'})")
        window = stability_window(solvent, collector, scale, conversion.she_absolute_v)
        low, high = max(low, window.low_v), min(high, window.high_v)
        if low >= high:
            raise ConfigError(f"objective {obj.label()} lies outside the {solvent}"
                              f"{' + ' + collector if collector else ''} window "
                              f"({window.low_v:.2f} to {window.high_v:.2f} V): no candidate can "
                              "meet it; change the band")
        out.append(Column(obj.column, target, a, b, low, high))
    return out


def column_values(col: Column, target_values: np.ndarray) -> np.ndarray:
    return col.slope * np.asarray(target_values, float) + col.intercept


def p_feasible(columns: list[Column], mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    r""":math:`\prod_c [\Phi((h_c-\mu_c)/\sigma_c) - \Phi((l_c-\mu_c)/\sigma_c)]` over the
    constrained columns (``mean``/``sd``: ``(n, n_columns)`` in column units); 1 if none."""
    p = np.ones(len(mean))
    for j, c in enumerate(columns):
        if c.constrained:
            s = np.maximum(sd[:, j], 1e-12)
            p *= ndtr((c.high - mean[:, j]) / s) - ndtr((c.low - mean[:, j]) / s)
    return np.clip(p, 0.0, 1.0)


def feasible(columns: list[Column], values: np.ndarray) -> np.ndarray:
    """Whether each row of known column values satisfies every band and window."""
    ok = np.ones(len(values), bool)
    for j, c in enumerate(columns):
        if c.constrained:
            ok &= (values[:, j] >= c.low) & (values[:, j] <= c.high)
    return ok


def pareto_front(values: np.ndarray) -> np.ndarray:
    """Mask of the non-dominated rows of ``values`` (every column to be maximised)."""
    v = np.asarray(values, float)
    keep = np.ones(len(v), bool)
    for i in range(len(v)):
        if keep[i]:
            dominated = np.all(v <= v[i], axis=1) & np.any(v < v[i], axis=1)
            keep &= ~dominated
    return keep
