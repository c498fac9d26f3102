"""``distill``: one student net for a model's fold ensemble, saved as a model of its own."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from redoxscreen.models import load_model
from redoxscreen.runtime.jsonio import write_json
from redoxscreen.runtime.progress import Progress, or_silent
from redoxscreen.runtime.runs import file_sha256, library_versions
from redoxscreen.screen.reader import iter_chunks


def sample_library(library: str | Path, n: int, seed: int = 0,
                   smiles_col: str | None = None) -> list[str]:
    """A uniform sample of ``n`` SMILES from ``library`` (reservoir sampling, one pass,
    memory ∝ ``n``); all of them when it has fewer."""
    rng = np.random.default_rng(seed)
    keep: list[str] = []
    seen = 0
    for chunk in iter_chunks(library, 10000, smiles_col):
        for s in chunk.smiles:
            if len(keep) < n:
                keep.append(s)
            else:
                j = int(rng.integers(0, seen + 1))
                if j < n:
                    keep[j] = s
            seen += 1
    return keep


def run_distill_command(model_dir: str | Path, out: str | Path, *,
                        library: str | Path | None = None, n_library: int = 50000,
                        seed: int = 0, smiles_col: str | None = None,
                        progress: Progress | None = None, **student_params: object) -> dict:
    """Distil ``model_dir``'s ensemble (plus ``n_library`` molecules of ``library``) into
    ``out``; writes ``distill.json`` beside the model and returns the agreement."""
    from redoxscreen.models.distill import distill_ensemble

    progress = or_silent(progress)
    model = load_model(model_dir)
    extra = sample_library(library, n_library, seed, smiles_col) if library else []
    with progress.task("distilling", total=None):
        student, agreement = distill_ensemble(model, extra, seed=seed, **student_params)
    out = Path(out)
    student.save(out)
    write_json(out / "distill.json", {
        "command": "distill", "teacher": str(Path(model_dir).resolve()),
        "teacher_hash": file_sha256(Path(model_dir) / "weights.safetensors"),
        "library": str(Path(library).resolve()) if library else None,
        "library_sha256": file_sha256(library) if library else None,
        "n_library": n_library, "seed": seed, "student_params": student_params,
        "agreement": agreement, "versions": library_versions()})
    return agreement
