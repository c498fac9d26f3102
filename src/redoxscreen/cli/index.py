"""``redoxscreen index``."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from redoxscreen.cli.common import bars, cli_command, out


@cli_command
def index(
    library: Path = typer.Argument(..., help="Library: CSV/TSV/SMI/Parquet, optionally .gz"),
    output: Path = typer.Option(..., "--output", "-o", help="index folder, e.g. LIB.rsidx"),
    featurizer: str | None = typer.Option(None, help="features to store, e.g. "
                                          "'ecfp:r=2,bits=2048'; parts: {featurizers}"),
    model: Path | None = typer.Option(None, help="store the features this model reads "
                                      "(its featurizer and standardisation)"),
    standardize: bool = typer.Option(True, help="standardise as 'train' does (with "
                                     "--featurizer; a --model brings its own)"),
    uncharge: bool = typer.Option(False, help="standardisation also neutralises"),
    strip_isotopes: bool = typer.Option(False, help="standardisation also strips isotopes"),
    chunk_size: int = typer.Option(10000, help="molecules per shard"),
    workers: int = typer.Option(os.cpu_count() or 1, help="worker processes"),
    scheduler: str | None = typer.Option(None, help="local[:N] (Dask LocalCluster) or "
                                         "tcp://HOST:PORT (a Dask scheduler)"),
    smiles_col: str | None = typer.Option(None),
) -> None:
    """Featurize a library once into Parquet shards; 'screen MODEL LIB.rsidx' then skips
    parsing and featurizing (resumable: run the same command again)."""
    from redoxscreen.chem.standardize import Standardizer
    from redoxscreen.pipeline.index import run_index_command

    std = Standardizer(uncharge=uncharge, strip_isotopes=strip_isotopes).to_dict() \
        if standardize else None
    m = run_index_command(library, output, featurizer=featurizer, model=model,
                          standardize=std, chunk_size=chunk_size, smiles_col=smiles_col,
                          workers=workers, scheduler=scheduler, progress=bars())
    out.print(f"{m['rows_done']} molecules ({m['rows_done'] - m['valid']} invalid) in "
              f"{len(m['shards'])} shards → [bold]{output}[/bold]")
