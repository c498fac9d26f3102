"""Per-chunk work of a screening run: parse → featurize → predict → potentials → rules → part.

Runs in worker processes; each loads the model once (``init_worker``), uses one torch thread (so
two workers keep two cores busy) and writes its chunk's Parquet part itself, so result rows never
travel back through the coordinating process.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp
from rdkit import Chem

from redoxscreen.chem.standardize import parse_for_features
from redoxscreen.electrochem import PotentialConversion, ScreenRule
from redoxscreen.evaluation.calibration import IntervalCalibrator, calibrator_from_state
from redoxscreen.models.domain import domain_bits, domain_rows, molecule_facts, morgan_block
from redoxscreen.models.inputs import (
    MolBatch,
    member_predictions,
    n_members,
    reads_features,
    reads_smiles,
)
from redoxscreen.runtime.precision import inference_precision
from redoxscreen.runtime.registry import import_plugins
from redoxscreen.screen.index import IndexChunk, read_shard
from redoxscreen.screen.reader import Chunk
from redoxscreen.screen.schema import (
    bound_columns,
    outcome_column,
    potential_column,
    prediction_columns,
)
from redoxscreen.screen.settings import ScreenSettings

if TYPE_CHECKING:  # the coordinator imports this module: keep torch out of it
    from redoxscreen.models import RedoxModel


class ChunkScreener:
    """Everything needed to turn a chunk of SMILES into result rows."""

    def __init__(self, model: RedoxModel, settings: ScreenSettings,
                 calibrators: dict[str, IntervalCalibrator]):
        self.model = model
        self.settings = settings
        self.calibrators = calibrators
        self.conversion = (PotentialConversion.from_dict(settings.conversion)
                           if settings.conversion else PotentialConversion.study())
        self.rules: dict[str, ScreenRule] = settings.rules()
        # stereo perception is half of RDKit's parsing time; skip it when features ignore it
        self.sanitize_ops = model.featurizer.sanitize_ops
        self.reads_smiles = reads_smiles(model.estimator)  # a graph net is part of the model
        self.reads_features = reads_features(model.estimator)  # not when it is all graph nets
        self.mol_batch = 1000
        self.last_domain: pd.DataFrame | None = None
        self.last_changes: list[str] = []
        self.standardizer = model.standardizer
        self.morgan_offset = morgan_block(model.featurizer)  # domain bits from the features

    def parse(self, smiles: list[str]) -> tuple[list[Chem.Mol | None], list[str], list[str]]:
        """Molecules (``None`` where invalid), the reason for each invalid one and what the
        model's standardisation changed in each."""
        return parse_for_features(smiles, self.sanitize_ops, self.standardizer)

    def featurize(self, smiles: list[str]) -> tuple[sp.csr_matrix, np.ndarray, list[str]]:
        """Features of the valid molecules, the validity mask and the reasons (and the
        valid molecules' applicability domain in ``self.last_domain``).

        Molecules are parsed and featurized ``mol_batch`` at a time and dropped at once: RDKit
        molecules are ~100× larger than their feature rows, so a chunk never holds them all.
        """
        parts, reasons, domains, changes = [], [], [], []
        for a in range(0, len(smiles), self.mol_batch):
            batch = smiles[a:a + self.mol_batch]
            mols, why, done = self.parse(batch)
            changes += done
            valid = [m for m in mols if m is not None]
            X = (self.model.featurizer.transform_mols(valid) if self.reads_features
                 else None)
            parts.append(X if X is not None else sp.csr_matrix((len(valid), 0)))
            if self.model.domain is not None:
                domains.append(self.model.domain.classify(
                    molecule_facts(valid, [t for t, m in zip(batch, mols, strict=True)
                                           if m is not None]),
                    domain_bits(valid, X, self.morgan_offset)))
            reasons += why
        ok = np.array([r == "" for r in reasons], dtype=bool)
        X = sp.vstack(parts, format="csr") if parts else None
        self.last_domain = pd.concat(domains, ignore_index=True) if domains else None
        self.last_changes = changes
        return X, ok, reasons

    def from_index(self, chunk: IndexChunk) -> tuple[sp.csr_matrix, np.ndarray, list[str],
                                                     list[str], list[str] | None]:
        """What :meth:`featurize` gives, read from a library index's shard (no parsing)."""
        data = read_shard(chunk.path, self.model.featurizer.n_features_out)
        self.last_changes = data.changes
        self.last_domain = (self.model.domain.classify(data.facts, data.bits)
                            if self.model.domain is not None else None)
        X = data.X if self.reads_features else sp.csr_matrix((int(data.ok.sum()), 0))
        return X, data.ok, data.reasons, data.smiles, data.ids

    def process(self, chunk: Chunk | IndexChunk) -> pd.DataFrame:
        if isinstance(chunk, IndexChunk):
            X, ok, reasons, smiles, ids = self.from_index(chunk)
        else:
            (X, ok, reasons), smiles, ids = self.featurize(chunk.smiles), chunk.smiles, chunk.ids
        n = len(smiles)
        targets, scale = self.model.targets, self.settings.scale
        k = n_members(self.model.estimator)
        members = np.full((k, n, len(targets)), np.nan)
        if ok.any():
            if self.reads_smiles:
                X = MolBatch(X, np.asarray(smiles, dtype=object)[ok])
            with inference_precision(self.settings.precision):
                members[:, ok] = member_predictions(self.model.estimator, X).reshape(
                    k, int(ok.sum()), -1)
        mean = members.mean(axis=0)
        out = {"row": np.arange(chunk.first_row, chunk.first_row + n, dtype=np.int64),
               "smiles": smiles}
        if ids is not None:
            out["id"] = ids
        out["valid"] = ok
        out["reason"] = reasons
        out["standardization"] = self.last_changes
        out.update(domain_rows(self.last_domain, ok))
        usable = out["domain"] != "out" if not self.settings.allow_out_of_domain else ok
        for j, t in enumerate(targets):
            pred, std = prediction_columns(t)
            out[pred] = mean[:, j]
            if k > 1:
                out[std] = members[:, :, j].std(axis=0)
        for role, rule in self.rules.items():
            target = self.settings.target_for(role)
            j = targets.index(target)
            lo_x, hi_x = self.calibrators[target].interval(members[:, :, j])
            e, lo, hi = (self.conversion.potential(x, rule.process, scale)
                         for x in (mean[:, j], lo_x, hi_x))
            lo, hi = np.minimum(lo, hi), np.maximum(lo, hi)  # a negative slope swaps them
            res = rule.evaluate(e, lo, hi)
            res["pass"] = res["pass"] & usable  # an out-of-domain guess is never a candidate
            lo_col, hi_col = bound_columns(role, scale)
            out[potential_column(role, scale)], out[lo_col], out[hi_col] = e, lo, hi
            for outcome, values in res.items():
                out[outcome_column(role, outcome)] = values
        return pd.DataFrame(out)

    def write_part(self, chunk: Chunk | IndexChunk, parts_dir: str | Path) -> int:
        """Screen ``chunk`` into ``parts_dir/chunk-NNNNNN.parquet`` (atomic); returns its rows."""
        df = self.process(chunk)
        path = Path(parts_dir) / part_name(chunk.index)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        df.to_parquet(tmp, index=False)
        os.replace(tmp, path)
        return len(df)


