"""Building a library index (``redoxscreen index``): chunks → shards, resumable, on any
back-end of :mod:`redoxscreen.runtime.executor`."""

from __future__ import annotations

import json
from pathlib import Path

from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.executor import run_chunks
from redoxscreen.runtime.jsonio import plain, write_json
from redoxscreen.runtime.progress import Progress, or_silent
from redoxscreen.runtime.runs import file_sha256, library_versions, run_lock
from redoxscreen.screen.index import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    IndexBuilder,
    feature_identity,
)
from redoxscreen.screen.reader import iter_chunks

_BUILDER: IndexBuilder | None = None
_OUT = ""


def init_index_worker(featurizer_config: dict, standardize: dict | None, out: str,
                      threads: int) -> None:
    global _BUILDER, _OUT
    from redoxscreen.screen.worker import limit_heap_growth

    limit_heap_growth()  # as the screen's workers: the chunk's arrays come and go by mmap
    _BUILDER = IndexBuilder(featurizer_config, standardize)
    _OUT = out


def index_in_worker(chunk: object) -> tuple[int, int]:
    """Write one chunk's shard; returns (rows, valid rows)."""
    assert _BUILDER is not None, "init_index_worker was not called"
    from redoxscreen.screen.worker import release_memory

    counts = _BUILDER.write(chunk, _OUT)
    release_memory()
    return counts


def build_index(library: str | Path, out: str | Path, featurizer_config: dict,
                standardize: dict | None, *, chunk_size: int = 10000,
                smiles_col: str | None = None, workers: int = 1,
                scheduler: str | None = None, progress: Progress | None = None,
                max_chunks: int | None = None) -> dict:
    """Index ``library`` into ``out`` (a ``.rsidx`` folder); returns the manifest.

    Re-running the same command resumes (shards already recorded are kept); other settings on
    the same folder are refused. ``max_chunks`` stops early (tests of resuming).
    """
    library, out = Path(library), Path(out)
    from redoxscreen.features import featurizer_from_config

    n_features = featurizer_from_config(featurizer_config).n_features_out
    identity = plain({**feature_identity(featurizer_config, standardize),
                      "source": str(library.resolve()), "source_sha256": file_sha256(library),
                      "chunk_size": chunk_size, "smiles_col": smiles_col})
    out.mkdir(parents=True, exist_ok=True)
    with run_lock(out, "index"):
        path = out / MANIFEST
        shards: dict[str, dict] = {}
        if path.exists():
            saved = json.loads(path.read_text())
            if saved.get("identity") != identity:
                raise ConfigError(f"{out} holds an index of another library or other features; "
                                  "choose another -o or delete that folder")
            shards = saved.get("shards", {})

        def save(complete: bool) -> dict:
            m = {"format": FORMAT, "format_version": FORMAT_VERSION, "identity": identity,
                 "featurizer_config": featurizer_config, "n_features": n_features,
                 "fingerprint": "Morgan r=2, 2048 bits (applicability domain)",
                 "shards": shards, "rows_done": sum(s["rows"] for s in shards.values()),
                 "valid": sum(s["valid"] for s in shards.values()), "complete": complete,
                 "versions": library_versions()}
            write_json(path, m)
            return m

        save(False)
        todo = (c for c in iter_chunks(library, chunk_size, smiles_col)
                if str(c.index) not in shards)
        n_new = 0
        with or_silent(progress).task("indexing", total=None) as bar:
            for chunk, (rows, valid) in run_chunks(
                    todo, index_in_worker, init_index_worker,
                    (featurizer_config, standardize, str(out), 1), workers=workers,
                    scheduler=scheduler, max_tasks=max_chunks):
                shards[str(chunk.index)] = {"first_row": chunk.first_row, "rows": rows,
                                            "valid": valid}
                n_new += 1
                save(False)
                bar.advance(f"{sum(s['rows'] for s in shards.values())} molecules", 0)
        return save(max_chunks is None or n_new < max_chunks)
