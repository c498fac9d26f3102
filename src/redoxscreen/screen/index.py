"""A pre-featurized library: featurize once, screen many times (``redoxscreen index``).

``LIB.rsidx/`` holds ``manifest.json`` (format, featurizer config, standardisation, the
versions that decide the features, the source file's hash, shards done) and one Parquet shard
per chunk, ``shard-NNNNNN.parquet``, with a row per input record:

- ``row``, ``smiles`` (as in the file), ``id`` (when the file has one), ``valid``, ``reason``,
  ``standardization``, ``canonical`` (the standardised molecule's canonical SMILES);
- ``feat_idx`` / ``feat_val``: the model features as a sparse row (list<int32>/list<float32>);
- ``fp_bits``: Morgan r2/2048 on-bits and the :func:`~redoxscreen.models.domain.molecule_facts`
  columns: what the applicability domain of any model needs.

A screen reads a shard's features straight into a CSR matrix (no parsing, no featurizing) when
the model's featurizer and standardisation are the index's; otherwise it refuses, naming both.
Resumable like ``screen``: a shard is written (atomic rename) before it is recorded.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
import pyarrow.parquet as pq
import scipy.sparse as sp

from redoxscreen.runtime.errors import ConfigError, DataError
from redoxscreen.runtime.jsonio import plain

FORMAT = "redoxscreen-library-index"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def is_index(path: str | Path) -> bool:
    """Whether ``path`` is a library index folder."""
    return (Path(path) / MANIFEST).is_file()


def _without_jobs(config: object) -> object:
    # n_jobs is how fast features are made, not which: it never decides a match
    if isinstance(config, dict):
        return {k: _without_jobs(v) for k, v in config.items() if k != "n_jobs"}
    if isinstance(config, list):
        return [_without_jobs(v) for v in config]
    return config


def feature_identity(featurizer_config: dict, standardize: dict | None) -> dict:
    """What decides an index's features: featurizer config, standardisation and RDKit."""
    import rdkit

    return plain({"featurizer": _without_jobs(featurizer_config), "standardize": standardize,
                  "rdkit": rdkit.__version__})


@dataclass
class IndexChunk:
    """One shard of an index, as a screening task (the worker reads the shard itself)."""

    index: int
    first_row: int
    path: str
    rows: int


@dataclass
class ShardData:
    """A shard as a screen uses it: features of the valid rows and the per-row record."""

    smiles: list[str]
    ids: list[str] | None
    ok: np.ndarray
    reasons: list[str]
    changes: list[str]
    X: sp.csr_matrix
    facts: pd.DataFrame
    bits: sp.csr_matrix


def shard_name(index: int) -> str:
    return f"shard-{index:06d}.parquet"


def _lists(csr: sp.csr_matrix, ok: np.ndarray, dtype: object) -> tuple[pa.Array, pa.Array]:
    """Per-record list arrays of a CSR over the valid records (invalid ones: empty lists)."""
    lengths = np.zeros(len(ok), np.int64)
    lengths[ok] = np.diff(csr.indptr)
    offsets = pa.array(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32))
    idx = pa.ListArray.from_arrays(offsets, pa.array(csr.indices.astype(np.int32)))
    val = pa.ListArray.from_arrays(offsets, pa.array(csr.data.astype(dtype)))
    return idx, val


def _csr(table: pa.Table, idx_col: str, val_col: str | None, ok: np.ndarray,
         n_cols: int) -> sp.csr_matrix:
    """The valid records' CSR from list columns, without a Python loop over rows."""
    lists = table[idx_col].combine_chunks()
    offsets = lists.offsets.to_numpy().astype(np.int64)
    indices = lists.values.to_numpy(zero_copy_only=False).astype(np.int32, copy=False)
    if val_col is None:
        data = np.ones(len(indices), np.float32)
    else:
        data = table[val_col].combine_chunks().values.to_numpy(zero_copy_only=False)
    # invalid records hold empty lists: the valid rows' pointers are the ends of theirs
    indptr = np.concatenate([[0], offsets[1:][ok]])
    return sp.csr_matrix((data.astype(np.float32, copy=False), indices, indptr),
                         shape=(int(ok.sum()), n_cols))


