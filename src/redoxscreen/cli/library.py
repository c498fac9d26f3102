"""``redoxscreen enumerate`` and ``redoxscreen label``."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from redoxscreen.cli.common import bars, cli_command, out


@cli_command
def enumerate_cmd(
    output: Path = typer.Option(..., "--output", "-o", help=".smi, .csv or .parquet"),
    n: int | None = typer.Option(None, help="sample this many unique molecules (seeded)"),
    max_substituents: int = typer.Option(2, help="substituents per molecule, at most"),
    seed: int = typer.Option(0),
    max_heavy_atoms: int = typer.Option(60),
    cores: Path | None = typer.Option(None, help="cores CSV (default: the packaged one)"),
    groups: Path | None = typer.Option(None, help="groups CSV (default: the packaged one)"),
    family: list[str] = typer.Option([], "--family", help="only these core families"),
) -> None:
    """Build a virtual library: redox-active cores × substituents, deduplicated."""
    from redoxscreen.pipeline.library import run_enumerate
    df = run_enumerate(output, n=n, max_substituents=max_substituents, seed=seed,
                       max_heavy_atoms=max_heavy_atoms, cores=cores, groups=groups,
                       families=family or None)
    out.print(f"{len(df)} unique molecules from {df['core'].nunique()} cores → "
              f"[bold]{output}[/bold]")


@cli_command
def label(
    data: Path = typer.Argument(..., help="Molecules to label (any table format)"),
    output: Path = typer.Option(..., "--output", "-o", help="results CSV (appended, resumable)"),
    oracle: str = typer.Option("xtb", help="labeller: {oracles}"),
    method: str = typer.Option("IPEA1-xTB", help="IPEA1-xTB (best in the gas phase and in "
                               "solution here), GFN2-xTB (faster) or GFN1-xTB"),
    optimize: bool = typer.Option(False, help="xTB geometry optimisation before single points"),
    solvent: str | None = typer.Option(None, help="implicit solvent (ALPB): acetonitrile, "
                                       "DMSO, DMF, THF, water; also writes potentials vs Li/Li+"),
    solvation: str = typer.Option("alpb", help="implicit solvent model: alpb or gbsa"),
    adiabatic: bool = typer.Option(False, help="relax each charge state (slower)"),
    li_bound: bool = typer.Option(False, help="also the Li-bound reduced form Q + Li+ + e- → "
                                  "LiQ (li_bind_ev, e_red_li_v_li): what potentials at a Li "
                                  "electrode refer to; use --method GFN2-xTB with it"),
    workers: int = typer.Option(os.cpu_count() or 1),
    seed: int = typer.Option(0, help="3-D embedding seed"),
    smiles_col: str | None = typer.Option(None),
) -> None:
    """Compute IE and EA with a physics oracle (vertical by default; --solvent for implicit
    solvent and potentials); failures get a status and reason."""
    from redoxscreen.pipeline.library import run_label
    res = run_label(data, output, oracle=oracle, method=method, optimize=optimize,
                    workers=workers, seed=seed, smiles_col=smiles_col, solvent=solvent,
                    solvation=solvation, adiabatic=adiabatic, li_bound=li_bound,
                    progress=bars())
    n_fail = int((res["status"] != "ok").sum())
    out.print(f"{len(res)} molecules labelled ({n_fail} failed, see 'reason') → "
              f"[bold]{output}[/bold]")
