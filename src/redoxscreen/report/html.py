"""A one-page, self-contained HTML summary (images embedded as base64, tables from DataFrames)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

_STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}td,th{border:1px solid #ccc;
padding:3px 6px;text-align:right}th{background:#f4f4f4}img{max-width:100%;margin:.3em 0}
.note{color:#555;font-size:.9em}"""


def image_tag(path: str | Path, alt: str = "") -> str:
    path = Path(path)
    if not path.exists():
        return ""
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'


def table_html(df: pd.DataFrame, float_format: str = "{:.3f}") -> str:
    return df.to_html(index=False, float_format=lambda x: float_format.format(x), border=0,
                      escape=True)


def write_html(path: str | Path, title: str, sections: list[tuple[str, str]]) -> Path:
    """``sections``: (heading, HTML body) pairs, in order."""
    body = "".join(f"<h2>{html.escape(h)}</h2>\n{content}\n" for h, content in sections)
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}"
            f"</title><style>{_STYLE}</style></head><body><h1>{html.escape(title)}</h1>\n"
            f"{body}</body></html>")
    path = Path(path)
    path.write_text(page)
    return path
