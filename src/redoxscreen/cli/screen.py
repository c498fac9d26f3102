"""``redoxscreen screen``, ``solvents`` and ``calibrate``."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table

from redoxscreen.cli.common import bars, cli_command, default_out, out, print_json
from redoxscreen.electrochem import PotentialConversion, parse_band, window_table
from redoxscreen.runtime.errors import ConfigError
from redoxscreen.screen import ScreenSettings


def _bands(items: list[str]) -> dict:
    bands = {}
    for item in items:
        role, sep, band = item.partition("=")
        if not sep:
            raise ConfigError(f"--band {item!r}: write ROLE=LOW:HIGH, e.g. cathode=3.0:3.29")
        bands[role.strip()] = parse_band(band)
    return bands


@cli_command
def screen(
    model: Path = typer.Argument(..., help="Model directory"),
    library: Path = typer.Argument(..., help="Library: CSV/TSV/SMI/Parquet, optionally .gz, "
                                   "or an index built by 'redoxscreen index'"),
    role: list[str] = typer.Option(["cathode", "anode"], "--role", help="cathode and/or anode"),
    solvent: str = typer.Option("acetonitrile", help="see 'redoxscreen solvents'"),
    collector: str | None = typer.Option(None, help="current collector, e.g. Al or Cu"),
    band: list[str] = typer.Option([], "--band", help="ROLE=LOW:HIGH target band in V"),
    uncertainty: str = typer.Option("conformal", help="interval: {uncertainty}"),
    coverage: float = typer.Option(0.95, help="interval coverage"),
    scale: str = typer.Option("vs_li", help="vs_li, vs_she or absolute"),
    conversion: str | None = typer.Option(None, help="'study' or a calibration JSON file "
                                          "(default: none for a model of potentials, else "
                                          "'study')"),
    ie_target: str | None = typer.Option(None, help="model output holding IE"),
    ea_target: str | None = typer.Option(None, help="model output holding EA"),
    chunk_size: int = typer.Option(10000, help="molecules per chunk (memory ∝ chunk)"),
    workers: int = typer.Option(os.cpu_count() or 1, help="worker processes"),
    scheduler: str | None = typer.Option(None, help="local[:N] (Dask LocalCluster) or "
                                         "tcp://HOST:PORT (a Dask scheduler)"),
    precision: str = typer.Option("fp32", help="fp32; mixed: float16/bfloat16 nets with "
                                  "float32 sums (faster on CPUs with AVX-512 BF16 or AMX); "
                                  "int8: int8 dense layers (faster on any x86 CPU; CPU only). "
                                  "Their error: bench/results/precision.json"),
    top: int = typer.Option(100, help="rows in the top-N files"),
    smiles_col: str | None = typer.Option(None),
    allow_out_of_domain: bool = typer.Option(False, help="let molecules outside the model's "
                                             "applicability domain pass and be ranked"),
    run_dir: Path | None = typer.Option(None, "--out", "-o"),
) -> None:
    """Predict potentials for a library, apply the window rules, rank candidates (resumable)."""
    from redoxscreen.pipeline.screen import run_screen_command
    conv = (None if conversion is None else PotentialConversion.study() if conversion == "study"
            else PotentialConversion.load(conversion))
    settings = ScreenSettings(roles=list(role), solvent=solvent, collector=collector,
                              bands=_bands(band), uncertainty=uncertainty, coverage=coverage,
                              scale=scale, conversion=conv.to_dict() if conv else None,
                              ie_target=ie_target,
                              ea_target=ea_target, chunk_size=chunk_size, n_workers=workers,
                              top_n=top, allow_out_of_domain=allow_out_of_domain,
                              scheduler=scheduler, precision=precision)
    summary = run_screen_command(model, library, run_dir or default_out("screen"), settings,
                                 smiles_col=smiles_col, progress=bars())
    table = Table(title=f"{summary.molecules} molecules ({summary.invalid} invalid)")
    for c in ("role", "window (V)", "in window", "in band", "pass"):
        table.add_column(c, justify="right")
    for r, res in summary.roles.items():
        w = res.window
        table.add_row(r, f"{w.low_v:.2f}–{w.high_v:.2f} {w.scale}", str(res.in_window),
                      str(res.in_band), str(res.n_pass))
    out.print(table)
    d = summary.domain
    if d:
        out.print(f"applicability domain of the valid molecules: {d.get('in', 0)} in, "
                  f"{d.get('edge', 0)} at the edge, {d.get('out', 0)} out"
                  + ("" if allow_out_of_domain else " (out-of-domain molecules never pass)"))
    out.print(f"run folder: [bold]{summary.out}[/bold] (results.duckdb, results.parquet, "
              "top_*.csv)")


@cli_command
def solvents(
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
) -> None:
    """List the electrolyte solvents and current collectors with their limits and sources."""
    rows = window_table()
    if as_json:
        print_json([{k: (None if v != v else v) for k, v in r.items()}  # NaN → null
                    for r in rows.to_dict(orient="records")])
        return
    table = Table(title="stability limits (V on the stated scale)")
    for c, right in (("name", False), ("kind", False), ("red. V", True), ("ox. V", True),
                     ("scale", False), ("ref", True)):
        table.add_column(c, justify="right" if right else "left", no_wrap=c != "name")
    for i, r in rows.iterrows():
        aliases = "" if r.isna()["aliases"] else f" ({r['aliases'].replace(';', ', ')})"
        table.add_row(r["name"] + aliases, r["kind"],
                      "" if r.isna()["reduction_limit_v"] else f"{r['reduction_limit_v']:.2f}",
                      "" if r.isna()["oxidation_limit_v"] else f"{r['oxidation_limit_v']:.2f}",
                      r["scale"], f"[{i + 1}]")
    out.print(table)
    for i, r in rows.iterrows():
        out.print(f"[{i + 1}] {r['source']}. {r['note']}", highlight=False, markup=False)


@cli_command
def calibrate(
    data: Path = typer.Argument(..., help="Table with SMILES and measured potentials"),
    potential_col: str = typer.Option(..., help="column of measured potentials (V)"),
    role: str = typer.Option(..., help="oxidation or reduction"),
    scale: str = typer.Option("vs_li", help="scale of the measured potentials"),
    model: Path | None = typer.Option(None, help="model whose predictions are calibrated"),
    energy_col: str | None = typer.Option(None, help="or: column of computed IE/EA (eV)"),
    target: str | None = typer.Option(None, help="model output to use (IE or EA)"),
    base: Path | None = typer.Option(None, help="existing calibration JSON to update"),
    smiles_col: str | None = typer.Option(None),
    output: Path = typer.Option(Path("calibration.json"), "--output", "-o"),
) -> None:
    """Fit E = a·X + b from predicted (or computed) IE/EA to measured potentials."""
    from redoxscreen.pipeline.calibrate import run_calibrate
    conv = run_calibrate(data, potential_col, role, scale, output, model_dir=model,
                         energy_col=energy_col, target=target, base=base, smiles_col=smiles_col)
    m = conv.oxidation if role == "oxidation" else conv.reduction
    out.print(f"{role}: E ({scale}) = {m.slope:.3f}·X + {m.intercept_v:.3f} V "
              f"(n = {m.n}, MAE {m.mae_v:.3f} V) → [bold]{output}[/bold]")
