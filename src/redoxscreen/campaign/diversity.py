r"""Batch selection with diversity, so a batch of ten is not ten methyl homologues.

``maxmin`` (default): from the ``pool`` best-scoring candidates (``pool_factor`` × batch), take
the best, then repeatedly the pool member farthest from everything taken,
:math:`\arg\max_i \min_{j \in S} d(i, j)`, with :math:`d = 1 - T` the Tanimoto distance of
count fingerprints (Euclidean on standardised columns for tabular candidates). ``none``: the
top of the scores. Batch acquisitions (Thompson) take each slot's best from its own draw.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from redoxscreen.runtime.errors import ConfigError

DIVERSITY = ("maxmin", "none")


def _distances(X: object, molecular: bool) -> np.ndarray:
    if molecular:
        from redoxscreen.models.tanimoto_gp import tanimoto

        return 1.0 - tanimoto(X)
    A = X.toarray() if sp.issparse(X) else np.asarray(X, float)
    A = (A - A.mean(axis=0)) / np.where(A.std(axis=0) > 0, A.std(axis=0), 1.0)
    sq = (A**2).sum(axis=1)
    return np.sqrt(np.clip(sq[:, None] + sq[None, :] - 2 * A @ A.T, 0.0, None))


def maxmin(D: np.ndarray, k: int, first: int = 0) -> list[int]:
    """Greedy MaxMin picking of ``k`` rows from a distance matrix, starting at ``first``."""
    picked = [first]
    nearest = D[first].copy()
    while len(picked) < min(k, len(D)):
        nearest[picked] = -np.inf
        nxt = int(np.argmax(nearest))
        picked.append(nxt)
        nearest = np.minimum(nearest, D[nxt])
    return picked


def select_batch(scores: np.ndarray, X: object, batch: int, *, diversity: str = "maxmin",
                 pool_factor: float = 3.0, molecular: bool = True) -> np.ndarray:
    """Indices (into the candidates scored) of the batch, best first.

    ``scores`` is ``(n,)``, or ``(batch, n)`` for a batch acquisition (one row per slot)."""
    if diversity not in DIVERSITY:
        raise ConfigError(f"unknown diversity {diversity!r}; use {', '.join(DIVERSITY)}")
    scores = np.asarray(scores, float)
    n = scores.shape[-1]
    batch = min(batch, n)
    if scores.ndim == 2:
        chosen: list[int] = []
        taken = np.zeros(n, bool)
        for row in scores[:batch]:
            i = int(np.argmax(np.where(taken, -np.inf, row)))
            chosen.append(i)
            taken[i] = True
        return np.array(chosen)
    order = np.argsort(-scores, kind="stable")
    if diversity == "none" or batch <= 1:
        return order[:batch]
    pool = order[:max(batch, int(np.ceil(pool_factor * batch)))]
    picks = maxmin(_distances(X[pool], molecular), batch)
    return pool[picks]
