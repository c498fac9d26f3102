"""``finetune``: a model for a small labelled set from a model trained on big data.

Base model (``DIR/model`` of ``train``) + small table → k-fold CV on the small set of each
strategy (``linear``, ``stack``, ``finetune``, ``delta``; ``auto``: every one that applies) →
the strategy of lowest out-of-fold MAE → its k fold heads as the new model, saved with its own
out-of-fold table, so its intervals (``predict``, ``screen``) are CV+ on the small set.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from redoxscreen.data import make_splits
from redoxscreen.evaluation.metrics import metrics_by_target
from redoxscreen.features import cached_transform
from redoxscreen.models import RedoxModel, load_model
from redoxscreen.models.inputs import estimator_input
from redoxscreen.models.transfer import TransferRegressor
from redoxscreen.models.transfer_finetune import encoder
from redoxscreen.models.transfer_heads import HEADS, Head, take
from redoxscreen.oracle.base import build_oracle, oracle_values
from redoxscreen.pipeline.train import TrainOptions, label_record, load_training_table
from redoxscreen.report import parity_plot
from redoxscreen.runtime.errors import ConfigError, DataError
from redoxscreen.runtime.progress import Progress, or_silent
from redoxscreen.runtime.runs import RunFolder, file_sha256


@dataclass
class FinetuneOptions:
    """Everything ``finetune`` takes besides the data; recorded in ``config.json``."""

    strategy: str = "auto"  # or a name of HEADS
    settings: dict = field(default_factory=dict)  # the strategy's, e.g. {"kernel": "ridge"}
    oracle: str | None = None  # e.g. "xtb:solvent=acetonitrile" (the delta strategy)
    oracle_targets: tuple[str, ...] = ()  # default: the oracle's potentials, else its energies
    folds: int = 5
    split: str = "random"
    seed: int = 0
    n_jobs: int = 1
    scale: str = "vs_li"
    label_solvent: str | None = None
    dedupe_tolerance: float = 0.1


@dataclass
class StrategyCV:
    """One strategy's k-fold CV on the small set."""

    name: str
    heads: list[list[Head]]
    oof: np.ndarray
    metrics: dict[str, dict]

    @property
    def mae(self) -> float:
        return float(np.mean([m["mae"] for m in self.metrics.values()]))


@dataclass
class FinetuneResult:
    run_dir: Path
    model_dir: Path
    chosen: str
    cv: dict[str, StrategyCV]


def candidate_strategies(options: FinetuneOptions, base: object) -> list[str]:
    """The strategies ``auto`` tries: ``finetune`` needs a net (FCNN or D-MPNN) as the base,
    ``delta`` an oracle."""
    if options.strategy != "auto":
        if options.strategy not in HEADS:
            raise ConfigError(f"unknown strategy {options.strategy!r}; use auto or "
                              f"{', '.join(HEADS.names())}")
        if options.strategy == "delta" and not options.oracle:
            raise ConfigError("the delta strategy needs --oracle (e.g. "
                              "'xtb:solvent=acetonitrile')")
        return [options.strategy]
    members = getattr(base, "estimators_", None) or [base]
    out = ["linear", "stack"]
    if encoder(members[0]) is not None:
        out.append("finetune")
    if options.oracle:
        out.append("delta")
    return out


def cv_strategy(name: str, settings: dict, F: dict, Y: np.ndarray, folds: list,
                targets: list[str], seed: int = 0) -> StrategyCV:
    """Fit the heads of strategy ``name`` per fold and target; their out-of-fold predictions."""
    part = HEADS[name]
    oof = np.full(Y.shape, np.nan)
    heads = []
    for k, (train, test) in enumerate(folds):
        # a head that draws on one base member (finetune) takes fold k's; a seeded one the seed
        run = {key: v for key, v in {"member": k, "seed": seed}.items() if key in part.settings}
        row = []
        for j in range(Y.shape[1]):
            tr = train[np.isfinite(Y[train, j])]
            head = part.factory(**{**run, **settings}).fit(take(F, tr), Y[tr, j])
            oof[test, j] = head.predict(take(F, test))
            row.append(head)
        heads.append(row)
    return StrategyCV(name, heads, oof, metrics_by_target(Y, oof, targets))


def default_oracle_targets(oracle: object) -> tuple[str, ...]:
    """The oracle's outputs a Δ head may read: its potentials when it computes them (solvated
    xTB), else its energies."""
    have = tuple(getattr(oracle, "targets", ("ie_ev", "ea_ev")))
    pots = tuple(t for t in have if t.startswith("e_"))
    return pots or have


