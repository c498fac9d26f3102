"""Per-chunk work of a screening run: parse → featurize → predict → potentials → rules → part.

Runs in worker processes; each loads the model once (``init_worker``), uses one torch thread (so
two workers keep two cores busy) and writes its chunk's Parquet part itself, so result rows never
travel back through the coordinating process.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from rdkit import Chem

from redoxscreen.chem import mols_for_features, to_mol
from redoxscreen.electrochem import ROLES, PotentialConversion, ScreenRule
from redoxscreen.evaluation.calibration import IntervalCalibrator
from redoxscreen.models import RedoxModel, load_model
from redoxscreen.screen.reader import Chunk
from redoxscreen.screen.settings import ScreenSettings, scale_suffix


class ChunkScreener:
    """Everything needed to turn a chunk of SMILES into result rows."""

    def __init__(self, model: RedoxModel, settings: ScreenSettings,
                 calibrators: dict[str, IntervalCalibrator]):
        self.model = model
        self.settings = settings
        self.calibrators = calibrators
        self.conversion = PotentialConversion.from_dict(settings.conversion)
        self.rules: dict[str, ScreenRule] = settings.rules()
        # stereo perception is half of RDKit's parsing time; skip it when features ignore it
        self.sanitize_ops = model.featurizer.sanitize_ops

    def parse(self, smiles: list[str]) -> tuple[list[Chem.Mol | None], list[str]]:
        """Molecules (``None`` where invalid) and the reason for each invalid one."""
        if self.sanitize_ops is not None:
            mols = mols_for_features(smiles, self.sanitize_ops)
        else:
            mols = [to_mol(s)[0] for s in smiles]
        reasons = ["" if m is not None else to_mol(s)[1] or "invalid SMILES"
                   for s, m in zip(smiles, mols, strict=True)]
        return mols, reasons

    def process(self, chunk: Chunk) -> pd.DataFrame:
        n = len(chunk.smiles)
        mols, reasons = self.parse(chunk.smiles)
        ok = np.fromiter((m is not None for m in mols), bool, count=n)
        targets = self.model.targets
        k = _n_members(self.model.estimator)
        members = np.full((k, n, len(targets)), np.nan)
        if ok.any():
            X = self.model.featurizer._featurize([m for m, good in zip(mols, ok, strict=True)
                                                   if good])
            members[:, ok] = _members(self.model.estimator, X).reshape(k, int(ok.sum()), -1)
        mean = members.mean(axis=0)
        out = {"row": np.arange(chunk.start_row, chunk.start_row + n, dtype=np.int64),
               "smiles": chunk.smiles}
        if chunk.ids is not None:
            out["id"] = chunk.ids
        out["valid"] = ok
        out["reason"] = reasons
        for j, t in enumerate(targets):
            out[f"{t}_pred"] = mean[:, j]
            if k > 1:
                out[f"{t}_std"] = members[:, :, j].std(axis=0)
        suffix = scale_suffix(self.settings.scale)
        for role, rule in self.rules.items():
            process, prefix, _ = ROLES[role]
            target = self.settings.ie_target if role == "cathode" else self.settings.ea_target
            j = targets.index(target)
            lo_x, hi_x = self.calibrators[target].interval(members[:, :, j])
            e, lo, hi = (self.conversion.potential(x, process, self.settings.scale)
                         for x in (mean[:, j], lo_x, hi_x))
            lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)  # a negative slope swaps them
            res = rule.evaluate(e, lo, hi)
            out[f"{prefix}_v_{suffix}"] = e
            out[f"{prefix}_lo_v_{suffix}"] = lo
            out[f"{prefix}_hi_v_{suffix}"] = hi
            for key in ("in_window", "in_band", "p_window", "pass"):
                out[f"{role}_{key}"] = res[key]
        return pd.DataFrame(out)

    def write_part(self, chunk: Chunk, parts_dir: str | Path) -> int:
        """Screen ``chunk`` into ``parts_dir/chunk-NNNNNN.parquet`` (atomic); returns its rows."""
        df = self.process(chunk)
        path = Path(parts_dir) / part_name(chunk.index)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        df.to_parquet(tmp, index=False)
        os.replace(tmp, path)
        return len(df)


def part_name(index: int) -> str:
    return f"chunk-{index:06d}.parquet"


def _n_members(est: object) -> int:
    return len(est.estimators_) if hasattr(est, "predict_members") else 1


def _members(est: object, X: object) -> np.ndarray:
    """Member predictions ``(k, n[, t])``; a single estimator is an ensemble of one."""
    if hasattr(est, "predict_members"):
        return est.predict_members(X)
    return np.asarray(est.predict(X))[None]


_SCREENER: ChunkScreener | None = None
_PARTS: str = ""


def init_worker(model_dir: str, settings: dict, calibrators: dict, parts_dir: str) -> None:
    global _SCREENER, _PARTS
    torch.set_num_threads(1)
    model = load_model(model_dir)
    _SCREENER = ChunkScreener(model, ScreenSettings(**settings),
                              {t: IntervalCalibrator(**c) for t, c in calibrators.items()})
    _PARTS = parts_dir


def screen_in_worker(chunk: Chunk) -> int:
    """Screen one chunk into its Parquet part; returns the number of rows written."""
    assert _SCREENER is not None, "init_worker was not called"
    return _SCREENER.write_part(chunk, _PARTS)
