"""``campaign init|propose|import|run|status|export`` as library functions; each leaves the
campaign's ``summary.html`` up to date."""

from __future__ import annotations

from pathlib import Path

from redoxscreen.campaign import Campaign, init_campaign
from redoxscreen.campaign.loop import ImportResult
from redoxscreen.campaign.objectives import Objective
from redoxscreen.campaign.record import CampaignRecord
from redoxscreen.report.campaign import write_campaign_page
from redoxscreen.runtime.jsonio import write_json
from redoxscreen.runtime.progress import Progress


def write_report(campaign: CampaignRecord) -> dict:
    """``DIR/summary.html`` and ``DIR/status.json`` from the campaign record; returns the
    status."""
    history = campaign.history()
    status = campaign.status(history)
    write_json(campaign.dir / "status.json", status, tidy_floats=True)
    write_campaign_page(campaign.dir / "summary.html", status, history,
                        campaign.batch_parity(), status["goal_label"])
    return status


def run_campaign_init(directory: str | Path, candidates: str | Path,
                      objectives: list[Objective], **options: object) -> dict:
    with init_campaign(directory, candidates, objectives, **options) as c:
        return {**write_report(c), "rejected": c.rejected}


def run_campaign_propose(directory: str | Path, batch: int, acquisition: str | None = None,
                         *, progress: Progress | None = None, n_jobs: int = 1) -> tuple[int, Path]:
    """Propose the next round; returns its number and batch CSV."""
    with Campaign(directory, progress=progress, n_jobs=n_jobs) as c:
        prop = c.propose(batch, acquisition)
        rnd = int(prop["round"].iloc[0])
        write_report(c)
        return rnd, c.dir / "batches" / f"round-{rnd}.csv"


def run_campaign_import(directory: str | Path, results: str | Path) -> ImportResult:
    with Campaign(directory) as c:
        res = c.import_results(results)
        write_report(c)
        return res


def run_campaign(directory: str | Path, oracle: str, rounds: int, batch: int, *,
                 initial: int | None = None, acquisition: str | None = None,
                 workers: int = 1, progress: Progress | None = None) -> dict:
    """Run (or resume) the loop to ``rounds`` acquisition rounds; the report is written even
    when the run stops early (interrupted, or waiting for exported labels)."""
    with Campaign(directory, progress=progress, n_jobs=workers) as c:
        try:
            out = c.run(oracle, rounds, batch, initial=initial, acquisition=acquisition,
                        n_workers=workers)
        finally:
            status = write_report(c)
        return {**out, "status": status}


def run_campaign_status(directory: str | Path) -> dict:
    with CampaignRecord(directory) as c:
        return c.status()


def run_campaign_export(directory: str | Path, output: str | Path) -> tuple[Path, int]:
    with CampaignRecord(directory) as c:
        df = c.export_labels()
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(output, index=False)
    return output, len(df)
