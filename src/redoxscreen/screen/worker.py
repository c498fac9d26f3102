"""Per-chunk work of a screening run: parse → featurize → predict → potentials → rules.

Runs in worker processes; each loads the model once (``init_worker``) and uses one torch thread,
so two workers keep two cores busy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from rdkit import Chem

from redoxscreen.chem import to_mol
from redoxscreen.electrochem import ROLES, PotentialConversion, ScreenRule
from redoxscreen.evaluation.calibration import IntervalCalibrator
from redoxscreen.models import RedoxModel, load_model
from redoxscreen.screen.reader import Chunk
from redoxscreen.screen.settings import ScreenSettings


class ChunkScreener:
    """Everything needed to turn a chunk of SMILES into result rows."""

    def __init__(self, model: RedoxModel, settings: ScreenSettings,
                 calibrators: dict[str, IntervalCalibrator]):
        self.model = model
        self.settings = settings
        self.calibrators = calibrators
        self.conversion = PotentialConversion.from_dict(settings.conversion)
        self.rules: dict[str, ScreenRule] = settings.rules()

    def process(self, chunk: Chunk) -> pd.DataFrame:
        n = len(chunk.smiles)
        mols: list[Chem.Mol | None] = [Chem.MolFromSmiles(s) if s else None for s in chunk.smiles]
        ok = np.fromiter((m is not None and m.GetNumAtoms() > 0 for m in mols), bool, count=n)
        reasons = ["" if ok[i] else to_mol(chunk.smiles[i])[1] or "no atoms" for i in range(n)]
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
        suffix = _short(self.settings.scale)
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


def _n_members(est: object) -> int:
    return len(est.estimators_) if hasattr(est, "predict_members") else 1


def _members(est: object, X: object) -> np.ndarray:
    """Member predictions ``(k, n[, t])``; a single estimator is an ensemble of one."""
    if hasattr(est, "predict_members"):
        return est.predict_members(X)
    return np.asarray(est.predict(X))[None]


def _short(scale: str) -> str:
    return {"vs_li": "li", "vs_she": "she", "absolute": "abs"}[scale]


def potential_column(role: str, scale: str) -> str:
    return f"{ROLES[role][1]}_v_{_short(scale)}"


_SCREENER: ChunkScreener | None = None


def init_worker(model_dir: str, settings: dict, calibrators: dict) -> None:
    global _SCREENER
    torch.set_num_threads(1)
    model = load_model(model_dir)
    _SCREENER = ChunkScreener(model, ScreenSettings(**settings),
                              {t: IntervalCalibrator(**c) for t, c in calibrators.items()})


def process_in_worker(chunk: Chunk) -> pd.DataFrame:
    assert _SCREENER is not None, "init_worker was not called"
    return _SCREENER.process(chunk)
