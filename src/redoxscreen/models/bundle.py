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
from redoxscreen.models.domain import DOMAIN_JSON, Domain, fit_domain
from redoxscreen.models.inputs import estimator_input, member_predictions
from redoxscreen.models.serialize import estimator_from_state, estimator_to_state
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
        out = pd.DataFrame({"domain": [""] * len(smiles), "domain_reason": "",
                            "nn_similarity": np.nan})
        ok = [i for i, s in enumerate(smiles) if s is not None]
        if self.domain is None:
            out.loc[ok, "domain"] = "in"
            out.loc[ok, "domain_reason"] = "no domain record saved with the model"
            return out
        if ok:
            got = self.domain.assess([Chem.MolFromSmiles(smiles[i]) for i in ok])
            out.loc[ok, ["domain", "domain_reason", "nn_similarity"]] = got.to_numpy()
        return out

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
        out["nn_similarity"] = out["nn_similarity"].astype(float)
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
        save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()},
                  str(directory / "weights.safetensors"))
        if self.oof is not None:
            self.oof.to_csv(directory / "oof.csv", index=False)
            if self.domain is None and all(f"{t}_pred" in self.oof for t in self.targets):
                self.domain = fit_domain(self.oof, self.targets)
        if self.domain is not None:
            self.domain.save(directory)
            meta["domain"] = self.domain.to_card()
        (directory / "model.json").write_text(json.dumps(meta, indent=2, default=json_default))
        return directory


def load_model(directory: str | Path) -> RedoxModel:
    """Load a model directory written by :meth:`RedoxModel.save`."""
    card = read_model_card(directory)
    meta = card.meta
    info = {k: v for k, v in meta.items()
            if k not in ("format", "format_version", "targets", "featurizer", "estimator",
                     "domain")}
    return RedoxModel(
        featurizer=featurizer_from_config(meta["featurizer"]),
        estimator=estimator_from_state(meta["estimator"], load_file(str(card.weights_path))),
        targets=card.targets,
        info=info,
        oof=card.oof,
        domain=load_domain(card),
    )


def load_domain(card: ModelCard) -> Domain | None:
    """The saved domain record; for a model saved before there was one, fitted from its
    out-of-fold table (``None`` without one)."""
    if (card.directory / DOMAIN_JSON).exists():
        return Domain.load(card.directory)
    if card.oof is not None and all(f"{t}_pred" in card.oof for t in card.targets):
        return fit_domain(card.oof, card.targets)
    return None
