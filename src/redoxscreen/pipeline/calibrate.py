"""``calibrate``: fit the line from predicted/computed IE or EA to measured potentials."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from redoxscreen.data import read_table
from redoxscreen.data.clean import numeric_column
from redoxscreen.data.io import detect_smiles_column
from redoxscreen.electrochem import (
    STUDY_LI_SHIFT_V,
    PotentialConversion,
    convert_potential,
    fit_linear_map,
)
from redoxscreen.electrochem.conversion import PROCESSES, LinearMap
from redoxscreen.models import load_model
from redoxscreen.runtime.errors import ConfigError, DataError


def run_calibrate(data: str | Path, potential_col: str, role: str, scale: str,
                  output: str | Path, *, model_dir: str | Path | None = None,
                  energy_col: str | None = None, target: str | None = None,
                  base: str | Path | None = None,
                  smiles_col: str | None = None) -> PotentialConversion:
    if role not in PROCESSES:
        raise ConfigError(f"--role must be oxidation or reduction (got {role!r})")
    if (model_dir is None) == (energy_col is None):
        raise ConfigError("give either --model (calibrate its predictions) or --energy-col")
    df = read_table(data)
    if potential_col not in df.columns:
        raise DataError(f"{data}: no column {potential_col!r}; fix --potential-col")
    if energy_col is not None:
        if energy_col not in df.columns:
            raise DataError(f"{data}: no column {energy_col!r}; fix --energy-col")
        x = numeric_column(df, energy_col, str(data))
    else:
        model = load_model(model_dir)
        want = target or next((t for t in model.targets if any(
            k in t.lower() for k in (("ie", "ip", "e_ox") if role == "oxidation"
                                     else ("ea", "e_red")))), None)
        if want not in model.targets:
            raise ConfigError(f"name the model output with --target (it predicts "
                              f"{', '.join(model.targets)})")
        col = smiles_col or detect_smiles_column(df, source=str(data))
        x = model.predict_smiles(df[col].tolist())[f"{want}_pred"].to_numpy()
    fitted = fit_linear_map(x, numeric_column(df, potential_col, str(data)), source=str(data))
    if base:
        conv = PotentialConversion.load(base)
    else:  # the role not calibrated here keeps the study's rule, expressed on this scale
        study = LinearMap(1.0, -STUDY_LI_SHIFT_V + float(convert_potential(0.0, "vs_li", scale)))
        conv = PotentialConversion("linear", study, study, scale)
    if conv.scale != scale:
        raise ConfigError(f"{base} is on scale {conv.scale}; calibrate on the same scale")
    conv = replace(conv, method="linear", **{role: fitted})
    conv.save(output)
    return conv
