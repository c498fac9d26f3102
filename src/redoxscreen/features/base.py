"""Shared base of all molecule featurizers: sklearn transformers from SMILES to a sparse matrix,
and the featurizer registry (``ecfp``, ``conjugation`` ... in featurizer specs)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import scipy.sparse as sp
from rdkit import Chem
from sklearn.base import BaseEstimator, TransformerMixin

from redoxscreen.chem import to_mol
from redoxscreen.runtime.processes import spawn_pool
from redoxscreen.runtime.registry import Registry

MolLike = str | Chem.Mol
T = TypeVar("T", bound=type)


def _load_builtin() -> None:
    for module in ("ecfp", "fingerprints", "descriptors", "conjugation", "union"):
        importlib.import_module(f"redoxscreen.features.{module}")


FEATURIZERS = Registry("featurizer", load=_load_builtin, runtime=("n_jobs",))


def register_featurizer(name: str, *, aliases: dict[str, str] | None = None,
                        flags: dict[str, tuple[str, Any]] | None = None,
                        listed: bool = True) -> Callable[[T], T]:
    """Class decorator: ``name`` in featurizer specs (``ecfp:r=2,bits=2048``) and saved configs.

    Spec options are the constructor's settings by name, ``aliases`` (``{"r": "radius"}``) and
    value-less ``flags`` (``{"bits-only": ("counts", False)}``)."""
    def decorate(cls: T) -> T:
        cls.name = name
        FEATURIZERS.add(name, cls, reads="smiles", listed=listed, aliases=aliases or {},
                        flags=flags or {})
        return cls

    return decorate


def as_mols(items: Sequence[MolLike]) -> list[Chem.Mol]:
    """Molecules from SMILES or Mols; raises ``ValueError`` naming the first invalid index."""
    mols = []
    for i, x in enumerate(items):
        if isinstance(x, Chem.Mol):
            mols.append(x)
            continue
        mol, reason = to_mol(x)
        if mol is None:
            raise ValueError(f"molecule {i} ({x!r}): {reason}; filter invalid SMILES first")
        mols.append(mol)
    return mols


class MolFeaturizer(TransformerMixin, BaseEstimator):
    """Base class: subclasses set ``n_features_out`` and implement ``_featurize(mols)``.

    ``transform`` accepts SMILES strings or RDKit molecules and returns a float32 CSR matrix;
    :meth:`transform_mols` does the same for molecules already parsed (the screening worker's
    fast parser). With ``n_jobs > 1`` and SMILES input, chunks are featurized in worker
    processes. Featurizers are stateless: ``fit`` only checks its input and returns ``self``.
    """

    name: str = "base"
    chunk_size: int = 4096

    def __init__(self, n_jobs: int = 1):
        self.n_jobs = n_jobs

    @property
    def n_features_out(self) -> int:
        raise NotImplementedError

    def feature_names(self) -> list[str]:
        return [f"{self.name}_{i}" for i in range(self.n_features_out)]

    @property
    def sanitize_ops(self) -> Chem.SanitizeFlags | None:
        """RDKit sanitisation this featurizer needs, for the fast parser
        :func:`redoxscreen.chem.mols_for_features`; ``None`` (the conservative default) means
        it needs everything ``MolFromSmiles`` does, stereo perception included."""
        return None

    def _featurize(self, mols: list[Chem.Mol]) -> sp.csr_matrix:
        raise NotImplementedError

    def fit(self, X: Sequence[MolLike], y: object = None) -> MolFeaturizer:
        return self

    def transform_mols(self, mols: list[Chem.Mol]) -> sp.csr_matrix:
        """Features of parsed, valid molecules (float32 CSR, one row each)."""
        return self._featurize(mols).astype(np.float32, copy=False)  # most are float32 already

    def transform(self, X: Sequence[MolLike]) -> sp.csr_matrix:
        X = list(X)
        if self.n_jobs == 1 or len(X) <= self.chunk_size or not all(isinstance(x, str) for x in X):
            return self.transform_mols(as_mols(X))
        chunks = [X[i : i + self.chunk_size] for i in range(0, len(X), self.chunk_size)]
        workers = self.n_jobs if self.n_jobs > 0 else None
        with spawn_pool(workers) as pool:  # spawned: see redoxscreen.runtime.processes
            parts = list(pool.map(_transform_chunk, [self] * len(chunks), chunks))
        return sp.vstack(parts, format="csr").astype(np.float32)

    def get_config(self) -> dict:
        """JSON-safe description; :func:`featurizer_from_config` rebuilds the featurizer."""
        return {"name": self.name, "params": self.get_params(deep=False)}


def _transform_chunk(featurizer: MolFeaturizer, smiles: list[str]) -> sp.csr_matrix:
    return featurizer.transform_mols(as_mols(smiles))


def csr_from_dicts(rows: list[dict[int, float]], n_cols: int) -> sp.csr_matrix:
    """CSR matrix from one ``{column: value}`` dict per row (fast path for RDKit sparse FPs)."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=indptr[1:])
    indices = np.fromiter((k for r in rows for k in r), dtype=np.int32, count=int(indptr[-1]))
    data = np.fromiter((v for r in rows for v in r.values()), dtype=np.float32,
                       count=int(indptr[-1]))
    m = sp.csr_matrix((data, indices, indptr), shape=(len(rows), n_cols))
    m.sort_indices()
    return m
