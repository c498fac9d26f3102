"""``predict`` and ``evaluate``: apply a saved model to a table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from redoxscreen.data import TargetSpec, prepare_table, read_table
from redoxscreen.data.io import detect_smiles_column
from redoxscreen.evaluation.calibration import calibrators_from_oof
from redoxscreen.evaluation.metrics import metrics_by_target
from redoxscreen.models import RedoxModel, load_model
from redoxscreen.models.inputs import n_members
from redoxscreen.report import error_histogram, parity_plot
from redoxscreen.runtime.errors import ConfigError, DataError
from redoxscreen.runtime.runs import RunFolder, file_sha256


@dataclass
class PredictResult:
    """The predictions table (input columns + ``<t>_pred``, ``<t>_std``, ``reason``)."""

    output: Path
    table: pd.DataFrame

    @property
    def n_invalid(self) -> int:
        return int((self.table["reason"] != "").sum())


@dataclass
class EvaluateResult:
    """Metrics per target of a saved model on labelled data."""

    run_dir: Path
    metrics: dict[str, dict]


def interval_calibrators(model: RedoxModel, coverage: float | None = 0.95,
                         mode: str = "conformal") -> dict:
    """CV+ calibrators per target from the model's own out-of-fold table (``{}`` when it has
    none, or ``coverage`` is ``None``): the intervals of ``predict``."""
    oof = model.oof
    if coverage is None or oof is None or "fold" not in oof:
        return {}
    k = int(oof["fold"].max()) + 1
    if mode == "conformal" and (not hasattr(model.estimator, "predict_members")
                                or n_members(model.estimator) != k):
        return {}  # CV+ needs the k fold models that made the out-of-fold table
    return calibrators_from_oof(oof, [t for t in model.targets if f"{t}_true" in oof], mode,
                                coverage)


def predict_table(model: RedoxModel, df: pd.DataFrame, smiles_col: str,
                  coverage: float | None = None) -> pd.DataFrame:
    """Input columns + ``<t>_pred`` (+ ``<t>_std``; + ``<t>_lo``, ``<t>_hi``: the CV+ interval
    of ``coverage``) + ``reason``, one row per input row."""
    pred = model.predict_smiles(df[smiles_col].tolist(),
                                intervals=interval_calibrators(model, coverage))
    clash = [c for c in pred.columns if c in df.columns]
    if clash:
        raise DataError(f"the input already has column(s) {', '.join(clash)}; rename them first")
    return pd.concat([df.reset_index(drop=True), pred], axis=1)


def write_table(df: pd.DataFrame, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".parquet", ".pq"):
        df.to_parquet(path, index=False)
    elif path.suffix.lower() in (".tsv", ".tab"):
        df.to_csv(path, sep="\t", index=False)
    else:
        df.to_csv(path, index=False)
    return path


def run_predict(model_dir: str | Path, data: str | Path, output: str | Path, *,
                smiles_col: str | None = None, out: str | Path | None = None,
                coverage: float | None = 0.95) -> PredictResult:
    model = load_model(model_dir)
    df = read_table(data)
    col = smiles_col or detect_smiles_column(df, source=str(data))
    result = predict_table(model, df, col, coverage)
    output = write_table(result, output)
    if out is not None:
        run = RunFolder(out, "predict", {"model": str(model_dir), "data": str(data),
                                         "output": str(output), "smiles_col": col,
                                         "coverage": coverage})
        run.write_json("data.json", {"path": str(data), "file_sha256": file_sha256(data),
                                     "n_rows": len(df),
                                     "n_invalid": int((result["reason"] != "").sum())})
    return PredictResult(output, result)


def run_evaluate(model_dir: str | Path, data: str | Path, out: str | Path, *,
                 targets: list[str] | None = None, smiles_col: str | None = None
                 ) -> EvaluateResult:
    """Metrics of a saved model on a labelled table; ``targets`` map model targets to columns
    (``ea=-vea``); by default each model target is read from the column of the same name."""
    model = load_model(model_dir)
    df = read_table(data)
    col = smiles_col or detect_smiles_column(df, source=str(data))
    specs = [TargetSpec.parse(t) for t in targets] if targets else [
        TargetSpec(t, t) for t in model.targets]
    unknown = [s.name for s in specs if s.name not in model.targets]
    if unknown:
        raise ConfigError(f"the model predicts {', '.join(model.targets)}, not "
                          f"{', '.join(unknown)}; map columns with --target NAME=COLUMN")
    table = prepare_table(df, col, specs, source=str(data), standardizer=model.standardizer)
    run = RunFolder(out, "evaluate", {"model": str(model_dir), "data": str(data),
                                      "targets": [s.to_text() for s in specs]})
    run.write_json("data.json", {"path": str(data), "file_sha256": file_sha256(data),
                                 "data_hash": table.data_hash(), "n_molecules": len(table)})
    pred = model.predict_smiles(table.smiles)
    P = np.column_stack([pred[f"{s.name}_pred"].to_numpy() for s in specs])
    metrics = metrics_by_target(table.y, P, table.targets)
    run.write_json("metrics.json", {"overall": metrics})
    out_df = pd.DataFrame({"smiles": table.smiles})
    for j, t in enumerate(table.targets):
        out_df[f"{t}_true"] = table.y[:, j]
        out_df[f"{t}_pred"] = P[:, j]
        if f"{t}_std" in pred:
            out_df[f"{t}_std"] = pred[f"{t}_std"].to_numpy()
        parity_plot(table.y[:, j], P[:, j], t, run.file(f"plots/parity_{t}.png"))
        error_histogram(table.y[:, j], P[:, j], t, run.file(f"plots/errors_{t}.png"))
    out_df.to_csv(run.file("predictions.csv"), index=False)
    table.report.to_csv(run.file("invalid_rows.csv"), index=False)
    return EvaluateResult(run.path, metrics)
