"""``redoxscreen train``: k-fold CV of one model (the FCNN by default), saved as an ensemble of
the fold models."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from redoxscreen.cli.common import bars, cli_command, default_out, out, parse_settings


def metrics_table(metrics: dict, title: str) -> Table:
    table = Table(title=title)
    for col in ("target", "n", "R²", "MAE", "RMSE", "error σ"):
        table.add_column(col, justify="right")
    for t, m in metrics.items():
        table.add_row(t, str(m["n"]), f"{m['r2']:.3f}", f"{m['mae']:.3f}", f"{m['rmse']:.3f}",
                      f"{m['error_std']:.3f}")
    return table


@cli_command
def train(
    data: Path = typer.Argument(..., help="Table of molecules: CSV/TSV/XLSX/Parquet/.smi"),
    target: list[str] = typer.Option(..., "--target", "-t",
                                     help="NAME=[-]COLUMN[:UNIT], repeatable; e.g. vie, ea=-vea, "
                                     "e_red=E_red:V (a potential on --scale)"),
    run_dir: Path | None = typer.Option(None, "--out", "-o",
                                        help="Run folder (default runs/...)"),
    smiles_col: str | None = typer.Option(None, help="SMILES column (auto-detected if omitted)"),
    model: str = typer.Option("fcnn", help="{models} ('redoxscreen models' lists their "
                              "settings)"),
    set_param: list[str] = typer.Option([], "--set", help="SETTING=VALUE, repeatable: the "
                                        "model's settings, e.g. n_estimators=500 or depth=4"),
    preset: str = typer.Option("default", help="FCNN settings: default or thesis"),
    featurizer: str | None = typer.Option(None, help="e.g. 'ecfp:r=2,bits=2048' or 'default'; "
                                          "parts: {featurizers}"),
    folds: int = typer.Option(5, help="k of the k-fold CV"),
    split: str = typer.Option("scaffold", help="scaffold or random"),
    seed: int = typer.Option(0),
    n_jobs: int = typer.Option(1, help="Featurizer worker processes"),
    max_epochs: int | None = typer.Option(None, help="Override the preset's epoch limit"),
    cache_dir: Path | None = typer.Option(None, help="Feature cache directory"),
    dedupe_tolerance: float = typer.Option(0.1, help="Warn when duplicates disagree by more (eV)"),
    scale: str = typer.Option("vs_li", help="scale of potential targets (:V): vs_li, vs_she "
                              "or absolute; screen then uses them without a conversion"),
    label_solvent: str | None = typer.Option(None, help="solvent of the labels (recorded on "
                                             "the model card)"),
    standardize: bool = typer.Option(True, help="normalise, reionise and keep the largest "
                                     "organic fragment (recorded; applied again when the "
                                     "model predicts)"),
    uncharge: bool = typer.Option(False, help="standardisation also neutralises"),
    strip_isotopes: bool = typer.Option(False, help="standardisation also strips isotopes"),
) -> None:
    """Cross-validate a model (the FCNN by default) and save the k fold models as one ensemble."""
    from redoxscreen.chem.standardize import Standardizer
    from redoxscreen.pipeline.train import TrainOptions, run_train
    params = parse_settings(set_param, "SETTING=VALUE")
    options = TrainOptions(model=model, params=params, preset=preset, featurizer=featurizer,
                           folds=folds, split=split,
                           seed=seed, n_jobs=n_jobs, max_epochs=max_epochs,
                           cache_dir=str(cache_dir) if cache_dir else None,
                           dedupe_tolerance=dedupe_tolerance, scale=scale,
                           label_solvent=label_solvent,
                           standardize=Standardizer(uncharge=uncharge,
                                                    strip_isotopes=strip_isotopes).to_dict()
                           if standardize else None)
    result = run_train(data, target, run_dir or default_out("train"), smiles_col=smiles_col,
                       options=options, progress=bars())
    out.print(metrics_table(result.cv.metrics, f"{folds}-fold {split} CV (out-of-fold)"))
    out.print(f"run folder: [bold]{result.run_dir}[/bold]; model: {result.model_dir}")
