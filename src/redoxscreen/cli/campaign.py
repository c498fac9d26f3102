"""``redoxscreen campaign init|propose|import|run|status|export``: active learning."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table

from redoxscreen.cli.common import bars, cli_command, err, out, print_json
from redoxscreen.cli.help import RegistryHelpCommand

campaign_app = typer.Typer(help="Active learning: choose what to compute or measure next.",
                           no_args_is_help=True)


@cli_command
def init(
    directory: Path = typer.Argument(..., help="new campaign directory"),
    candidates: Path = typer.Option(..., help="candidate table: SMILES (+ id), or tabular "
                                    "columns with --features"),
    labels: Path | None = typer.Option(None, help="labels known already (round 0), matched "
                                       "by candidate_id, SMILES or id"),
    maximize: list[str] = typer.Option([], help="maximise this label or potential column"),
    minimize: list[str] = typer.Option([], help="minimise this column"),
    band: list[str] = typer.Option([], help="keep COL=LO:HI (e.g. e_red_v_li=1.0:2.0)"),
    weight: list[float] = typer.Option([], help="weight of each goal, in the order given"),
    surrogate: str = typer.Option("auto", help="auto (Tanimoto GP, then an ensemble) or a "
                                  "model: {models}"),
    featurizer: str = typer.Option("ecfp:r=2,bits=2048", help="fingerprint of the molecules"),
    features: str | None = typer.Option(None, help="tabular space: comma-separated feature "
                                        "columns"),
    acquisition: str | None = typer.Option(None, help="default acquisition (thompson for goals, "
                                           "pwindow for bands only): {acquisitions}"),
    diversity: str = typer.Option("maxmin", help="batch diversity: maxmin or none"),
    ie_target: str = typer.Option("ie_ev", help="label column of e_ox_* potentials"),
    ea_target: str = typer.Option("ea_ev", help="label column of e_red_* potentials"),
    potential_labels: bool = typer.Option(False, help="labels are potentials vs Li/Li+ "
                                          "(e_ox_v_li, e_red_v_li: xtb:solvent=..., measured), "
                                          "used without a conversion"),
    calibration: Path | None = typer.Option(None, help="potential conversion from "
                                            "'redoxscreen calibrate' (default: the study's)"),
    solvent: str = typer.Option("acetonitrile", help="its window limits potential objectives"),
    collector: str | None = typer.Option(None, help="current collector, e.g. Al"),
    smiles_col: str | None = typer.Option(None),
    id_col: str | None = typer.Option(None),
    seed: int = typer.Option(0),
) -> None:
    """Start a campaign: candidates, objectives, surrogate; labels already known go in round 0."""
    from redoxscreen.campaign import objectives_from_options
    from redoxscreen.electrochem import PotentialConversion
    from redoxscreen.pipeline.campaign import run_campaign_init
    from redoxscreen.runtime.errors import ConfigError

    if potential_labels and calibration:
        raise ConfigError("--potential-labels: the labels are potentials already, so a "
                          "--calibration would convert them twice; drop one")
    conv = (PotentialConversion.load(calibration) if calibration
            else PotentialConversion.study())
    objectives = objectives_from_options(maximize, minimize, band, weight or None)
    status = run_campaign_init(
        directory, candidates, objectives, labels=labels, smiles_col=smiles_col, id_col=id_col,
        feature_cols=[c.strip() for c in features.split(",")] if features else None,
        surrogate=surrogate, featurizer=featurizer, acquisition=acquisition,
        diversity=diversity, ie_target=ie_target, ea_target=ea_target,
        potential_labels=potential_labels,
        conversion=conv.to_dict(), solvent=solvent, collector=collector, seed=seed)
    if status["rejected"]:
        err.print(f"[yellow]{status['rejected']} candidate rows rejected[/yellow] (invalid or "
                  f"repeated): see {directory / 'rejected_candidates.csv'}")
    out.print(f"campaign [bold]{directory}[/bold]: {status['candidates']:,} candidates, "
              f"{status['labels']['candidates_labelled']} labelled; objectives: "
              f"{'; '.join(status['objectives'])}")


@cli_command
def propose(
    directory: Path = typer.Argument(...),
    batch: int = typer.Option(..., help="molecules to choose"),
    acquisition: str | None = typer.Option(None, help="{acquisitions}; NAME:key=value sets an "
                                           "option, e.g. ucb:beta=3"),
    jobs: int = typer.Option(os.cpu_count() or 1, help="threads"),
) -> None:
    """Choose the next batch; writes DIR/batches/round-K.csv to compute or make."""
    from redoxscreen.pipeline.campaign import run_campaign_propose

    rnd, path = run_campaign_propose(directory, batch, acquisition, progress=bars(),
                                     n_jobs=jobs)
    out.print(f"round {rnd}: {batch} candidates → [bold]{path}[/bold]; fill in the label "
              "columns and bring them back with 'redoxscreen campaign import'")


@cli_command
def import_cmd(
    directory: Path = typer.Argument(...),
    results: Path = typer.Argument(..., help="results table (a filled-in batch CSV, a lab "
                                   "export): candidate_id, SMILES or id, and label columns"),
) -> None:
    """Read labels back from a lab or a DFT queue; rows that match nothing are reported."""
    from redoxscreen.pipeline.campaign import run_campaign_import

    res = run_campaign_import(directory, results)
    out.print(f"{res.labels} labels from {res.rows} rows of [bold]{results.name}[/bold]")
    if res.already:
        err.print(f"{res.already} labels were imported from this file before (kept once)")
    if res.without_value:
        err.print(f"[yellow]{res.without_value} matched rows had no value[/yellow] (left "
                  "waiting)")
    if len(res.unmatched):
        rows = ", ".join(str(r) for r in res.unmatched["row"].head(10))
        err.print(f"[yellow]{len(res.unmatched)} rows match no candidate[/yellow] (rows "
                  f"{rows}{' ...' if len(res.unmatched) > 10 else ''}); kept in "
                  f"{directory / 'imports'}")


@cli_command
def run(
    directory: Path = typer.Argument(...),
    oracle: str = typer.Option(..., help="xtb[:solvent=acetonitrile,method=GFN2-xTB,...], "
                               "table:PATH:COLUMN[,COLUMN] or export"),
    rounds: int = typer.Option(..., help="total acquisition rounds of the campaign (resumes)"),
    batch: int = typer.Option(..., help="candidates per round"),
    initial: int | None = typer.Option(None, help="random candidates to label first when the "
                                       "campaign has no labels (round 0)"),
    acquisition: str | None = typer.Option(None, help="{acquisitions}"),
    workers: int = typer.Option(os.cpu_count() or 1, help="oracle processes and threads"),
) -> None:
    """Run the loop (propose → label) to --rounds rounds; killed, it resumes where it stopped."""
    from redoxscreen.pipeline.campaign import run_campaign

    res = run_campaign(directory, oracle, rounds, batch, initial=initial,
                       acquisition=acquisition, workers=workers, progress=bars())
    if res["waiting_round"] is not None:
        out.print(f"round {res['waiting_round']} exported to "
                  f"{directory / 'batches'}; import its results to continue")
    _print_status(res["status"])


@cli_command
def status(
    directory: Path = typer.Argument(...),
    json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """Rounds, labels, best so far and the surrogate's CV metrics."""
    from redoxscreen.pipeline.campaign import run_campaign_status

    st = run_campaign_status(directory)
    if json:
        print_json(st)
    else:
        _print_status(st)


