"""On-disk feature cache keyed by SHA-256 of (featurizer config, SMILES list).

Matrices are stored as ``.npz`` (``scipy.sparse.save_npz``) and read back with
``allow_pickle=False``, so a cache file cannot run code.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

import scipy.sparse as sp

from redoxscreen.features.base import MolFeaturizer


def cache_key(featurizer: MolFeaturizer, smiles: Sequence[str]) -> str:
    config = featurizer.get_config()
    config = json.loads(json.dumps(config, default=str))
    _strip_jobs(config)
    h = hashlib.sha256(json.dumps(config, sort_keys=True).encode())
    h.update(b"\0")
    h.update("\n".join(smiles).encode())
    return h.hexdigest()[:32]


def _strip_jobs(config: dict) -> None:
    config.get("params", {}).pop("n_jobs", None)
    for sub in config.get("featurizers", []):
        _strip_jobs(sub)


def cached_transform(
    featurizer: MolFeaturizer, smiles: Sequence[str], cache_dir: str | Path | None
) -> sp.csr_matrix:
    """``featurizer.transform(smiles)``, reusing a stored result when one exists."""
    if cache_dir is None:
        return featurizer.transform(smiles)
    cache_dir = Path(cache_dir)
    path = cache_dir / f"{featurizer.name}-{cache_key(featurizer, smiles)}.npz"
    if path.exists():
        return sp.load_npz(path).tocsr()
    X = featurizer.transform(smiles)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
    sp.save_npz(tmp, X, compressed=False)
    os.replace(tmp, path)  # atomic: an interrupted write never leaves a broken cache entry
    return X
