"""``redoxscreen design``."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table

from redoxscreen.cli.common import bars, cli_command, default_out, out, parse_settings
from redoxscreen.design.constraints import parse_int_range
from redoxscreen.electrochem import PotentialConversion, parse_band
from redoxscreen.runtime.errors import ConfigError


def _pair(text: str, what: str) -> tuple[float, float]:
    lo, sep, hi = text.partition(":")
    try:
        return float(lo), float(hi if sep else lo)
    except ValueError as exc:
        raise ConfigError(f"{what} {text!r} must be LOW:HIGH, e.g. 0.3:0.5") from exc


@cli_command
def design(
    model: Path = typer.Option(..., "--model", help="Model directory"),
    role: str = typer.Option(..., help="cathode or anode"),
    band: str = typer.Option(..., help="target potential band LOW:HIGH in V on --scale"),
    solvent: str = typer.Option("acetonitrile", help="see 'redoxscreen solvents'"),
    collector: str | None = typer.Option(None, help="current collector, e.g. Al or Cu"),
    conversion: str | None = typer.Option(None, help="'study' or a calibration JSON (default: "
                                          "none for a model of potentials, else 'study')"),
    scale: str = typer.Option("vs_li", help="vs_li, vs_she or absolute"),
    generator: str = typer.Option("graph-ga", help="{generators}"),
    setting: list[str] = typer.Option([], "--set", help="generator setting KEY=VALUE"),
    start: Path | None = typer.Option(None, help="start molecules (default: a tenth of the "
                                      "budget from the packaged cores with up to one "
                                      "substituent)"),
    library: Path | None = typer.Option(None, help="pool of the 'library' generator "
                                        "(default: an enumerated library)"),
    n: int = typer.Option(100, help="designs to keep"),
    budget: int = typer.Option(20000, help="model evaluations"),
    population: int = typer.Option(200, help="population kept per generation"),
    offspring: int = typer.Option(400, help="children proposed per generation"),
    seed: int = typer.Option(0),
    max_sa: float = typer.Option(4.5, help="largest synthetic accessibility score (1–10)"),
    elements: str | None = typer.Option(None, help="allowed elements, e.g. C,N,O,S,F "
                                        "(default: the training set's)"),
    heavy_atoms: str | None = typer.Option(None, help="LOW:HIGH (default: training range)"),
    charge: str | None = typer.Option(None, help="LOW:HIGH net charge (default: training "
                                      "range)"),
    unwanted: Path | None = typer.Option(None, help="CSV of unwanted groups (name, smarts, "
                                         "reason); default: the packaged list"),
    similarity: str = typer.Option("0.3:0.5", help="similarity to the training set where the "
                                   "reward ramps from 0 to full"),
    coverage: float = typer.Option(0.95, help="interval coverage"),
    verify: str | None = typer.Option(None, help="oracle for the top designs: {oracles}"),
    verify_top: int = typer.Option(20, help="designs the oracle checks"),
    workers: int = typer.Option(os.cpu_count() or 1, help="oracle worker processes"),
    run_dir: Path | None = typer.Option(None, "--out", "-o"),
) -> None:
    """Generate new molecules whose potential should lie in a band (inverse design)."""
    from redoxscreen.pipeline.design import DesignOptions, run_design

    conv = (None if conversion is None else PotentialConversion.study() if conversion == "study"
            else PotentialConversion.load(conversion))
    b = parse_band(band)
    options = DesignOptions(
        role=role, band=b, solvent=solvent, collector=collector,
        conversion=conv.to_dict() if conv else None, scale=scale, coverage=coverage,
        generator=generator, generator_settings=parse_settings(setting),
        start=str(start) if start else None, library=str(library) if library else None,
        n=n, budget=budget, population=population, offspring=offspring, seed=seed,
        max_sa=max_sa, elements=[e.strip() for e in elements.split(",")] if elements else None,
        heavy_range=parse_int_range(heavy_atoms, "--heavy-atoms"),
        charge_range=parse_int_range(charge, "--charge"),
        unwanted=str(unwanted) if unwanted else None,
        similarity=_pair(similarity, "--similarity"), verify=verify, verify_top=verify_top,
        workers=workers)
    res = run_design(model, run_dir or default_out("design"), options, progress=bars())
    m = res.metrics
    table = Table(title=f"{m['designs']} designs from {m['evaluations']} model evaluations")
    for c in ("valid", "unique", "novel", "in band (pred.)", "mean P(band)", "mean Tanimoto"):
        table.add_column(c, justify="right")

    def pct(x: float | None) -> str:
        return "–" if x is None else f"{100 * x:.0f} %"

    table.add_row(pct(m["validity"]), pct(m["uniqueness"]), pct(m["novelty"]),
                  pct(m["predicted_in_band"]),
                  "–" if m["mean_p_band"] is None else f"{m['mean_p_band']:.2f}",
                  "–" if m["mean_pairwise_tanimoto"] is None
                  else f"{m['mean_pairwise_tanimoto']:.2f}")
    out.print(table)
    if res.verification:
        v = res.verification
        out.print(f"{v['oracle']}: {v['hits']} of {v['labelled']} checked designs in the band "
                  f"({v['failed']} failed), MAE {v['mae_v']:.3f} V" if v["labelled"] else
                  f"{v['oracle']}: every check failed")
    out.print(f"run folder: [bold]{res.out}[/bold] (designs.csv, designs.duckdb, plots/)")
