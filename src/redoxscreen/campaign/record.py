"""Reading a campaign's record: labels as objective values, best so far, each batch's parity,
the Pareto front, status and export."""

from __future__ import annotations

from pathlib import Path
from typing import Self

import numpy as np
import pandas as pd

from redoxscreen.campaign.config import CampaignConfig, config_columns
from redoxscreen.campaign.objectives import column_values, feasible, pareto_front
from redoxscreen.campaign.store import CampaignStore
from redoxscreen.runtime.progress import Progress, or_silent


class CampaignRecord:
    """A campaign directory opened for reading: labels, rounds, the history of the objectives,
    status and export. :class:`~redoxscreen.campaign.loop.Campaign` adds the loop."""

    def __init__(self, directory: str | Path, *, progress: Progress | None = None,
                 n_jobs: int = 1, read_only: bool = False):
        self.dir = Path(directory)
        self.store = CampaignStore(self.dir, read_only=read_only)
        self.config = CampaignConfig(**self.store.meta("config"))
        self.progress = or_silent(progress)
        self.n_jobs = n_jobs
        self.candidates = self.store.candidates()
        self.molecular = self.config.space["kind"] == "molecules"
        self.columns = config_columns(self.config)
        self.objectives = self.config.objective_list()
        self.rejected = 0

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def labelled(self) -> tuple[np.ndarray, np.ndarray]:
        """Candidate ids with every target labelled, and their labels ``(n, t)``."""
        m = self.store.label_matrix(self.config.targets)
        return m.index.to_numpy(int), m.to_numpy(float)

    def column_table(self, ids: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Objective column values ``(n, c)`` of labels ``Y`` (target order)."""
        t = self.config.targets
        return np.column_stack([column_values(c, Y[:, t.index(c.target)]) for c in self.columns])

    def _goal_scales(self, values: np.ndarray) -> np.ndarray:
        sd = values.std(axis=0) if len(values) > 1 else np.ones(values.shape[1])
        return np.where(sd > 0, sd, 1.0)

    def goal_weights(self, scales: np.ndarray) -> tuple[list[int], np.ndarray]:
        r"""Columns of the goals and their weights :math:`w_g = d_g\,\omega_g/\mathrm{sd}_g`
        (one goal: just its sign, so the goal keeps its units)."""
        goals = [j for j, o in enumerate(self.objectives) if o.is_goal]
        if len(goals) == 1:
            return goals, np.array([self.objectives[goals[0]].sign])
        return goals, np.array([self.objectives[j].sign * self.objectives[j].weight / scales[j]
                                for j in goals])

    def scalarise(self, values: np.ndarray, scales: np.ndarray, spread: bool = False
                  ) -> np.ndarray | None:
        r"""The scalarised goal :math:`\sum_g w_g y_g` of column values (``None`` with no
        goal); with ``spread``, ``values`` are independent σ and the result is
        :math:`\sqrt{\sum_g w_g^2 \sigma_g^2}`."""
        goals, w = self.goal_weights(scales)
        if not goals:
            return None
        if spread:
            return np.sqrt((values[..., goals] ** 2) @ (w**2))
        return values[..., goals] @ w

    def pending(self) -> pd.DataFrame:
        """Proposed candidates still without a label (or failure), oldest round first."""
        prop = self.store.proposals()
        if prop.empty:
            return prop
        settled = self.store.settled(self.config.targets)
        prop = prop[~prop["candidate_id"].isin(settled)]
        return prop.drop_duplicates("candidate_id")

    def acquisition_rounds(self) -> int:
        r = self.store.rounds()
        return int((r["kind"] == "acquisition").sum()) if len(r) else 0

    # -- reading the record ------------------------------------------------------------------
    def history(self) -> pd.DataFrame:
        """Every candidate with all targets labelled, in label order: objective columns,
        feasibility, scalarised goal and the best so far."""
        lab = self.store.labels()
        ok = lab[lab["status"] == "ok"]
        ids, Y = self.labelled()
        if len(ids) == 0:
            return pd.DataFrame()
        order = ok.groupby("candidate_id")["created"].max().reindex(ids).to_numpy()
        rnd = ok.groupby("candidate_id")["round"].min().reindex(ids).to_numpy()
        values = self.column_table(ids, Y)
        df = pd.DataFrame(values, columns=[c.name for c in self.columns])
        df.insert(0, "candidate_id", ids)
        df["round"] = rnd
        df["created"] = order
        df["feasible"] = feasible(self.columns, values)
        goal = self.scalarise(values, self._goal_scales(values))
        df["goal"] = goal if goal is not None else df["feasible"].astype(float)
        df = df.sort_values(["created", "candidate_id"]).reset_index(drop=True)
        scored = np.where(df["feasible"], df["goal"], -np.inf)
        df["best_so_far"] = (np.maximum.accumulate(scored) if goal is not None
                             else np.cumsum(df["feasible"]))
        df["n_labels"] = np.arange(1, len(df) + 1)
        goals = [j for j, o in enumerate(self.objectives) if o.is_goal]
        if len(goals) > 1:
            df["pareto"] = _pareto_in_order(df, [self.columns[j].name for j in goals],
                                            [self.objectives[j].sign for j in goals])
        return df.merge(self.candidates[["candidate_id", "key"]], on="candidate_id")

    def batch_parity(self) -> pd.DataFrame:
        """Each proposed candidate's prediction (made before its label) beside the label."""
        prop = self.store.proposals()
        prop = prop[prop["round"] > 0]
        if prop.empty:
            return pd.DataFrame()
        labels = self.store.label_matrix(self.config.targets)
        rows = []
        for r in prop.itertuples():
            for tg in self.config.targets:
                if tg in r.predictions and r.candidate_id in labels.index:
                    m, s = r.predictions[tg]
                    rows.append({"round": r.round, "candidate_id": r.candidate_id,
                                 "target": tg, "predicted": m, "sd": s,
                                 "labelled": float(labels.loc[r.candidate_id, tg])})
        return pd.DataFrame(rows)

    def status(self, hist: pd.DataFrame | None = None) -> dict:
        """Rounds, labels, best so far and the surrogate's metrics, JSON-ready (``hist``: the
        :meth:`history`, when the caller has it already)."""
        rounds = self.store.rounds()
        sur = self.store.surrogates()
        lab = self.store.labels()
        hist = self.history() if hist is None else hist
        prop = self.store.proposals()
        settled = self.store.settled(self.config.targets)
        per_round = []
        for r in rounds.itertuples():
            members = prop[prop["round"] == r.round]["candidate_id"]
            s = sur[sur["version"] == r.surrogate_version]
            seen = hist[hist["n_labels"] <= (r.n_labelled_before + len(members))] \
                if len(hist) else hist
            per_round.append({
                "round": int(r.round), "kind": r.kind, "acquisition": r.acquisition,
                "batch": int(r.batch_size), "labelled": int(members.isin(settled).sum()),
                "surrogate": s["model"].iloc[0] if len(s) else None,
                "surrogate_cv": s["metrics"].iloc[0] if len(s) else None,
                "refit_seconds": float(s["refit_seconds"].iloc[0]) if len(s) else None,
                "best_so_far": _finite_or_none(seen["best_so_far"].iloc[-1]) if len(seen)
                else None})
        best = []
        if len(hist):
            top = hist[hist["feasible"]].sort_values("goal", ascending=False).head(5)
            best = top.drop(columns=["created"]).to_dict("records")
        return {"directory": str(self.dir), "candidates": len(self.candidates),
                "objectives": [o.label() for o in self.objectives],
                "goal_columns": [o.column for o in self.objectives if o.is_goal],
                "goal_label": self.goal_label(),
                "targets": self.config.targets,
                "labels": {"ok": int((lab["status"] == "ok").sum()),
                           "failed": int((lab["status"] != "ok").sum()),
                           "candidates_labelled": int(len(hist))},
                "pending": int(len(self.pending())), "rounds": per_round, "best": best,
                "default_acquisition": self.config.default_acquisition()}

    def goal_label(self) -> str:
        """What ``best_so_far`` measures."""
        goals = [o for o in self.objectives if o.is_goal]
        if not goals:
            return "labelled candidates inside every band"
        if len(goals) == 1:
            return f"best feasible {goals[0].column} ({goals[0].kind})"
        return "best weighted sum of standardised goals"

    def export_labels(self) -> pd.DataFrame:
        """Every label, a row per candidate and source: key, SMILES/id, values, round."""
        lab = self.store.labels()
        if lab.empty:
            return pd.DataFrame(columns=["candidate_id", "key", "source", "round"])
        keys = ["candidate_id", "source", "fidelity", "round"]
        wide = (lab.groupby([*keys, "target"], dropna=False)["value"].mean()
                .unstack("target").reset_index())
        status = lab.groupby(["candidate_id", "source"]).agg(
            status=("status", lambda s: "ok" if (s == "ok").all() else "failed"),
            reason=("reason", lambda s: "; ".join(sorted({x for x in s if x}))))
        wide = wide.merge(status.reset_index(), on=["candidate_id", "source"])
        wide = self.candidates[["candidate_id", "key", "smiles", "id"]].merge(wide,
                                                                            on="candidate_id")
        return wide.dropna(axis=1, how="all").sort_values(["round", "candidate_id"])


def _pareto_in_order(df: pd.DataFrame, cols: list[str], signs: list[float]) -> np.ndarray:
    v = df[cols].to_numpy(float) * np.array(signs)
    front = np.zeros(len(df), bool)
    fe = df["feasible"].to_numpy(bool)
    front[fe] = pareto_front(v[fe])
    return front


def _finite_or_none(v: object) -> float | None:
    """A best-so-far is ``None`` until some labelled candidate meets every constraint."""
    v = float(v)
    return v if np.isfinite(v) else None
