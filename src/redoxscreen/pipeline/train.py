"""``train``: table → clean set → features → k-fold CV → ensemble of fold models → run folder.

The model is the FCNN of the reference study by default, or any registered model
(``redoxscreen models``): LightGBM, a forest, the D-MPNN ... Finished folds are kept in
``DIR/cache/`` until the model is saved, so an interrupted run resumes at the fold in progress.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from redoxscreen.chem.standardize import Standardizer
from redoxscreen.data import MoleculeTable, TargetSpec, make_splits, prepare_table, read_table
from redoxscreen.data.io import detect_smiles_column
from redoxscreen.data.units import is_energy_unit
from redoxscreen.electrochem import SCALES
from redoxscreen.evaluation.cv import CVResult, FoldFit, FoldStore, cross_validate
from redoxscreen.evaluation.metrics import metrics_by_target
from redoxscreen.features import MolFeaturizer, cached_transform, make_featurizer
from redoxscreen.models import EnsembleRegressor, RedoxModel
from redoxscreen.models.inputs import estimator_input
from redoxscreen.models.registry import make_estimator
from redoxscreen.report import error_histogram, learning_curves, parity_plot
from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.progress import Progress, or_silent
from redoxscreen.runtime.runs import RunFolder, config_digest, file_sha256


@dataclass
class TrainOptions:
    """Everything ``train`` takes besides the data; recorded in ``config.json``."""

    model: str = "fcnn"  # any name of ``redoxscreen models``
    params: dict = field(default_factory=dict)  # the model's settings, e.g. {"depth": 4}
    preset: str = "default"  # the FCNN's defaults
    featurizer: str | None = None  # None → the preset's: 'default' or ECFP r2/2048 bits (thesis)
    folds: int = 5
    split: str = "scaffold"
    seed: int = 0
    n_jobs: int = 1
    max_epochs: int | None = None
    cache_dir: str | None = None
    dedupe_tolerance: float = 0.1
    scale: str = "vs_li"  # of potential targets (unit V)
    label_solvent: str | None = None  # the solvent the labels were computed or measured in
    # chem.standardize.Standardizer settings, applied again to every molecule the model
    # predicts; None: canonical SMILES only
    standardize: dict | None = field(default_factory=lambda: Standardizer().to_dict())

    def featurizer_spec(self) -> str:
        if self.featurizer:
            return self.featurizer
        return "ecfp:r=2,bits=2048,bits-only" if self.preset == "thesis" else "default"

    def estimator(self) -> BaseEstimator:
        """The model to cross-validate; unknown settings fail here, before any featurizing."""
        return make_estimator(self.model, self.params, seed=self.seed,
                              n_jobs=os.cpu_count() or 1, max_epochs=self.max_epochs,
                              preset=self.preset)


@dataclass
class TrainResult:
    """What ``run_train`` made: the run folder, the saved model and its cross-validation."""

    run_dir: Path
    model_dir: Path
    cv: CVResult
    model: RedoxModel


def load_training_table(path: str | Path, targets: list[str], smiles_col: str | None = None,
                        dedupe_tolerance: float = 0.1,
                        standardizer: Standardizer | None = None) -> MoleculeTable:
    """Read and clean a property table (see :func:`redoxscreen.data.prepare_table`)."""
    df = read_table(path)
    col = smiles_col or detect_smiles_column(df, source=str(path))
    specs = [TargetSpec.parse(t) for t in targets]
    return prepare_table(df, col, specs, source=str(path), dedupe_tolerance=dedupe_tolerance,
                         standardizer=standardizer)


def fit_cv_ensemble(table: MoleculeTable, featurizer: MolFeaturizer, estimator: BaseEstimator,
                    *, split: str = "scaffold", folds: int = 5, seed: int = 0,
                    cache_dir: str | None = None, fold_store: FoldStore | None = None,
                    features: object = None, progress: Progress | None = None
                    ) -> tuple[RedoxModel, CVResult]:
    """k-fold CV; the k fold models become one ensemble (mean prediction, spread as std).
    ``features``: ``featurizer``'s matrix for ``table`` when the caller has it already."""
    progress = or_silent(progress)
    splits = make_splits(table.smiles, split, folds, seed, table.source)

    def featurize() -> object:
        if features is not None:
            return features
        with progress.task("featurizing", total=None):
            return cached_transform(featurizer, table.smiles, cache_dir)

    X = estimator_input(estimator, table.smiles, featurize)  # graph nets read the molecules
    with progress.task("cross-validation", total=folds) as bar:
        def on_fold(k: int, fit: FoldFit) -> None:
            metrics = metrics_by_target(table.y[fit.test], fit.pred, table.targets)
            mae = " ".join(f"{t} {m['mae']:.3f}" for t, m in metrics.items())
            bar.advance(f"fold {k + 1}/{folds}: MAE {mae}")

        result = cross_validate(estimator, X, table.y, splits, table.targets, seed=seed,
                                fold_store=fold_store, on_fold=on_fold,
                                epoch_callback=bar.note)
    oof = pd.DataFrame({"smiles": table.smiles, "fold": result.fold})
    for j, t in enumerate(table.targets):
        oof[f"{t}_true"] = table.y[:, j]
        oof[f"{t}_pred"] = result.oof[:, j]
    model = RedoxModel(
        featurizer=featurizer,
        estimator=EnsembleRegressor.from_fitted(result.models),
        targets=list(table.targets),
        info={
            "units": {t: "eV" for t in table.targets},
            "training": {"data_hash": table.data_hash(), "n_molecules": len(table),
                         "split": split, "folds": folds, "seed": seed},
            "cv_metrics": result.metrics,
        },
        oof=oof,
    )
    return model, result


