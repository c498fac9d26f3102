r"""Acquisition functions by name (``--acquisition NAME[:key=value,...]``), registered like models.

Each scores the unlabelled candidates from an :class:`AcquisitionInput`: the scalarised goal's
calibrated predictive mean :math:`\mu` and standard deviation :math:`\sigma`, the best feasible
labelled value :math:`y^*`, and :math:`P_\mathrm{feas}` (every band and window met).

=============  ================================================================================
``random``     uniform scores (the baseline)
``greedy``     :math:`\mu` (exploitation)
``ucb``        :math:`\mu + \beta\sigma`
``ei``         :math:`\mathbb E[\max(y - y^* - \xi, 0)] = \sigma[z\Phi(z) + \varphi(z)]`,
               :math:`z = (\mu - y^* - \xi)/\sigma`
``pi``         :math:`\Phi(z)`
``thompson``   one posterior draw per batch slot (a GP's joint draw, or an ensemble member);
               each slot takes the best candidate of its draw
``maxvar``     :math:`\sigma` (pure exploration)
``pwindow``    :math:`P_\mathrm{feas}`: the screening question, P(potential inside the window
               and the target band)
=============  ================================================================================

With constraints, ``ei`` and ``pi`` are multiplied by :math:`P_\mathrm{feas}` (constrained EI,
Gardner et al., ICML 2014) and ``greedy``/``ucb`` rank the candidates whose mean is feasible
first. With bands only (no goal to improve), ``ei``, ``pi`` and ``ucb`` reduce to ``pwindow``
and ``greedy`` ranks by the distance of the mean from the bands.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import ndtr

from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.registry import Registry

ACQUISITIONS = Registry("acquisition", runtime=("inp",))


@dataclass
class AcquisitionInput:
    """What an acquisition sees. ``mean``/``sd`` are ``None`` when there is no goal (bands
    only); ``sample(k)`` returns ``(k, n)`` draws of the scalarised goal (−inf where the draw
    breaks a constraint) or, with bands only, 1/0 for a draw inside/outside them."""

    mean: np.ndarray | None
    sd: np.ndarray | None
    best: float
    p_feasible: np.ndarray
    mean_feasible: np.ndarray
    distance: np.ndarray
    spread: np.ndarray
    sample: Callable[[int], np.ndarray]
    rng: np.random.Generator
    batch_size: int = 1
    constrained: bool = False

    @property
    def n(self) -> int:
        return len(self.p_feasible)


def _gated(inp: AcquisitionInput, value: np.ndarray) -> np.ndarray:
    """``value``, with candidates whose predicted mean breaks a constraint ranked after all
    others (offset by the value range, so the order inside each group is kept)."""
    span = float(np.ptp(value)) + 1.0 if len(value) else 1.0
    return value - span * (~inp.mean_feasible)


@ACQUISITIONS.register("random", diverse=False)
def random(inp: AcquisitionInput) -> np.ndarray:
    """Uniformly random (the baseline every other acquisition must beat)."""
    return inp.rng.random(inp.n)


@ACQUISITIONS.register("greedy")
def greedy(inp: AcquisitionInput) -> np.ndarray:
    """The predicted mean (pure exploitation)."""
    if inp.mean is None:
        return -inp.distance
    return _gated(inp, inp.mean)


@ACQUISITIONS.register("ucb")
def ucb(inp: AcquisitionInput, beta: float = 2.0) -> np.ndarray:
    """Upper confidence bound, mean + beta × sd."""
    if inp.mean is None:
        return pwindow(inp)
    return _gated(inp, inp.mean + beta * inp.sd)


def _z(inp: AcquisitionInput, xi: float) -> tuple[np.ndarray, np.ndarray]:
    sd = np.maximum(inp.sd, 1e-12)
    best = inp.best if np.isfinite(inp.best) else float(np.min(inp.mean)) - 3 * float(sd.max())
    return (inp.mean - best - xi) / sd, sd


@ACQUISITIONS.register("ei")
def ei(inp: AcquisitionInput, xi: float = 0.0) -> np.ndarray:
    """Expected improvement over the best feasible label (× P(feasible))."""
    if inp.mean is None:
        return pwindow(inp)
    z, sd = _z(inp, xi)
    return sd * (z * ndtr(z) + np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)) * inp.p_feasible


@ACQUISITIONS.register("pi")
def pi(inp: AcquisitionInput, xi: float = 0.0) -> np.ndarray:
    """Probability of improvement over the best feasible label (× P(feasible))."""
    if inp.mean is None:
        return pwindow(inp)
    z, _ = _z(inp, xi)
    return ndtr(z) * inp.p_feasible


@ACQUISITIONS.register("thompson", batch=True)
def thompson(inp: AcquisitionInput) -> np.ndarray:
    """Thompson sampling: one posterior draw per batch slot (scores of shape (batch, n))."""
    draws = inp.sample(inp.batch_size)
    return draws + 1e-9 * inp.rng.random(draws.shape)  # random ties (bands: many 1s)


@ACQUISITIONS.register("maxvar")
def maxvar(inp: AcquisitionInput) -> np.ndarray:
    """The predictive standard deviation (pure exploration)."""
    return inp.spread


@ACQUISITIONS.register("pwindow")
def pwindow(inp: AcquisitionInput) -> np.ndarray:
    """P(inside the solvent/collector window and every target band)."""
    return inp.p_feasible


def parse_acquisition(spec: str) -> tuple[str, dict]:
    """``ucb:beta=3`` → ``("ucb", {"beta": 3})``, checked against the registry."""
    return ACQUISITIONS.parse_spec(spec.lower())


def score(spec: str, inp: AcquisitionInput) -> np.ndarray:
    """Scores of ``inp``'s candidates, ``(n,)``, or ``(batch, n)`` for a batch acquisition."""
    name, settings = parse_acquisition(spec)
    if name == "pwindow" and not inp.constrained:
        raise ConfigError("pwindow needs a constraint: a --band or a potential objective "
                          "(e_ox_v_li, e_red_v_li, ...) limited by the electrolyte window")
    return np.asarray(ACQUISITIONS[name].factory(inp, **settings), float)


def wants_diversity(spec: str) -> bool:
    """Whether batch diversity applies: not to random picks (already spread, and the baseline
    must stay uniform) nor to batch acquisitions (each slot has its own draw)."""
    options = ACQUISITIONS[parse_acquisition(spec)[0]].options
    return options.get("diverse", True) and not options.get("batch", False)
