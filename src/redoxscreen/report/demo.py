"""The demo's one-page HTML summary, from the numbers of what ran."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from redoxscreen.report.html import image_tag, table_html, write_html


def write_demo_page(path: str | Path, *, cv_metrics: dict[str, dict], folds: int, split: str,
                    screen_roles: dict[str, dict], oracle_check: dict[str, dict],
                    check_table: pd.DataFrame, library_molecules: int, seconds: float,
                    conversion_note: str, train_plots: Path, screen_dir: Path,
                    campaign: dict | None = None, campaign_dir: Path | None = None) -> Path:
    """``cv_metrics`` per target, ``screen_roles`` and ``oracle_check`` per role (counts and
    MAE), ``check_table`` one row per re-labelled candidate; figures are read from the train
    run's ``plots/`` and the screen run folder."""
    cv = pd.DataFrame([{"target": t, **{k: m[k] for k in ("n", "r2", "mae", "rmse",
                                                            "error_std")}}
                       for t, m in cv_metrics.items()])
    screen = pd.DataFrame([{"role": r, **v} for r, v in screen_roles.items()])
    oracle = pd.DataFrame([{"role": r, **v} for r, v in oracle_check.items()])
    parity = "".join(image_tag(train_plots / f"parity_{t}.png") for t in cv_metrics)
    sections = [
        ("What ran", f"<p>Built-in dataset (enumerated molecules, IPEA1-xTB labels) → "
         f"{len(cv_metrics)}-target FCNN, {folds}-fold {split} CV → "
         f"{library_molecules:,} freshly enumerated molecules screened for "
         f"acetonitrile (Al collector) catholytes and anolytes → top candidates re-labelled "
         f"with xTB. {seconds:.0f} s in all.</p><p class='note'>{conversion_note}</p>"),
        ("Cross-validation (out-of-fold)", table_html(cv) + parity
         + image_tag(train_plots / "learning_curves.png")),
        ("Screening", table_html(screen)
         + image_tag(screen_dir / "plots" / "potentials_cathode.png")
         + image_tag(screen_dir / "plots" / "potentials_anode.png")),
        ("Top catholytes", image_tag(screen_dir / "plots" / "top_cathode.png")),
        ("Top anolytes", image_tag(screen_dir / "plots" / "top_anode.png")),
        ("Predictions vs the xTB oracle (top candidates)", table_html(oracle)
         + table_html(check_table.head(40))),
    ]
    if campaign:
        rounds = pd.DataFrame([{k: r[k] for k in ("round", "acquisition", "batch", "labelled",
                                                  "surrogate", "best_so_far")}
                               for r in campaign["rounds"]])
        sections.append((
            "Campaign: what to compute next",
            f"<p>Round 0 = the xTB labels above; each later round: the Tanimoto GP refitted on "
            f"every xTB label, then the {campaign['rounds'][-1]['batch']} library molecules "
            f"most likely to reach <code>{campaign['objective']}</code> (probability-in-window)"
            " computed with xTB. <i>best_so_far</i> counts the labelled molecules inside the "
            "band (full record: <code>campaign/summary.html</code>).</p>" + table_html(rounds)
            + (image_tag(campaign_dir / "plots" / "best_so_far.png") if campaign_dir else "")))
    return write_html(path, "redoxscreen demo", sections)