def write_cv_outputs(run: RunFolder, table: MoleculeTable, result: CVResult,
                     model: RedoxModel) -> Path:
    """metrics.json, out-of-fold predictions, invalid-rows report, plots, saved model."""
    run.write_json("metrics.json", {"overall": result.metrics, "per_fold": result.fold_metrics,
                                    "fit_seconds": result.fit_seconds})
    model.oof.to_csv(run.file("oof_predictions.csv"), index=False)
    table.report.to_csv(run.file("invalid_rows.csv"), index=False)
    for j, t in enumerate(table.targets):
        parity_plot(table.y[:, j], result.oof[:, j], t, run.file(f"plots/parity_{t}.png"))
        error_histogram(table.y[:, j], result.oof[:, j], t, run.file(f"plots/errors_{t}.png"))
    histories = [m.history_ for m in result.models if hasattr(m, "history_")]
    if histories:
        learning_curves(histories, run.file("plots/learning_curves.png"))
    return model.save(run.path / "model")


def label_record(targets: list[str], options: TrainOptions) -> dict:
    """Units of the targets as the model card states them (``V`` for potentials, which then
    name their ``potential_scale``) and the solvent of the labels."""
    specs = [TargetSpec.parse(t) for t in targets]
    units = {s.name: "V" if s.unit.lower() == "v" else "eV" if is_energy_unit(s.unit)
             else s.unit for s in specs}
    out: dict = {"units": units, "label_solvent": options.label_solvent}
    if "V" in units.values():
        if options.scale not in SCALES:
            raise ConfigError(f"unknown potential scale {options.scale!r}; use "
                              f"{', '.join(SCALES)}")
        out["potential_scale"] = options.scale
    return out


def run_train(data: str | Path, targets: list[str], out: str | Path, *,
              smiles_col: str | None = None, options: TrainOptions | None = None,
              progress: Progress | None = None) -> TrainResult:
    """The ``redoxscreen train`` command as a function."""
    options = options or TrainOptions()
    estimator = options.estimator()
    label_record(targets, options)  # an unknown scale fails before any work
    standardizer = Standardizer.from_dict(options.standardize)
    table = load_training_table(data, targets, smiles_col, options.dedupe_tolerance,
                                standardizer)
    featurizer = make_featurizer(options.featurizer_spec(), n_jobs=options.n_jobs)
    config = {"data": str(data), "targets": targets, "smiles_col": smiles_col,
              "options": asdict(options), "featurizer": featurizer.get_config(),
              "estimator": estimator.get_params()}
    run = RunFolder(out, "train", config)
    sha = file_sha256(data)
    run.write_json("data.json", {"path": str(data), "file_sha256": sha,
                                 "data_hash": table.data_hash(), "n_molecules": len(table),
                                 "n_reported_rows": len(table.report),
                                 "targets": table.targets,
                                 "labels_per_target": {t: int(np.isfinite(table.y[:, j]).sum())
                                                       for j, t in enumerate(table.targets)}})
    # finished folds are kept until the model is saved; the key is everything that shapes them
    shaping = {k: v for k, v in config.items() if k not in ("data", "smiles_col")}
    digest = config_digest({"data_hash": table.data_hash(), **shaping})
    store = FoldStore(run.path / "cache" / f"folds-{digest}")
    model, result = fit_cv_ensemble(table, featurizer, estimator, split=options.split,
                                    folds=options.folds, seed=options.seed,
                                    cache_dir=options.cache_dir, fold_store=store,
                                    progress=progress)
    model.info["training"]["file_sha256"] = sha
    model.info.update(label_record(targets, options))
    model.info["standardize"] = options.standardize
    model_dir = write_cv_outputs(run, table, result, model)
    store.clear()
    if not any(store.directory.parent.iterdir()):
        store.directory.parent.rmdir()
    return TrainResult(run.path, model_dir, result, model)
