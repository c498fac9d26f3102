"""``search``: score every configuration of a grid by CV, then train the best one with k folds."""

from __future__ import annotations

import json
from pathlib import Path

from redoxscreen.data import make_splits
from redoxscreen.data.io import file_sha256
from redoxscreen.evaluation.cv import CVResult, cross_validate
from redoxscreen.evaluation.search import Grid, best_config, config_label, load_grid, rank_results
from redoxscreen.features import cached_transform, make_featurizer
from redoxscreen.models import FCNNRegressor
from redoxscreen.pipeline.progress import Progress
from redoxscreen.pipeline.runs import RunFolder
from redoxscreen.pipeline.train import fit_cv_ensemble, load_training_table, write_cv_outputs


def run_search(data: str | Path, targets: list[str], out: str | Path, *, grid: str = "thesis",
               smiles_col: str | None = None, split: str = "random", final_folds: int = 8,
               seed: int = 0, n_jobs: int = 1, max_epochs: int | None = None,
               cache_dir: str | None = None, progress: Progress | None = None,
               ) -> tuple[RunFolder, object, CVResult]:
    """Grid search then final k-fold CV of the best configuration; returns the ranked table."""
    progress = progress or Progress(enabled=False)
    spec: Grid = load_grid(grid)
    table = load_training_table(data, targets, smiles_col)
    run = RunFolder(out, "search", {"data": str(data), "targets": targets, "grid": spec.name,
                                    "grid_configs": spec.configs, "preset": spec.preset,
                                    "search_folds": spec.folds, "final_folds": final_folds,
                                    "split": split, "seed": seed, "max_epochs": max_epochs})
    run.write_json("data.json", {"path": str(data), "file_sha256": file_sha256(data),
                                 "data_hash": table.data_hash(), "n_molecules": len(table)})
    splits = make_splits(table.smiles, split, spec.folds, seed, table.source)
    overrides = {} if max_epochs is None else {"max_epochs": max_epochs}
    rows = []
    with progress.task(f"grid '{spec.name}'", total=len(spec.configs)) as bar:
        for config in spec.configs:
            featurizer = make_featurizer(spec.featurizer_spec(config), n_jobs=n_jobs)
            X = cached_transform(featurizer, table.smiles, cache_dir)
            est = FCNNRegressor.from_preset(spec.preset, **spec.estimator_params(config),
                                            **overrides)
            res = cross_validate(est, X, table.y, splits, table.targets, seed=seed,
                                 epoch_callback=bar.note)
            row = {"config": config_label(config), "val_mae": res.mean_mae(),
                   "fit_seconds": sum(res.fit_seconds), "config_json": json.dumps(config)}
            for t, m in res.metrics.items():
                row |= {f"{t}_mae": m["mae"], f"{t}_r2": m["r2"], f"{t}_rmse": m["rmse"]}
            rows.append(row)
            bar.advance(f"{row['config']} val MAE {row['val_mae']:.3f}")
    results = rank_results(rows)
    results.to_csv(run.file("search_results.csv"), index=False)
    best = best_config(results)
    run.write_json("best_config.json", best)
    featurizer = make_featurizer(spec.featurizer_spec(best), n_jobs=n_jobs)
    est = FCNNRegressor.from_preset(spec.preset, **spec.estimator_params(best), seed=seed,
                                    **overrides)
    model, result = fit_cv_ensemble(table, featurizer, est, split=split, folds=final_folds,
                                    seed=seed, cache_dir=cache_dir, progress=progress)
    model.info["search"] = {"grid": spec.name, "best": best}
    write_cv_outputs(run, table, result, model)
    return run, results, result