class IndexBuilder:
    """Turns a chunk of SMILES into a shard (runs in worker processes)."""

    def __init__(self, featurizer_config: dict, standardize: dict | None):
        from redoxscreen.chem.standardize import Standardizer
        from redoxscreen.features import featurizer_from_config

        self.featurizer = featurizer_from_config(featurizer_config)
        self.standardizer = Standardizer.from_dict(standardize)
        self.mol_batch = 1000

    def table(self, smiles: list[str], first_row: int, ids: list[str] | None) -> pa.Table:
        from rdkit import Chem

        from redoxscreen.chem.standardize import parse_for_features
        from redoxscreen.models.domain import domain_bits, molecule_facts, morgan_block

        # a thousand molecules at a time, dropped at once, as the screen's featurize does: a
        # chunk's RDKit molecules would take ~100× the memory of its feature rows
        reasons, changes, canonical, Xs, fps, facts = [], [], [], [], [], []
        for a in range(0, max(len(smiles), 1), self.mol_batch):  # once if empty
            batch = smiles[a:a + self.mol_batch]
            mols, why, done = parse_for_features(batch, self.featurizer.sanitize_ops,
                                                 self.standardizer)
            valid = [m for m, r in zip(mols, why, strict=True) if r == ""]
            X = self.featurizer.transform_mols(valid).tocsr()
            Xs.append(X)
            fps.append(domain_bits(valid, X, morgan_block(self.featurizer)))
            facts.append(molecule_facts(valid, [t for t, r in zip(batch, why, strict=True)
                                                if r == ""]))
            canonical += [Chem.MolToSmiles(m) if r == "" else None
                          for m, r in zip(mols, why, strict=True)]
            reasons += why
            changes += done
            del mols, valid
        ok = np.array([r == "" for r in reasons], dtype=bool)
        X, fp = sp.vstack(Xs, format="csr"), sp.vstack(fps, format="csr")
        facts = pd.concat(facts, ignore_index=True)
        cols: dict[str, object] = {
            "row": pa.array(np.arange(first_row, first_row + len(smiles), dtype=np.int64)),
            "smiles": pa.array(smiles, pa.string())}
        if ids is not None:
            cols["id"] = pa.array(ids, pa.string())
        cols.update(valid=pa.array(ok), reason=pa.array(reasons, pa.string()),
                    standardization=pa.array(changes, pa.string()),
                    canonical=pa.array(canonical, pa.string()))
        cols["feat_idx"], cols["feat_val"] = _lists(X, ok, np.float32)
        cols["fp_bits"] = _lists(fp, ok, np.float32)[0]
        for c in facts.columns:
            full = np.zeros(len(smiles), facts[c].dtype) if c != "elements" \
                else np.full(len(smiles), "", object)
            full[ok] = facts[c].to_numpy()
            cols[c] = pa.array(full)
        return pa.table(cols)

    def write(self, chunk: object, directory: str | Path) -> tuple[int, int]:
        """The shard of ``chunk`` (a :class:`~redoxscreen.screen.reader.Chunk`), atomically;
        returns its rows and valid rows."""
        table = self.table(chunk.smiles, chunk.first_row, chunk.ids)
        path = Path(directory) / shard_name(chunk.index)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, path)
        return table.num_rows, int(pa.compute.sum(table["valid"]).as_py() or 0)


class LibraryIndex:
    """An index folder opened for reading."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not is_index(self.path):
            raise DataError(f"{self.path}: not a library index (no {MANIFEST}); build one "
                            "with 'redoxscreen index LIBRARY --featurizer SPEC -o LIB.rsidx'")
        self.manifest = json.loads((self.path / MANIFEST).read_text())
        if self.manifest.get("format") != FORMAT:
            raise DataError(f"{self.path / MANIFEST}: not a redoxscreen library index")
        if not self.manifest.get("complete"):
            raise DataError(f"{self.path}: the index is not finished ("
                            f"{self.manifest.get('rows_done', 0)} rows so far); run the same "
                            "'redoxscreen index' command again to complete it")
        self.identity = self.manifest["identity"]
        self.n_features = int(self.manifest["n_features"])

    @property
    def sha256(self) -> str:
        """What a screen records as its library's hash: the manifest's (source hash, features
        and shards)."""
        from redoxscreen.runtime.runs import file_sha256
        return file_sha256(self.path / MANIFEST)

    def check_model(self, featurizer_config: dict, standardize: dict | None) -> None:
        """Refuse a model whose features this index does not hold, naming both."""
        want = feature_identity(featurizer_config, standardize)
        have = {k: self.identity.get(k) for k in want}
        if want != have:
            diff = [k for k in want if want[k] != have[k]]
            raise ConfigError(
                f"{self.path}: this index holds other features than the model reads "
                f"({', '.join(diff)} differ). Index: {json.dumps({k: have[k] for k in diff})}; "
                f"model: {json.dumps({k: want[k] for k in diff})}. Build an index for this "
                "model ('redoxscreen index LIBRARY --model MODEL -o NEW.rsidx') or screen the "
                "SMILES file")

    def chunks(self) -> list[IndexChunk]:
        shards = self.manifest["shards"]
        return [IndexChunk(int(k), int(v["first_row"]), str(self.path / shard_name(int(k))),
                           int(v["rows"])) for k, v in sorted(shards.items(),
                                                               key=lambda kv: int(kv[0]))]

    def rows(self) -> int:
        return int(self.manifest["rows_done"])


def read_shard(path: str | Path, n_features: int) -> ShardData:
    """A shard's features (valid rows) and record columns, ready for the screen worker."""
    from redoxscreen.models.domain import FACTS, FP_BITS

    table = pq.read_table(path)
    ok = table["valid"].to_numpy(zero_copy_only=False).astype(bool)
    facts = table.select(list(FACTS)).to_pandas()[ok].reset_index(drop=True)
    return ShardData(
        smiles=table["smiles"].to_pylist(),
        ids=table["id"].to_pylist() if "id" in table.column_names else None,
        ok=ok, reasons=table["reason"].to_pylist(),
        changes=table["standardization"].to_pylist(),
        X=_csr(table, "feat_idx", "feat_val", ok, n_features),
        facts=facts, bits=_csr(table, "fp_bits", None, ok, FP_BITS))