def part_name(index: int) -> str:
    return f"chunk-{index:06d}.parquet"


_SCREENER: ChunkScreener | None = None
_PARTS: str = ""


def init_worker(model_dir: str, settings: dict, calibrators: dict, parts_dir: str,
                plugins: list[str], threads: int = 1) -> None:
    """Load the model once per process; ``threads``: torch threads (0: leave as is, when
    the screen runs in the caller's process)."""
    global _SCREENER, _PARTS
    import torch

    from redoxscreen.models import load_model

    if threads:
        torch.set_num_threads(threads)
    limit_heap_growth()
    import_plugins(plugins)  # parts registered outside redoxscreen in the coordinator
    model = load_model(model_dir)
    _SCREENER = ChunkScreener(model, ScreenSettings(**settings),
                              {t: calibrator_from_state(c) for t, c in calibrators.items()})
    _PARTS = parts_dir
    release_memory()


def screen_in_worker(chunk: Chunk | IndexChunk) -> int:
    """Screen one chunk into its Parquet part; returns the number of rows written."""
    assert _SCREENER is not None, "init_worker was not called"
    n = _SCREENER.write_part(chunk, _PARTS)
    release_memory()
    return n


def limit_heap_growth(threshold: int = 1 << 20) -> None:
    """Serve allocations above ``threshold`` bytes by mmap, returned to the OS when freed.

    glibc raises its mmap threshold (up to 32 MB) after each large free, so the chunk's 16 MB
    similarity blocks and net activations then come from the heap, which fragments: +0.5 GB
    peak RSS over a 200k screen, measured. A fixed threshold stops that. No-op without glibc."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(-3, threshold)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


def release_memory() -> None:
    """Give freed heap pages back to the OS (glibc keeps them after a chunk's ~10⁴ molecules
    are freed: ~300 MB per worker otherwise). A no-op where there is no glibc."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
