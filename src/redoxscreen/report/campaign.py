"""A campaign's HTML summary: rounds, best so far vs labels, each batch's parity before it was
labelled, and the Pareto front of several goals."""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np
import pandas as pd

from redoxscreen.report.html import image_tag, table_html, write_html
from redoxscreen.report.plots import plt, save_figure


def best_so_far_plot(history: pd.DataFrame, ylabel: str, path: str | Path) -> Path:
    """Best feasible objective value (or the count inside the bands) against labels."""
    fig, ax = plt.subplots(figsize=(5.5, 3.6), dpi=120)
    ax.step(history["n_labels"], history["best_so_far"], where="post", color="tab:blue")
    starts = history.groupby("round")["n_labels"].min()
    for r, n in starts.items():
        if r > 0:
            ax.axvline(n - 0.5, color="0.85", lw=0.8, zorder=0)
    ax.set_xlabel("labels")
    ax.set_ylabel(ylabel)
    ax.set_title("best so far (grey lines: new rounds)")
    return save_figure(fig, path)


def batch_parity_plot(parity: pd.DataFrame, target: str, path: str | Path) -> Path:
    """The surrogate's prediction (±1 σ) of each batch member, made before it was labelled."""
    d = parity[parity["target"] == target]
    fig, ax = plt.subplots(figsize=(4.8, 4.5), dpi=120)
    cmap = plt.get_cmap("viridis")
    rounds = sorted(d["round"].unique())
    for i, r in enumerate(rounds):
        g = d[d["round"] == r]
        ax.errorbar(g["labelled"], g["predicted"], yerr=g["sd"], fmt="o", ms=3, lw=0.6,
                    color=cmap(i / max(len(rounds) - 1, 1)), label=f"round {r}", alpha=0.8)
    lo = float(np.nanmin(d[["labelled", "predicted"]].to_numpy()))
    hi = float(np.nanmax(d[["labelled", "predicted"]].to_numpy()))
    ax.plot([lo, hi], [lo, hi], "k--", lw=1)
    mae = float(np.mean(np.abs(d["predicted"] - d["labelled"])))
    inside = float(np.mean(np.abs(d["predicted"] - d["labelled"]) <= d["sd"]))
    ax.set_xlabel(f"label {target}")
    ax.set_ylabel(f"predicted before labelling {target}")
    ax.set_title(f"{target}: MAE {mae:.3f}, {inside:.0%} within 1 σ")
    if len(rounds) <= 8:
        ax.legend(fontsize=7)
    return save_figure(fig, path)


def pareto_plot(history: pd.DataFrame, x: str, y: str, path: str | Path) -> Path:
    fig, ax = plt.subplots(figsize=(4.8, 4.5), dpi=120)
    ax.scatter(history[x], history[y], s=8, color="0.7", label="labelled")
    front = history[history["pareto"]].sort_values(x)
    ax.plot(front[x], front[y], "o-", color="tab:red", ms=4, label="Pareto front")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def write_campaign_page(path: str | Path, status: dict, history: pd.DataFrame,
                        parity: pd.DataFrame, goal_label: str) -> Path:
    """``summary.html`` of a campaign directory (plots beside it in ``plots/``)."""
    path = Path(path)
    plots = path.parent / "plots"
    rounds = pd.DataFrame([{k: v for k, v in r.items() if k != "surrogate_cv"} |
                           {f"cv_mae_{t}": (r["surrogate_cv"] or {}).get(t, {}).get("mae")
                            for t in status["targets"]} for r in status["rounds"]])
    sections = [("Campaign", f"<p>{status['candidates']:,} candidates; objectives: "
                 f"{html.escape('; '.join(status['objectives']))}; "
                 f"{status['labels']['candidates_labelled']} labelled, "
                 f"{status['labels']['failed']} failed labels, {status['pending']} waiting.</p>")]
    if len(rounds):
        sections.append(("Rounds", table_html(rounds)))
    if len(history):
        img = image_tag(best_so_far_plot(history, goal_label, plots / "best_so_far.png"))
        sections.append(("Best so far", img))
    if len(parity):
        imgs = "".join(image_tag(batch_parity_plot(parity, t, plots / f"batch_parity_{t}.png"))
                       for t in sorted(parity["target"].unique()))
        sections.append(("Each batch, predicted before it was labelled", imgs))
    if len(history) and "pareto" in history:
        goals = [c for c in history.columns if c in status.get("goal_columns", [])]
        if len(goals) >= 2:
            sections.append(("Pareto front", image_tag(
                pareto_plot(history, goals[0], goals[1], plots / "pareto.png"))))
    if status["best"]:
        best = pd.DataFrame(status["best"])
        sections.append(("Best labelled candidates", table_html(best)))
    record = {k: status[k] for k in ("directory", "targets", "default_acquisition")}
    sections.append(("Record", f"<pre class='note'>{html.escape(json.dumps(record, indent=1))}"
                     "</pre>"))
    return write_html(path, "redoxscreen campaign", sections)
