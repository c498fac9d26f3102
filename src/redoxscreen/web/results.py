"""Results of screening runs: filter, sort and page over a run's DuckDB store, the histogram
of its potentials against the window, the top structures, CSV and Parquet downloads.

A run is any folder with a ``results.duckdb`` under ``--runs`` (the CLI's and the web's)."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.background import BackgroundTask

from redoxscreen.runtime.errors import RedoxscreenError
from redoxscreen.screen.query import ResultQuery, RunResults, find_runs
from redoxscreen.web.common import cached_finder, lookup, records, structure_svg

MAX_PAGE = 500
GRID = 12  # structures drawn above the table


def _volts(text: str, name: str) -> float | None:
    # a form's empty box is no bound, not an error
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise HTTPException(422, f"{name}={text!r} is not a potential in V") from None


def _query(role: str, pmin: str, pmax: str, passed: str,
           domain: list[str], sort: str, desc: bool, page: int, per_page: int) -> ResultQuery:
    if passed not in ("", "yes", "no"):
        raise HTTPException(422, "passed must be yes, no or empty")
    per_page = min(max(1, per_page), MAX_PAGE)
    return ResultQuery(role=role or None, potential_min_v=_volts(pmin, "pmin"),
                       potential_max_v=_volts(pmax, "pmax"),
                       passed={"": None, "yes": True, "no": False}[passed],
                       domain=tuple(d for d in domain if d), sort=sort or "row",
                       descending=desc, offset=(max(1, page) - 1) * per_page, limit=per_page)


def _blank(v: float | None) -> object:
    return "" if v is None else v


def results_router(runs: Path, templates: Jinja2Templates) -> APIRouter:
    router = APIRouter()
    found = cached_finder(find_runs, runs)

    def open_run(run_id: str) -> RunResults:
        d = lookup(found(), run_id, "run", "GET /api/results")
        try:
            return RunResults(d)
        except RedoxscreenError as exc:
            raise HTTPException(422, str(exc)) from exc

    def run_query(res: RunResults, q: ResultQuery):
        try:
            return res.select(q)
        except RedoxscreenError as exc:
            raise HTTPException(422, str(exc)) from exc

    # the same filter parameters on every endpoint of a run (a FastAPI dependency)
    def params(role: str = "", pmin: str = "", pmax: str = "",
               passed: str = "", domain: list[str] = Query([]), sort: str = "row",
               desc: bool = False, page: int = 1, per_page: int = 50) -> ResultQuery:
        return _query(role, pmin, pmax, passed, domain, sort, desc, page, per_page)

    @router.get("/api/results")
    def api_runs() -> dict:
        out = []
        for run_id, d in found().items():
            try:
                r = RunResults(d)
            except RedoxscreenError:
                continue
            out.append({"id": run_id, "molecules": r.summary.get("molecules"),
                        "roles": {k: v.get("pass") for k, v in
                                  r.summary.get("roles", {}).items()}})
        return {"runs": out}

    @router.get("/api/results/{run_id}")
    def api_results(run_id: str, q: ResultQuery = Depends(params)) -> dict:
        res = open_run(run_id)
        rows, total = run_query(res, q)
        return {"run": run_id, "total": total, "offset": q.offset, "limit": q.limit,
                "columns": list(rows.columns),
                "rows": records(rows)}

    @router.get("/api/results/{run_id}/download.{fmt}")
    def api_download(run_id: str, fmt: str, q: ResultQuery = Depends(params)) -> FileResponse:
        """Every row the filter keeps (paging ignored)."""
        if fmt not in ("csv", "parquet"):
            raise HTTPException(404, "download .csv or .parquet")
        res = open_run(run_id)
        tmp = Path(tempfile.mkdtemp()) / f"{run_id}.{fmt}"
        try:
            res.export(q, tmp, fmt)
        except RedoxscreenError as exc:
            raise HTTPException(422, str(exc)) from exc
        return FileResponse(tmp, filename=tmp.name, background=BackgroundTask(
            lambda: (tmp.unlink(missing_ok=True), tmp.parent.rmdir())),
            media_type="text/csv" if fmt == "csv" else "application/vnd.apache.parquet")

    @router.get("/results/{run_id}/histogram/{role}.png")
    def histogram(run_id: str, role: str) -> Response:
        res = open_run(run_id)
        try:
            e = res.potentials(role).dropna().to_numpy()
        except RedoxscreenError as exc:
            raise HTTPException(404, str(exc)) from exc
        return Response(_histogram_png(e, res.window(role), res.roles[role]),
                        media_type="image/png")

    @router.get("/results", response_class=HTMLResponse)
    def runs_page(request: Request):
        return templates.TemplateResponse(request, "runs.html", {"runs": api_runs()["runs"]})

    @router.get("/results/{run_id}", response_class=HTMLResponse)
    def results_page(request: Request, run_id: str, q: ResultQuery = Depends(params)):
        res = open_run(run_id)
        rows, total = run_query(res, q)
        passed = {None: "", True: "yes", False: "no"}[q.passed]
        filters = {"role": q.role or "", "pmin": _blank(q.potential_min_v),
                   "pmax": _blank(q.potential_max_v), "passed": passed,
                   "domain": list(q.domain), "sort": q.sort, "desc": q.descending,
                   "per_page": q.limit}
        pot = res.roles.get(q.role) if q.role else None
        grid = [{"svg": structure_svg(r["smiles"], 150, f"{r[pot]:.2f} V" if pot and
                                      r.get(pot) == r.get(pot) else f"row {r['row']}")}
                for r in rows.head(GRID).to_dict("records") if r.get("valid")]
        query = urlencode({k: v for k, v in filters.items() if v not in ("", None, False)},
                          doseq=True)
        pages = max(1, -(-total // q.limit))
        return templates.TemplateResponse(request, "results.html", {
            "run": run_id, "res": res, "total": total,
            "rows": records(rows),
            "columns": list(rows.columns), "filters": filters, "query": query,
            "page": q.offset // q.limit + 1, "pages": pages, "grid": grid})

    return router


def _histogram_png(e, window: tuple, column: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 2.6), dpi=100)
    ax.hist(e, bins=60, color="#4a7fb5")
    for x, name in zip(window, ("window low", "window high"), strict=True):
        if x is not None:
            ax.axvline(x, color="#b00", ls="--", lw=1)
            ax.annotate(name, (x, 1), xycoords=("data", "axes fraction"), fontsize=7,
                        ha="right", va="top", rotation=90, color="#b00")
    ax.set_xlabel(f"{column} (V)")
    ax.set_ylabel("molecules")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