def run_finetune(base_dir: str | Path, data: str | Path, targets: list[str], out: str | Path,
                 *, smiles_col: str | None = None, options: FinetuneOptions | None = None,
                 progress: Progress | None = None) -> FinetuneResult:
    """The ``redoxscreen finetune`` command as a function."""
    options = options or FinetuneOptions()
    progress = or_silent(progress)
    base = load_model(base_dir)
    names = candidate_strategies(options, base.estimator)
    if options.strategy != "auto":
        HEADS.check_settings(options.strategy, options.settings)
    elif options.settings:
        raise ConfigError("strategy settings (--set) need a named --strategy, not auto")
    record = label_record(targets, TrainOptions(scale=options.scale,
                                                label_solvent=options.label_solvent))
    table = load_training_table(data, targets, smiles_col, options.dedupe_tolerance)
    if len(table) < 2 * options.folds:
        raise DataError(f"{data}: {len(table)} usable molecules; {options.folds}-fold CV needs "
                        f"at least {2 * options.folds} (lower --folds)")
    run = RunFolder(out, "finetune", {"base": str(base_dir), "data": str(data),
                                      "targets": targets, "options": asdict(options)})
    run.write_json("data.json", {"path": str(data), "file_sha256": file_sha256(data),
                                 "data_hash": table.data_hash(), "n_molecules": len(table)})
    table.report.to_csv(run.file("invalid_rows.csv"), index=False)
    oracle = build_oracle(options.oracle) if options.oracle else None
    oracle_targets = tuple(options.oracle_targets) or (
        default_oracle_targets(oracle) if oracle else ())
    est = TransferRegressor(base.estimator, names[0], options.oracle, oracle_targets,
                            options.n_jobs)
    with progress.task("base model features", total=None):
        X = estimator_input(est, table.smiles,
                            lambda: cached_transform(base.featurizer, table.smiles, None))
        values = None
        if oracle is not None:
            values = oracle_values(oracle, table.smiles,
                                   list(oracle_targets), n_workers=options.n_jobs,
                                   results_csv=run.file("oracle_labels.csv"))
        F = est.features(X, oracle_values=values)
    folds = make_splits(table.smiles, options.split, options.folds, options.seed, str(data))
    results: dict[str, StrategyCV] = {}
    with progress.task("strategies", total=len(names)) as bar:
        for n in names:
            settings = options.settings if options.strategy != "auto" else {}
            results[n] = cv_strategy(n, settings, F, table.y, folds, table.targets,
                                     options.seed)
            bar.advance(f"{n}: MAE {results[n].mae:.3f}")
    chosen = min(results.values(), key=lambda r: r.mae)
    est = TransferRegressor.from_heads(base.estimator, chosen.name, chosen.heads,
                                       oracle=options.oracle, oracle_targets=oracle_targets,
                                       n_jobs=options.n_jobs)
    fold = np.full(len(table), -1)
    for k, (_, test) in enumerate(folds):
        fold[test] = k
    oof = pd.DataFrame({"smiles": table.smiles, "fold": fold})
    for j, t in enumerate(table.targets):
        oof[f"{t}_true"] = table.y[:, j]
        oof[f"{t}_pred"] = chosen.oof[:, j]
        parity_plot(table.y[:, j], chosen.oof[:, j], t, run.file(f"plots/parity_{t}.png"))
    summary = {n: {"mae": r.mae, "metrics": r.metrics} for n, r in results.items()}
    info = {**record,
            "training": {"data_hash": table.data_hash(), "n_molecules": len(table),
                         "split": options.split, "folds": options.folds, "seed": options.seed,
                         "file_sha256": file_sha256(data)},
            "cv_metrics": chosen.metrics,
            "transfer": {"base_model": str(base_dir), "base_targets": base.targets,
                         "base_training": base.info.get("training"), "strategy": chosen.name,
                         "strategies": summary, "oracle": options.oracle,
                         "oracle_targets": list(oracle_targets)}}
    model = RedoxModel(base.featurizer, est, list(table.targets), info, oof)
    run.write_json("metrics.json", {"chosen": chosen.name, "strategies": summary})
    oof.to_csv(run.file("oof_predictions.csv"), index=False)
    model_dir = model.save(run.path / "model")
    return FinetuneResult(run.path, model_dir, chosen.name, results)
