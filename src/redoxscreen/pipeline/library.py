"""``enumerate`` and ``label`` as library functions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from redoxscreen.chem.library import enumerate_library, load_cores, load_groups
from redoxscreen.data import read_table
from redoxscreen.data.io import detect_smiles_column
from redoxscreen.oracle import ORACLES, label_many
from redoxscreen.pipeline.predict import write_table
from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.progress import Progress, or_silent


def run_enumerate(output: str | Path, *, n: int | None = None, max_substituents: int = 2,
                  seed: int = 0, max_heavy_atoms: int = 60, cores: str | Path | None = None,
                  groups: str | Path | None = None,
                  families: list[str] | None = None) -> pd.DataFrame:
    core_table = load_cores(str(cores) if cores else None)
    if families:
        unknown = set(families) - set(core_table["family"])
        if unknown:
            raise ConfigError(f"unknown core families {', '.join(sorted(unknown))}; known: "
                              f"{', '.join(sorted(set(core_table['family'])))}")
        core_table = core_table[core_table["family"].isin(families)]
    df = enumerate_library(core_table, load_groups(str(groups) if groups else None),
                           max_substituents=max_substituents, n=n, seed=seed,
                           max_heavy_atoms=max_heavy_atoms)
    output = Path(output)
    if output.name.lower().endswith((".smi", ".smi.gz")):
        output.parent.mkdir(parents=True, exist_ok=True)
        df[["smiles", "core"]].to_csv(output, sep=" ", header=False, index=False)
    else:
        write_table(df, output)
    return df


def run_label(data: str | Path, output: str | Path, *, oracle: str = "xtb",
              method: str = "IPEA1-xTB", optimize: bool = False, workers: int = 1,
              seed: int = 0, smiles_col: str | None = None, solvent: str | None = None,
              solvation: str = "alpb", adiabatic: bool = False, li_bound: bool = False,
              progress: Progress | None = None) -> pd.DataFrame:
    """Label the molecules of ``data`` into ``output`` (resumable); ``solvent`` for implicit
    solvation (then the potentials vs Li/Li⁺ are written too); ``li_bound`` adds the Li-bound
    reduced form (``li_bind_ev``, ``e_red_li_v_li``)."""
    extra = ({"solvent": solvent, "solvation": solvation} if solvent else {})
    if adiabatic:
        extra["adiabatic"] = True
    if li_bound:
        extra["li_bound"] = True
    labeller = ORACLES[oracle].factory(method=method, optimize=optimize, seed=seed, **extra)
    df = read_table(data)
    col = smiles_col or detect_smiles_column(df, source=str(data))
    smiles = df[col].fillna("").astype(str).tolist()
    progress = or_silent(progress)
    with progress.task(f"{oracle} labels", total=len(set(smiles))) as bar:
        return label_many(labeller, smiles, output, n_workers=workers, progress=bar)
