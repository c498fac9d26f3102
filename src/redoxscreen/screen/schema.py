"""The columns of a screening result, named in one place.

The worker writes them, the store queries them, the reports and the web pages read them. Per
input record: ``row`` (1-based record number in the library; a header line is not counted,
a blank line is a record), ``smiles``, ``id`` (when the library has one), ``valid``,
``reason``, ``standardization`` (what the model's standardisation changed, ``smiles`` staying
the input), the applicability domain ``domain`` (in/edge/out), ``domain_reason`` and
``nn_similarity`` (largest Tanimoto similarity to a training molecule); per target
``<t>_pred`` (and ``<t>_std``, the spread of the fold models); per role the potential and
its interval on the run's scale — ``e_ox_v_li``, ``e_ox_lo_v_li``, ``e_ox_hi_v_li`` for
cathodes (``e_red_…`` for anodes; ``_li``, ``_she``, ``_abs`` by scale) — and the rule's
outcome ``<role>_in_window``, ``<role>_in_band``, ``<role>_p_window``,
``<role>_pass``.
"""

from __future__ import annotations

from redoxscreen.electrochem import ROLES, SCALES
from redoxscreen.runtime.errors import ConfigError

SCALE_TAGS = {"vs_li": "li", "vs_she": "she", "absolute": "abs"}
OUTCOMES = ("in_window", "in_band", "p_window", "pass")
RECORD = ("row", "smiles", "id", "valid", "reason", "standardization", "domain", "domain_reason",
          "nn_similarity")


def scale_tag(scale: str) -> str:
    """Short scale tag used in column names: ``vs_li`` → ``li``."""
    if scale not in SCALE_TAGS:
        raise ConfigError(f"unknown potential scale {scale!r}; use one of {', '.join(SCALES)}")
    return SCALE_TAGS[scale]


def potential_column(role: str, scale: str) -> str:
    """A role's potential, e.g. ``e_ox_v_li``."""
    return f"{ROLES[role].prefix}_v_{scale_tag(scale)}"


def bound_columns(role: str, scale: str) -> tuple[str, str]:
    """The lower and upper bound of a role's potential, e.g. ``e_ox_lo_v_li``, ``e_ox_hi_v_li``."""
    prefix, tag = ROLES[role].prefix, scale_tag(scale)
    return f"{prefix}_lo_v_{tag}", f"{prefix}_hi_v_{tag}"


def outcome_column(role: str, outcome: str) -> str:
    """``<role>_in_window``, ``<role>_in_band``, ``<role>_p_window`` or ``<role>_pass``."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; one of {', '.join(OUTCOMES)}")
    return f"{role}_{outcome}"


def prediction_columns(target: str) -> tuple[str, str]:
    """A target's prediction and the fold models' spread: ``<t>_pred``, ``<t>_std``."""
    return f"{target}_pred", f"{target}_std"


def result_columns(targets: list[str], roles: list[str], scale: str, *, ids: bool = False,
                   spread: bool = True) -> list[str]:
    """Every column of a result table, in order."""
    cols = [c for c in RECORD if ids or c != "id"]
    for t in targets:
        pred, std = prediction_columns(t)
        cols += [pred, std] if spread else [pred]
    for role in roles:
        cols += [potential_column(role, scale), *bound_columns(role, scale)]
        cols += [outcome_column(role, o) for o in OUTCOMES]
    return cols
