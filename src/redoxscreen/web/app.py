"""``redoxscreen serve``: pages (Jinja2, no JavaScript build, nothing from a CDN) and JSON
endpoints over the pipeline: models, predict, screens (background jobs), solvents.

Safety: bound to localhost by default; with a token (required when bound elsewhere) every
write endpoint needs ``Authorization: Bearer TOKEN`` (or ``?token=``). Requests are limited in
rows, SMILES length and upload size (clear 4xx errors); models and jobs are looked up by id in
what the server found, never by a path from the request.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import pandas as pd
from fastapi import Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from redoxscreen.runtime.errors import RedoxscreenError
from redoxscreen.runtime.runs import find_marked
from redoxscreen.web.campaigns import campaigns_router
from redoxscreen.web.common import cached_finder, lookup, records, structure_svg, token_check
from redoxscreen.web.jobs import JobQueue
from redoxscreen.web.predictor import Predictor
from redoxscreen.web.results import results_router

MAX_ROWS = 1000
MAX_SMILES_CHARS = 500
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
HERE = Path(str(resources.files("redoxscreen.web")))


class PredictRequest(BaseModel):
    model: str
    smiles: list[str] = Field(..., min_length=1)
    coverage: float = Field(0.95, gt=0, lt=1)


def find_models(runs: Path) -> dict[str, Path]:
    """``{id: model dir}`` of every ``*/model/model.json`` up to four levels under ``runs``;
    the id is the run folder's path relative to ``runs`` (``/`` → ``~``)."""
    return find_marked(runs, "model.json", 4, parent="model")