@cli_command
def export(
    directory: Path = typer.Argument(...),
    output: Path = typer.Option(..., "--output", "-o", help="CSV of every label"),
) -> None:
    """Every label: candidate, SMILES/id, value(s), round, source."""
    from redoxscreen.pipeline.campaign import run_campaign_export

    path, n = run_campaign_export(directory, output)
    out.print(f"{n} label rows → [bold]{path}[/bold]")


def _print_status(st: dict) -> None:
    table = Table(title=f"{st['directory']}: {'; '.join(st['objectives'])}")
    for col in ("round", "acquisition", "batch", "labelled", "surrogate", "CV MAE", "refit s",
                "best so far"):
        table.add_column(col, justify="right", overflow="fold")
    for r in st["rounds"]:
        cv = r["surrogate_cv"] or {}
        mae = ", ".join(f"{m['mae']:.3f}" for m in cv.values()) if cv else ""
        table.add_row(str(r["round"]), r["acquisition"], str(r["batch"]),
                      str(r["labelled"]), r["surrogate"] or "", mae,
                      f"{r['refit_seconds']:.1f}" if r["refit_seconds"] is not None else "",
                      f"{r['best_so_far']:.3f}" if r["best_so_far"] is not None else "")
    out.print(table)
    lab = st["labels"]
    out.print(f"{st['candidates']:,} candidates; {lab['candidates_labelled']} labelled, "
              f"{lab['failed']} failed labels, {st['pending']} waiting; best so far = "
              f"{st['goal_label']}")


for _cmd, _name in ((init, "init"), (propose, "propose"), (import_cmd, "import"), (run, "run"),
                    (status, "status"), (export, "export")):
    campaign_app.command(_name, cls=RegistryHelpCommand)(_cmd)
