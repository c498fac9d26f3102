"""``redoxscreen serve``: pages (Jinja2, no JavaScript build, nothing from a CDN) and JSON
endpoints over the pipeline: models, predict, screens (background jobs), solvents.

Safety: bound to localhost by default; with a token (required when bound elsewhere) every
write endpoint needs ``Authorization: Bearer TOKEN`` (or ``?token=``). Requests are limited in
rows, SMILES length and upload size (clear 4xx errors); models and jobs are looked up by id in
what the server found, never by a path from the request.
"""

from __future__ import annotations

import asyncio
import hmac
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd
from fastapi import Depends, FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from redoxscreen.web.jobs import JobQueue

MAX_ROWS = 1000
MAX_SMILES_CHARS = 500
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
BATCH_WAIT_S = 0.002  # how long a lone predict request waits for others to join its batch
HERE = Path(str(resources.files("redoxscreen.web")))


class PredictRequest(BaseModel):
    model: str
    smiles: list[str] = Field(..., min_length=1)
    coverage: float = Field(0.95, gt=0, lt=1)


def find_models(runs: Path) -> dict[str, Path]:
    """``{id: model dir}`` of every ``*/model/model.json`` up to four levels under ``runs``;
    the id is the run folder's path relative to ``runs`` (``/`` → ``~``)."""
    out = {}
    for depth in range(1, 5):
        for f in sorted(runs.glob("/".join(["*"] * depth) + "/model.json")):
            if f.parent.name == "model":
                out[str(f.parent.parent.relative_to(runs)).replace("/", "~")] = f.parent
    return out


def clean(value: object) -> object:
    """JSON-safe: NaN/inf → None, numpy scalars → Python."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def create_app(runs: str | Path, *, token: str | None = None, host: str = "127.0.0.1",
               jobs: int = 1) -> FastAPI:
    runs = Path(runs).resolve()
    local = host in ("127.0.0.1", "localhost", "::1")
    if not local and not token:
        raise ValueError("a server bound beyond localhost needs --token")
    app = FastAPI(title="redoxscreen", description="Predict and screen redox-active "
                  "molecules; the JSON API behind the pages.")
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    (runs / "web-screens").mkdir(parents=True, exist_ok=True)
    queue = JobQueue(runs / "web-screens", workers=jobs)

    def models() -> dict[str, Path]:
        return find_models(runs)

    @lru_cache(maxsize=8)
    def loaded(model_dir: str):
        from redoxscreen.models import load_model
        from redoxscreen.pipeline.predict import interval_calibrators

        model = load_model(model_dir)
        return model, interval_calibrators(model, 0.95)

    def model_dir(model_id: str) -> Path:
        found = models()
        if model_id not in found:
            raise HTTPException(404, f"unknown model {model_id!r}; GET /api/models lists them")
        return found[model_id]

    def authorised(request: Request) -> None:
        if token is None:
            return
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip() \
            or request.query_params.get("token", "")
        if not hmac.compare_digest(given, token):
            raise HTTPException(401, "this server needs its token for writes: "
                                "Authorization: Bearer TOKEN")

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

    def predict_rows(req: PredictRequest) -> list[dict]:
        d = check(req)
        model, cal = loaded(str(d))
        if req.coverage != 0.95:
            from redoxscreen.pipeline.predict import interval_calibrators
            cal = interval_calibrators(model, req.coverage)
        pred = model.predict_smiles(req.smiles, intervals=cal)
        pred.insert(0, "smiles", req.smiles)
        pred.insert(1, "valid", pred["reason"].fillna("") == "")
        return [{k: clean(v) for k, v in row.items()} for row in pred.to_dict("records")]

    # concurrent requests for one model are predicted together: a batch of 50 molecules
    # costs little more than one (featurizer, nets and calibration are vectorised)
    pending: dict[tuple, list] = {}
    running: set[tuple] = set()

    async def predict_batched(req: PredictRequest) -> list[dict]:
        check(req)
        loop = asyncio.get_running_loop()
        key = (req.model, req.coverage)
        fut = loop.create_future()
        pending.setdefault(key, []).append((req.smiles, fut))
        if key not in running:  # one model call at a time per model; the next batch is
            running.add(key)    # whatever arrived while it ran
            asyncio.ensure_future(drain(key))
        return await fut

    async def drain(key: tuple) -> None:
        try:
            await asyncio.sleep(BATCH_WAIT_S)
            while pending.get(key):
                items = pending.pop(key)
                await flush(key, items)
        finally:
            running.discard(key)

    async def flush(key: tuple, items: list) -> None:
        # at most MAX_ROWS molecules per model call, whole requests at a time
        groups: list[list] = [[]]
        for item in items:
            if groups[-1] and sum(len(c) for c, _ in groups[-1]) + len(item[0]) > MAX_ROWS:
                groups.append([])
            groups[-1].append(item)
        for group in groups:
            smiles = [s for chunk, _ in group for s in chunk]
            try:
                rows = await run_in_threadpool(predict_rows, PredictRequest(
                    model=key[0], smiles=smiles, coverage=key[1]))
            except Exception as exc:
                for _, fut in group:
                    fut.set_exception(exc)
                continue
            start = 0
            for chunk, fut in group:
                fut.set_result(rows[start:start + len(chunk)])
                start += len(chunk)

    # -- API --------------------------------------------------------------------------------
    @app.get("/api/models")
    def api_models() -> dict:
        return {"models": [card(i, d) for i, d in models().items()]}

    @app.post("/api/predict", dependencies=[Depends(authorised)] if not local else [])
    async def api_predict(req: PredictRequest) -> dict:
        return {"model": req.model, "rows": await predict_batched(req)}

    @app.get("/api/solvents")
    def api_solvents() -> dict:
        from redoxscreen.electrochem import window_table
        t = window_table()
        return {"rows": [{k: clean(v) for k, v in r.items()} for r in t.to_dict("records")]}

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
        from redoxscreen.runtime.errors import RedoxscreenError
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
    def predict_page(request: Request, model: str = "", smiles: str = ""):
        rows, error = [], ""
        if model and smiles.strip():
            try:
                rows = predict_rows(PredictRequest(model=model, smiles=[
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


def structure_svg(smiles: str, size: int = 160) -> str:
    """The molecule drawn by RDKit as inline SVG."""
    from rdkit import Chem
    from rdkit.Chem.Draw import rdMolDraw2D

    mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        return ""
    d = rdMolDraw2D.MolDraw2DSVG(size, size)
    d.DrawMolecule(mol)
    d.FinishDrawing()
    return d.GetDrawingText().replace("<?xml version='1.0' encoding='iso-8859-1'?>", "")
