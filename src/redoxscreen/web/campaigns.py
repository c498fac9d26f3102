"""Campaigns: rounds, best so far, the proposed batch with structures, and importing results
(a filled-in batch CSV or a lab export), on the same functions as ``redoxscreen campaign``.

A campaign is any folder with a ``campaign.duckdb`` under ``--runs``. Pages read it
read-only, so they work beside a ``campaign run`` that is not writing at that moment."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from redoxscreen.campaign.record import CampaignRecord
from redoxscreen.campaign.store import DB_NAME
from redoxscreen.runtime.errors import RedoxscreenError
from redoxscreen.runtime.runs import find_marked
from redoxscreen.web.common import cached_finder, clean, lookup, structure_svg

MAX_IMPORT_BYTES = 20 * 1024 * 1024


def find_campaigns(root: Path, depth: int = 4) -> dict[str, Path]:
    """``{id: folder}`` of every campaign (a ``campaign.duckdb``) under ``root``."""
    return find_marked(root, DB_NAME, depth)


def campaign_view(directory: Path) -> dict:
    """Status (rounds, labels, best so far) and the batch waiting for labels, JSON-ready."""
    with CampaignRecord(directory, read_only=True) as c:
        status = c.status()
        pending = c.pending()
        batch = []
        if len(pending):
            rows = pending.merge(c.candidates, on="candidate_id")
            for r in rows.itertuples():
                pred = {t: v[0] for t, v in (r.predictions or {}).items()
                        if isinstance(v, list | tuple)}
                batch.append({"round": int(r.round), "rank": int(r.rank),
                              "candidate_id": int(r.candidate_id),
                              "smiles": getattr(r, "smiles", None),
                              "key": getattr(r, "key", None),
                              "predicted": {k: clean(v) for k, v in pred.items()}})
    status["batch"] = batch
    return status


def campaigns_router(runs: Path, templates: Jinja2Templates,
                     authorised: Callable[[Request], None]) -> APIRouter:
    router = APIRouter()
    found = cached_finder(find_campaigns, runs)

    def view(campaign_id: str) -> dict:
        d = lookup(found(), campaign_id, "campaign", "GET /api/campaigns")
        try:
            return campaign_view(d)
        except RedoxscreenError as exc:  # e.g. a 'campaign run' holds the record
            raise HTTPException(409, str(exc)) from exc

    @router.get("/api/campaigns")
    def api_campaigns() -> dict:
        return {"campaigns": [{"id": k} for k in found()]}

    @router.get("/api/campaigns/{campaign_id}")
    def api_campaign(campaign_id: str) -> dict:
        return view(campaign_id)

    @router.post("/api/campaigns/{campaign_id}/import", dependencies=[Depends(authorised)])
    async def api_import(campaign_id: str, results: UploadFile = File(...)) -> dict:
        d = lookup(found(), campaign_id, "campaign", "GET /api/campaigns")
        data = await results.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            raise HTTPException(413, f"results file larger than {MAX_IMPORT_BYTES >> 20} MB")
        name = Path(results.filename or "results.csv").name
        if Path(name).suffix.lower() not in (".csv", ".tsv", ".txt"):
            raise HTTPException(422, f"{name}: upload the filled-in batch as .csv or .tsv")
        from redoxscreen.pipeline.campaign import run_campaign_import

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(data)
            try:
                res = run_campaign_import(d, path)
            except RedoxscreenError as exc:
                raise HTTPException(422, str(exc)) from exc
        return {"rows": res.rows, "labels": res.labels, "already": res.already,
                "without_value": res.without_value,
                "unmatched_rows": [int(r) for r in res.unmatched.get("row", [])]}

    @router.post("/campaigns/{campaign_id}/import", dependencies=[Depends(authorised)])
    async def import_form(campaign_id: str, results: UploadFile = File(...)):
        await api_import(campaign_id, results)
        return RedirectResponse(f"/campaigns/{campaign_id}", status_code=303)

    @router.get("/campaigns", response_class=HTMLResponse)
    def campaigns_page(request: Request):
        return templates.TemplateResponse(request, "campaigns.html",
                                          {"campaigns": list(found())})

    @router.get("/campaigns/{campaign_id}", response_class=HTMLResponse)
    def campaign_page(request: Request, campaign_id: str):
        st = view(campaign_id)
        for b in st["batch"]:
            b["svg"] = structure_svg(b["smiles"], 130) if b["smiles"] else ""
        return templates.TemplateResponse(request, "campaign.html",
                                          {"id": campaign_id, "st": st})

    return router
