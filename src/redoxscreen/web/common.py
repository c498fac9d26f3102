"""What the web routers share: folder discovery with a short cache, drawing, auth."""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable
from pathlib import Path

from fastapi import HTTPException, Request

FOLDERS_TTL_S = 2.0


def clean(value: object) -> object:
    """JSON-safe: NaN/inf → None, numpy scalars → Python."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(df: object) -> list[dict]:
    """A DataFrame's rows as JSON-safe dicts."""
    cols = list(df.columns)
    return [dict(zip(cols, map(clean, row), strict=True))
            for row in df.itertuples(index=False, name=None)]


def cached_finder(find: Callable[[Path], dict[str, Path]], root: Path,
                  ttl_s: float = FOLDERS_TTL_S) -> Callable[[], dict[str, Path]]:
    """``find(root)``, rescanned at most every ``ttl_s``: a glob of a big runs folder per
    request would cost more than the request."""
    state: dict = {"at": -math.inf, "found": {}}

    def found() -> dict[str, Path]:
        if time.monotonic() - state["at"] > ttl_s:
            state.update(at=time.monotonic(), found=find(root))
        return state["found"]

    return found


def lookup(found: dict[str, Path], key: str, what: str, listing: str) -> Path:
    """The folder of id ``key`` (never a path taken from the request), or a 404."""
    if key not in found:
        raise HTTPException(404, f"unknown {what} {key!r}; {listing} lists them")
    return found[key]


def token_check(token: str | None) -> Callable[[Request], None]:
    """A dependency: with a token, the request must carry it (header or ``?token=``)."""
    def authorised(request: Request) -> None:
        if token is None:
            return
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip() \
            or request.query_params.get("token", "")
        if not hmac.compare_digest(given, token):
            raise HTTPException(401, "this server needs its token for writes: "
                                "Authorization: Bearer TOKEN")
    return authorised


def structure_svg(smiles: str, size: int = 160, legend: str = "") -> str:
    """The molecule drawn by RDKit as inline SVG ('' when it does not parse)."""
    from rdkit import Chem
    from rdkit.Chem.Draw import rdMolDraw2D

    mol = Chem.MolFromSmiles(str(smiles)) if isinstance(smiles, str) else None
    if mol is None:
        return ""
    d = rdMolDraw2D.MolDraw2DSVG(size, size)
    d.DrawMolecule(mol, legend=legend)
    d.FinishDrawing()
    return d.GetDrawingText().replace("<?xml version='1.0' encoding='iso-8859-1'?>", "")
