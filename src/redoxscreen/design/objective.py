r"""The design objective: how likely a molecule is to sit in the band, where the model has seen
data, under the constraints.

.. math::

    f(m) = c(m)\, w(s_\max)\, \bigl[P(E \in B \cap W) + 10^{-3}\, e^{-d^2 / 2(0.5\,V)^2}\bigr]

- :math:`P(E \in B \cap W)` from the model's calibrated interval (:func:`p_inside`): an
  uncertain molecule spreads its probability outside the band, so it is not rewarded;
- :math:`w(s_\max)` ramps from 0 to 1 as the largest Tanimoto similarity to a training molecule
  rises from ``similarity[0]`` to ``similarity[1]``: no reward for exploiting the model's
  errors far from its data;
- :math:`c(m) \in \{0, 1\}`: the hard constraints (:class:`Constraints`);
- the small term in the distance :math:`d` of :math:`E` from the band keeps a gradient when
  every molecule of a population is far from the band (where :math:`P` underflows to 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from rdkit import Chem

from redoxscreen.design.constraints import Constraints
from redoxscreen.electrochem import ScreenRule

SHAPING = 1e-3
SHAPING_WIDTH_V = 0.5


def similarity_weight(sim: np.ndarray, low: float, high: float) -> np.ndarray:
    """0 below ``low``, 1 above ``high``, linear between."""
    sim = np.asarray(sim, float)
    if high <= low:
        return (sim >= low).astype(float)
    return np.clip((sim - low) / (high - low), 0.0, 1.0)


def band_distance(e_v: np.ndarray, low_v: float, high_v: float) -> np.ndarray:
    """Distance (V) of each potential from ``[low, high]``; 0 inside."""
    e = np.asarray(e_v, float)
    return np.maximum(low_v - e, 0.0) + np.maximum(e - high_v, 0.0)


@dataclass
class DesignObjective:
    rule: ScreenRule
    constraints: Constraints
    similarity: tuple[float, float] = (0.3, 0.5)

    def score(self, smiles: list[str], e_v: np.ndarray, lo_v: np.ndarray, hi_v: np.ndarray,
              valid: np.ndarray, reasons: list[str], similarity: np.ndarray) -> pd.DataFrame:
        """Per molecule: ``p_band``, ``in_band`` (the point prediction), ``sa_score``,
        ``rejected`` (why a constraint failed, else "") and ``fitness``; ``similarity`` is the
        largest Tanimoto similarity to the training set (the screen's ``nn_similarity``)."""
        n = len(smiles)
        sa = np.full(n, np.nan)
        rejected = [r if not ok else "" for r, ok in zip(reasons, valid, strict=True)]
        for i, s in enumerate(smiles):
            if valid[i]:
                m = Chem.MolFromSmiles(s)
                sa[i], rejected[i] = (self.constraints.check(m) if m is not None
                                      else (np.nan, "invalid SMILES"))
        low, high = self.rule.target_range()
        p = np.nan_to_num(self.rule.p_target(e_v, lo_v, hi_v))
        e = np.asarray(e_v, float)
        sims = np.nan_to_num(np.asarray(similarity, float))
        passed = np.array([r == "" for r in rejected]) & np.isfinite(e)
        shaping = SHAPING * np.exp(-0.5 * (np.nan_to_num(band_distance(e, low, high), nan=1e3)
                                           / SHAPING_WIDTH_V) ** 2)
        fitness = passed * similarity_weight(sims, *self.similarity) * (p + shaping)
        return pd.DataFrame({"p_band": p, "in_band": (e >= low) & (e <= high),
                             "sa_score": sa, "rejected": rejected,
                             "fitness": fitness})
