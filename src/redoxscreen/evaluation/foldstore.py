"""Finished folds on disk, so an interrupted cross-validation resumes at the fold in progress.

``DIR/fold<k>/``: ``fold.json`` (the fold model's config, times, tuned parameters) and
``fold.safetensors`` (the model's arrays, the test rows and their predictions). A fold is
written to a temporary directory and renamed into place, so a killed run never leaves half a
fold; a stored fold is used only for the same test rows.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from redoxscreen.evaluation.cv import FoldFit
from redoxscreen.runtime.jsonio import write_json


class FoldStore:
    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def _path(self, k: int) -> Path:
        return self.directory / f"fold{k}"

    def load(self, k: int, test: np.ndarray) -> FoldFit | None:
        path = self._path(k)
        if not (path / "fold.json").exists():
            return None
        from safetensors.numpy import load_file

        from redoxscreen.models.serialize import estimator_from_state

        meta = json.loads((path / "fold.json").read_text())
        arrays = load_file(str(path / "fold.safetensors"))
        if not np.array_equal(arrays["__test"], test):
            return None
        return FoldFit(arrays["__test"], arrays["__pred"],
                       estimator_from_state(meta["estimator"], arrays), meta["fit_seconds"],
                       meta["predict_seconds"], meta["params"])

    def save(self, k: int, fit: FoldFit) -> None:
        from safetensors.numpy import save_file

        from redoxscreen.models.serialize import estimator_to_state

        path = self._path(k)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        config, arrays = estimator_to_state(fit.model)
        arrays = {**arrays, "__pred": fit.pred, "__test": np.asarray(fit.test, np.int64)}
        save_file({a: np.ascontiguousarray(v) for a, v in arrays.items()},
                  str(tmp / "fold.safetensors"))
        write_json(tmp / "fold.json", {"estimator": config, "fit_seconds": fit.fit_seconds,
                                       "predict_seconds": fit.predict_seconds,
                                       "params": fit.params})
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)

    def clear(self) -> None:
        if self.directory.exists():
            shutil.rmtree(self.directory)
