"""``search``: score every configuration of a grid by CV, then train the best one with k folds.

The grid's configurations are trials of one Optuna study in ``DIR/optuna.sqlite3``: running the
same command again after an interruption scores only the configurations not finished yet.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from redoxscreen.data import make_splits
from redoxscreen.evaluation.cv import CVResult, cross_validate
from redoxscreen.evaluation.search import (
    Grid,
    best_config,
    config_label,
    load_grid,
    rank_results,
    run_study,
)
from redoxscreen.features import cached_transform, make_featurizer
from redoxscreen.models.registry import make_estimator
from redoxscreen.pipeline.train import fit_cv_ensemble, load_training_table, write_cv_outputs
from redoxscreen.runtime.progress import Progress, or_silent
from redoxscreen.runtime.runs import RunFolder, config_digest, file_sha256


@dataclass
class SearchResult:
    """The ranked configurations, the best one, and the model trained with it."""

    run_dir: Path
    model_dir: Path
    results: pd.DataFrame
    best: dict
    cv: CVResult


def run_search(data: str | Path, targets: list[str], out: str | Path, *, grid: str = "thesis",
               smiles_col: str | None = None, split: str = "random", final_folds: int = 8,
               seed: int = 0, n_jobs: int = 1, max_epochs: int | None = None,
               cache_dir: str | None = None, progress: Progress | None = None,
               ) -> SearchResult:
    """Grid search then final k-fold CV of the best configuration."""
    progress = or_silent(progress)
    spec: Grid = load_grid(grid)
    table = load_training_table(data, targets, smiles_col)
    config = {"data": str(data), "targets": targets, "grid": spec.name, "model": spec.model,
              "grid_configs": spec.configs, "preset": spec.preset, "search_folds": spec.folds,
              "final_folds": final_folds, "split": split, "seed": seed,
              "max_epochs": max_epochs}
    run = RunFolder(out, "search", config)
    run.write_json("data.json", {"path": str(data), "file_sha256": file_sha256(data),
                                 "data_hash": table.data_hash(), "n_molecules": len(table)})
    splits = make_splits(table.smiles, split, spec.folds, seed, table.source)

    def estimator(cfg: dict) -> object:
        return make_estimator(spec.model, spec.estimator_params(cfg), seed=seed,
                              n_jobs=os.cpu_count() or 1, max_epochs=max_epochs,
                              preset=spec.preset)

    @cache  # configurations differing only in the network share a featurizer (the study's
    def features(featurizer_spec: str) -> object:  # 25 use 6): featurize each once
        return cached_transform(make_featurizer(featurizer_spec, n_jobs=n_jobs), table.smiles,
                                cache_dir)

    for cfg in spec.configs:  # a misspelt setting fails before the first configuration runs
        estimator(cfg)
    with progress.task(f"grid '{spec.name}'", total=len(spec.configs)) as bar:
        def score(cfg: dict) -> tuple[float, dict]:
            res = cross_validate(estimator(cfg), features(spec.featurizer_spec(cfg)), table.y,
                                 splits, table.targets, seed=seed, epoch_callback=bar.note)
            row = {"config": config_label(cfg), "val_mae": res.mean_mae(),
                   "fit_seconds": sum(res.fit_seconds), "config_json": json.dumps(cfg)}
            for t, m in res.metrics.items():
                row |= {f"{t}_mae": m["mae"], f"{t}_r2": m["r2"], f"{t}_rmse": m["rmse"]}
            bar.advance(f"{row['config']} val MAE {row['val_mae']:.3f}")
            return row["val_mae"], {"row": row}

        study = f"grid-{config_digest({'data_hash': table.data_hash(), **config})}"
        trials = run_study(score, storage=run.file("optuna.sqlite3"), seed=seed,
                           study_name=study, candidates=spec.configs)
    results = rank_results([t.user_attrs["row"] for t in trials])
    results.to_csv(run.file("search_results.csv"), index=False)
    best = best_config(results)
    run.write_json("best_config.json", best)
    featurizer = make_featurizer(spec.featurizer_spec(best), n_jobs=n_jobs)
    model, result = fit_cv_ensemble(table, featurizer, estimator(best), split=split,
                                    folds=final_folds, seed=seed, progress=progress,
                                    features=features(spec.featurizer_spec(best)))
    model.info["search"] = {"grid": spec.name, "best": best}
    model_dir = write_cv_outputs(run, table, result, model)
    return SearchResult(run.path, model_dir, results, best, result)