def create_app(runs: str | Path, *, token: str | None = None, host: str = "127.0.0.1",
               jobs: int = 1, predict_workers: int = 1) -> FastAPI:
    """The application. ``predict_workers``: processes that predict (0: threads of this
    process, which the event loop then competes with for the GIL)."""
    runs = Path(runs).resolve()
    local = host in ("127.0.0.1", "localhost", "::1")
    if not local and not token:
        raise ValueError("a server bound beyond localhost needs --token")
    predictor = Predictor(predict_workers, MAX_ROWS)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        predictor.close()

    app = FastAPI(title="redoxscreen", description="Predict and screen redox-active "
                  "molecules; the JSON API behind the pages.", lifespan=lifespan)
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    authorised = token_check(token)
    app.include_router(results_router(runs, templates))
    app.include_router(campaigns_router(runs, templates, authorised))
    (runs / "web-screens").mkdir(parents=True, exist_ok=True)
    queue = JobQueue(runs / "web-screens", workers=jobs)
    models = cached_finder(find_models, runs)

    def model_dir(model_id: str) -> Path:
        return lookup(models(), model_id, "model", "GET /api/models")

    def card(model_id: str, d: Path) -> dict:
        import json
        meta = json.loads((d / "model.json").read_text())
        return {"id": model_id, "targets": meta["targets"], "units": meta.get("units", {}),
                "potential_scale": meta.get("potential_scale"),
                "label_solvent": meta.get("label_solvent"),
                "n_molecules": meta.get("training", {}).get("n_molecules"),
                "cv_metrics": meta.get("cv_metrics", {}),
                "domain": {k: meta.get("domain", {}).get(k) for k in
                           ("edge_similarity", "out_similarity", "rule")}}

    def check(req: PredictRequest) -> Path:
        if len(req.smiles) > MAX_ROWS:
            raise HTTPException(413, f"{len(req.smiles)} SMILES; at most {MAX_ROWS} per "
                                "request (screen a file for more)")
        long = [i for i, s in enumerate(req.smiles) if len(s) > MAX_SMILES_CHARS]
        if long:
            raise HTTPException(422, f"SMILES {long[0] + 1} is longer than "
                                f"{MAX_SMILES_CHARS} characters")
        return model_dir(req.model)

    async def predict_rows(req: PredictRequest) -> list[dict]:
        d = check(req)
        try:
            return await predictor.predict(str(d), req.smiles, req.coverage)
        except RedoxscreenError as exc:  # e.g. a model folder that no longer loads
            raise HTTPException(422, str(exc)) from exc

    # -- API --------------------------------------------------------------------------------
    @app.get("/api/models")
    def api_models() -> dict:
        return {"models": [card(i, d) for i, d in models().items()]}

    @app.post("/api/predict", dependencies=[Depends(authorised)] if not local else [])
    async def api_predict(req: PredictRequest) -> dict:
        # returned as a response: FastAPI's encoder would walk every cell once more
        return JSONResponse({"model": req.model, "rows": await predict_rows(req)})

    @app.get("/api/solvents")
    def api_solvents() -> dict:
        from redoxscreen.electrochem import window_table
        t = window_table()
        return {"rows": records(t)}

    @app.post("/api/screens", dependencies=[Depends(authorised)])
    async def api_screen(model: str = Form(...), library: UploadFile = File(...),
                         role: str = Form("cathode"), solvent: str = Form("acetonitrile"),
                         collector: str = Form(""), band: str = Form("")) -> dict:
        d = model_dir(model)
        data = await library.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise HTTPException(413, f"upload larger than {MAX_UPLOAD_BYTES >> 20} MB; screen "
                                "it with the CLI")
        name = Path(library.filename or "library.csv").name
        if Path(name).suffix.lower() not in (".csv", ".smi", ".tsv", ".txt"):
            raise HTTPException(422, f"{name}: upload a .csv, .tsv or .smi file")
        from redoxscreen.electrochem import parse_band
        from redoxscreen.screen import ScreenSettings
        try:
            settings = ScreenSettings(roles=[role], solvent=solvent,
                                      collector=collector or None,
                                      bands={role: parse_band(band)} if band else {},
                                      n_workers=1)
            settings.rules()
        except RedoxscreenError as exc:
            raise HTTPException(422, str(exc)) from exc

        def run(directory: Path) -> dict:
            from redoxscreen.pipeline.screen import run_screen_command
            lib = directory / name
            lib.write_bytes(data)
            return run_screen_command(d, lib, directory / "run", settings).to_dict()

        job = queue.submit(run)
        return {"id": job.id, "state": job.state, "status": f"/api/screens/{job.id}"}

    @app.post("/screens", dependencies=[Depends(authorised)])
    async def screen_form(model: str = Form(...), library: UploadFile = File(...),
                          role: str = Form("cathode"), solvent: str = Form("acetonitrile"),
                          collector: str = Form(""), band: str = Form("")):
        job = await api_screen(model, library, role, solvent, collector, band)
        return RedirectResponse(f"/screens/{job['id']}", status_code=303)

    @app.get("/api/screens/{job_id}")
    def api_screen_status(job_id: str) -> dict:
        job = queue.jobs.get(job_id)
        if job is None:
            raise HTTPException(404, f"unknown screen {job_id!r}")
        return job.to_dict()

    @app.get("/api/screens/{job_id}/top/{role}.csv")
    def api_screen_top(job_id: str, role: str) -> FileResponse:
        job = queue.jobs.get(job_id)
        if job is None or role not in ("cathode", "anode"):
            raise HTTPException(404, "unknown screen or role")
        path = job.directory / "run" / f"top_{role}.csv"
        if not path.exists():
            raise HTTPException(404, "the screen has not finished")
        return FileResponse(path, media_type="text/csv", filename=f"top_{role}.csv")

    # -- pages ------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    def index(request: Request):
        return templates.TemplateResponse(request, "index.html",
                                          {"models": api_models()["models"],
                                           "jobs": [j.to_dict() for j in queue.jobs.values()]})

    @app.get("/predict", response_class=HTMLResponse)
    async def predict_page(request: Request, model: str = "", smiles: str = ""):
        rows, error = [], ""
        if model and smiles.strip():
            try:
                rows = await predict_rows(PredictRequest(model=model, smiles=[
                    s.strip() for s in smiles.splitlines() if s.strip()][:MAX_ROWS]))
            except HTTPException as exc:
                error = exc.detail
            for r in rows:
                r["svg"] = structure_svg(r["smiles"]) if r["valid"] else ""
        return templates.TemplateResponse(request, "predict.html", {
            "models": list(models()), "model": model, "smiles": smiles, "rows": rows,
            "error": error, "columns": [c for c in (rows[0] if rows else {})
                                        if c not in ("svg", "smiles")]})

    @app.get("/solvents", response_class=HTMLResponse)
    def solvents_page(request: Request):
        return templates.TemplateResponse(request, "solvents.html",
                                          {"rows": api_solvents()["rows"]})

    @app.get("/screens/{job_id}", response_class=HTMLResponse)
    def screen_page(request: Request, job_id: str):
        job = api_screen_status(job_id)
        top = {}
        for role in ("cathode", "anode"):
            p = queue.jobs[job_id].directory / "run" / f"top_{role}.csv"
            if p.exists():
                top[role] = pd.read_csv(p).head(20).to_dict("records")
        return templates.TemplateResponse(request, "screen.html", {"job": job, "top": top})

    return app
