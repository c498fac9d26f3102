r"""Order statistics of shifted sorted samples, for the CV+ interval bounds.

CV+ needs, for every new molecule, the k-th smallest of :math:`\{u_f + r : r \in R_f\}` over
the folds f (:math:`u_f` that molecule's prediction by fold model f, :math:`R_f` the fold's
sorted out-of-fold residuals). Both functions here are exact: no tolerance is involved.
"""

from __future__ import annotations

import numpy as np


class SortedCounter:
    r"""``count(x)`` = :math:`\#\{r \le x\}` for a fixed sorted sample, by table lookup.

    Each residual and each query falls in the cell :math:`g(v) = \lfloor (v - r_0)\,/\,h
    \rfloor` of a uniform grid (~4 cells a residual). The same floating-point :math:`g` is
    monotone, so every residual of a lower cell is :math:`\le x` and every one of a higher
    cell is :math:`> x`: the count is the residuals below :math:`x`'s cell (a table) plus
    those of its own cell that are :math:`\le x`, compared one by one (cells in the tail,
    where CV+'s queries fall, hold one residual or none). The same counts as
    ``searchsorted``, without its unpredictable branches.
    """

    def __init__(self, r: np.ndarray):
        self.r = np.asarray(r, float)
        n = len(self.r)
        span = float(self.r[-1] - self.r[0]) if n else 0.0
        self.r0 = float(self.r[0]) if n else 0.0
        self.cells = 4 * n
        self.scale = self.cells / span if span > 0 else 0.0
        g = self.cell(self.r)
        # below[c] = residuals in cells < c, for c = 0 … cells + 1 (the last residual's cell
        # is `cells` itself)
        self.below = np.searchsorted(g, np.arange(self.cells + 2), side="left")
        occupancy = np.diff(self.below)
        self.deepest = int(occupancy.max()) if len(occupancy) else 0

    def cell(self, x: np.ndarray) -> np.ndarray:
        g = np.floor((x - self.r0) * self.scale)
        return np.clip(g, 0, self.cells, out=g).astype(np.intp)

    def count(self, x: np.ndarray) -> np.ndarray:
        if not len(self.r):
            return np.zeros(np.shape(x), np.intp)
        g = self.cell(x)
        first, end = self.below[g], self.below[g + 1]
        n = first.copy()
        for j in range(self.deepest):  # the residuals of x's own cell, one rank at a time
            i = first + j
            inside = i < end
            if not inside.any():
                break
            n += inside & (self.r[np.minimum(i, len(self.r) - 1)] <= x)
        return n


def order_statistic(folds: list[SortedCounter], shift: np.ndarray, k: int, pooled: np.ndarray,
                    few: int = 4) -> np.ndarray:
    r"""The ``k``-th smallest of :math:`\{u_f + r : r \in R_f\}` over all folds ``f``, for each
    column of ``shift`` (:math:`u`, one row per fold; ``folds``: a :class:`SortedCounter` of
    each fold's sorted residuals :math:`R_f`; ``pooled``: all of them, sorted), exactly.

    With :math:`s_k` the k-th smallest pooled residual, the answer lies in
    :math:`[\min_f u_f + s_k,\ \max_f u_f + s_k]`: at the top every fold counts at least its
    residuals :math:`\le s_k` (≥ k in all), below the bottom fewer than k. The bracket is
    narrowed — twice by interpolating the count :math:`C(t) = \#\{u_f + r \le t\}` towards
    k, then once by halving — until at most ``few`` values lie inside; those are then listed
    and sorted, so the answer is one of the values, not within a tolerance of it. Only
    unfinished columns are counted again.
    """
    s_k = float(pooled[k - 1])
    lo = shift.min(axis=0) + (s_k - 1e-9)
    hi = shift.max(axis=0) + (s_k + 1e-9)

    def counts(t: np.ndarray, cols: np.ndarray | slice) -> np.ndarray:  # per fold: #{r ≤ t - u}
        return np.stack([c.count(t - shift[f, cols]) for f, c in enumerate(folds)])

    at_lo, at_hi = counts(lo, slice(None)), counts(hi, slice(None))
    c_lo, c_hi = at_lo.sum(axis=0), at_hi.sum(axis=0)
    for step in range(200):  # a column leaves once its bracket holds `few` values
        cols = np.flatnonzero(c_hi - c_lo > few)
        if not len(cols):
            break
        ca, cb = c_lo[cols], c_hi[cols]
        # aim at the middle of the k-th step, off the ends; halving keeps the worst case log n
        frac = np.clip((k - 0.5 - ca) / (cb - ca), 0.1, 0.9) if step % 3 != 2 else 0.5
        t = lo[cols] + (hi[cols] - lo[cols]) * frac
        at_t = counts(t, cols)
        c_t = at_t.sum(axis=0)
        up = c_t >= k
        a, b = cols[up], cols[~up]
        hi[a], at_hi[:, a], c_hi[a] = t[up], at_t[:, up], c_t[up]
        lo[b], at_lo[:, b], c_lo[b] = t[~up], at_t[:, ~up], c_t[~up]
    # the values in (lo, hi]: at most `few` in all, so at most `few` per fold
    j = np.arange(few)[None, :]
    inside = []
    for f, fold in enumerate(folds):
        r = fold.r
        i = at_lo[f][:, None] + j
        inside.append(np.where(i < at_hi[f][:, None],
                               shift[f][:, None] + r[np.minimum(i, len(r) - 1)], np.inf))
    inside = np.sort(np.concatenate(inside, axis=1), axis=1)
    return inside[np.arange(shift.shape[1]), k - c_lo - 1]
