"""A saved model: featurizer + estimator + targets + provenance, as a directory.

Layout of ``DIR/``::

    model.json            format, featurizer config, estimator config, targets, metrics, versions
    weights.safetensors   every array of the estimator (safetensors cannot hold code)
    oof.csv               out-of-fold predictions of the CV that built the model (for calibration)
    domain.json           applicability domain: training ranges, similarity thresholds and the
    domain.safetensors    out-of-fold error by similarity; the training fingerprints (sparse)

Loading reads JSON and safetensors only; no pickle anywhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rdkit import Chem
from safetensors.numpy import load_file, save_file
from sklearn.base import BaseEstimator

from redoxscreen.chem.standardize import Standardizer, standardize_smiles
from redoxscreen.features import MolFeaturizer, featurizer_from_config
from redoxscreen.models.card import FORMAT, FORMAT_VERSION, ModelCard, read_model_card
from redoxscreen.models.domain import (
    DOMAIN_JSON,
    DOMAIN_TENSORS,
    Domain,
    domain_rows,
    fit_domain,
)
from redoxscreen.models.inputs import estimator_input, member_predictions
from redoxscreen.models.serialize import estimator_from_state, estimator_to_state
from redoxscreen.runtime.errors import ModelFileError
from redoxscreen.runtime.jsonio import json_default


@dataclass
class RedoxModel:
    """What ``train`` produces and ``predict``/``screen`` use.

    ``oof`` (optional) holds the out-of-fold table: ``smiles``, ``fold`` and for each target
    ``<t>_true``, ``<t>_pred`` (and ``<t>_std`` when the ensemble gives one).
    """

    featurizer: MolFeaturizer
    estimator: BaseEstimator
    targets: list[str]
    info: dict = field(default_factory=dict)
    oof: pd.DataFrame | None = None
    domain: Domain | None = None

    @property
    def standardizer(self) -> Standardizer | None:
        """The standardisation the training data went through (``None``: canonical only)."""
        return Standardizer.from_dict(self.info.get("standardize"))

    def domain_of(self, smiles: list[str | None]) -> pd.DataFrame:
        """``domain``, ``domain_reason``, ``nn_similarity`` per canonical SMILES (``None``:
        invalid, left empty); all ``in`` when the model has no domain record."""
        ok = np.array([s is not None for s in smiles], dtype=bool)
        assessed = (self.domain.assess([Chem.MolFromSmiles(s) for s in smiles if s])
                    if self.domain is not None else None)
        return pd.DataFrame(domain_rows(assessed, ok))

    def predict_smiles(self, smiles: list[object], intervals: dict | None = None
                       ) -> pd.DataFrame:
        """One row per input, in order: ``<t>_pred``, ``<t>_std`` (if any), ``reason``.

        ``intervals`` maps targets to fitted interval calibrators (anything with
        ``interval(members) -> (lo, hi)``, e.g. CV+), which add ``<t>_lo`` and ``<t>_hi`` from
        the fold models' predictions. Invalid SMILES get empty predictions and the reason; they
        never raise.
        """
        canon, reasons, changes = standardize_smiles(list(smiles), self.standardizer)
        ok = np.array([c is not None for c in canon], dtype=bool)
        out = pd.DataFrame(index=range(len(canon)))
        mean = np.full((len(canon), len(self.targets)), np.nan)
        std, lo, hi = (np.full_like(mean, np.nan) for _ in range(3))
        if ok.any():
            valid = [c for c in canon if c is not None]
            X = estimator_input(self.estimator, valid,
                                lambda: self.featurizer.transform(valid))
            if intervals:
                members = member_predictions(self.estimator, X).reshape(-1, ok.sum(),
                                                                        len(self.targets))
                m = members.mean(axis=0)
                if len(members) > 1:
                    std[ok] = members.std(axis=0)
                for j, t in enumerate(self.targets):
                    if t in intervals:
                        lo[ok, j], hi[ok, j] = intervals[t].interval(members[:, :, j])
            elif hasattr(self.estimator, "predict_dist"):
                m, s = self.estimator.predict_dist(X)
                std[ok] = np.asarray(s).reshape(ok.sum(), -1)
            else:
                m = self.estimator.predict(X)
            mean[ok] = np.asarray(m).reshape(ok.sum(), -1)
        for j, t in enumerate(self.targets):
            out[f"{t}_pred"] = mean[:, j]
            if np.isfinite(std[:, j]).any():
                out[f"{t}_std"] = std[:, j]
            if intervals and t in intervals:
                out[f"{t}_lo"], out[f"{t}_hi"] = lo[:, j], hi[:, j]
        out["reason"] = reasons
        out["standardization"] = changes
        out = pd.concat([out, self.domain_of(canon)], axis=1)
        return out

    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        est_config, arrays = estimator_to_state(self.estimator)
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "targets": self.targets,
            "featurizer": self.featurizer.get_config(),
            "estimator": est_config,
            **self.info,
        }
        arrays = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
        save_file(arrays, str(directory / "weights.safetensors"))
        meta["arrays"] = {k: [list(v.shape), str(v.dtype)] for k, v in sorted(arrays.items())}
        if self.oof is not None:
            self.oof.to_csv(directory / "oof.csv", index=False)
            if self.domain is None and all(f"{t}_pred" in self.oof for t in self.targets):
                self.domain = fit_domain(self.oof, self.targets)
        if self.domain is not None:
            self.domain.save(directory)
            meta["domain"] = self.domain.to_card()
        (directory / "model.json").write_text(json.dumps(meta, indent=2, default=json_default))
        return directory


PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pt", ".pth", ".npy")


def load_model(directory: str | Path) -> RedoxModel:
    """Load a model directory written by :meth:`RedoxModel.save`.

    Reads JSON, CSV and safetensors only, so loading runs no code from the folder. A folder
    holding a pickle (which redoxscreen never writes) is refused, and so is a model whose
    arrays do not fit it: every failure is a :class:`ModelFileError` naming the file.
    """
    card = read_model_card(directory)
    for f in sorted(card.directory.iterdir()):
        if f.suffix.lower() in PICKLE_SUFFIXES or _is_pickle(f):
            raise ModelFileError(f"{f}: a pickle in the model folder; redoxscreen never writes "
                                 "or loads pickles (they can run code): remove it, or re-save "
                                 "the model from its run")
    meta = card.meta
    info = {k: v for k, v in meta.items()
            if k not in ("format", "format_version", "targets", "featurizer", "estimator",
                         "domain", "arrays")}
    try:
        arrays = load_file(str(card.weights_path))
    except Exception as exc:  # safetensors raises its own error types
        raise ModelFileError(f"{card.weights_path}: not a readable safetensors file ({exc}); "
                             "re-save the model") from exc
    expected = meta.get("arrays")  # shapes and dtypes as saved (models saved since 0.1)
    if expected is not None:
        got = {k: [list(v.shape), str(v.dtype)] for k, v in arrays.items()}
        for key in sorted(set(expected) | set(got)):
            if expected.get(key) != got.get(key):
                raise ModelFileError(
                    f"{card.weights_path}: array {key!r} is {got.get(key, 'missing')}, "
                    f"model.json expects {expected.get(key, 'none')}; the files do not "
                    "belong together: re-save the model")
    try:
        featurizer = featurizer_from_config(meta["featurizer"])
        estimator = estimator_from_state(meta["estimator"], arrays)
    except ModelFileError:
        raise
    except Exception as exc:  # a missing key, an edited setting: the files disagree
        raise ModelFileError(f"{card.directory / 'model.json'} and {card.weights_path.name} "
                             f"do not fit together ({type(exc).__name__}: {exc}); re-save the "
                             "model") from exc
    try:
        domain = load_domain(card)
    except Exception as exc:
        raise ModelFileError(f"{card.directory / DOMAIN_TENSORS}: unreadable applicability "
                             f"domain ({exc}); delete domain.* to refit it from oof.csv") from exc
    model = RedoxModel(featurizer=featurizer, estimator=estimator, targets=card.targets,
                       info=info, oof=card.oof, domain=domain)
    if getattr(estimator, "oracle", None):  # a Δ model would run its oracle (seconds)
        return model
    try:  # arrays that slipped past the shape check fail on the first molecule: now
        probe = model.predict_smiles(["c1ccccc1O"])
    except Exception as exc:
        raise ModelFileError(f"{card.weights_path}: its arrays do not fit the model "
                             f"({type(exc).__name__}: {exc}); re-save the model") from exc
    if probe[[f"{t}_pred" for t in card.targets]].isna().to_numpy().any():
        raise ModelFileError(f"{card.weights_path}: the model predicts NaN for phenol; its "
                             "weights are damaged; re-save the model")
    return model


def _is_pickle(path: Path) -> bool:
    """A pickle stream starts with the PROTO opcode 0x80 and a protocol number 2–5."""
    if not path.is_file():
        return False
    with open(path, "rb") as fh:
        head = fh.read(2)
    return len(head) == 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def load_domain(card: ModelCard) -> Domain | None:
    """The saved domain record; for a model saved before there was one, fitted from its
    out-of-fold table (``None`` without one)."""
    if (card.directory / DOMAIN_JSON).exists():
        return Domain.load(card.directory)
    if card.oof is not None and all(f"{t}_pred" in card.oof for t in card.targets):
        return fit_domain(card.oof, card.targets)
    return None
