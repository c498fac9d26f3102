"""Screening figures: potential histograms with window/band/uncertain zone, top-candidate grids."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from rdkit import Chem  # noqa: E402
from rdkit.Chem import Draw  # noqa: E402

from redoxscreen.report.plots import save_figure  # noqa: E402


def potential_histogram(e_v: np.ndarray, half_width_v: np.ndarray, role: str,
                        window: tuple[float, float], band: tuple | None, scale: str,
                        path: str | Path) -> Path:
    """Predicted potentials, the usable window (solid lines), the target band (green) and the
    uncertain zone (orange: within one median interval half-width of a window limit)."""
    e = np.asarray(e_v, float)
    e = e[np.isfinite(e)]
    h = float(np.nanmedian(half_width_v)) if len(e) else 0.0
    fig, ax = plt.subplots(figsize=(6.4, 3.8), dpi=120)
    ax.hist(e, bins=120, color="tab:blue", alpha=0.8)
    lo, hi = window
    for x in (lo, hi):
        if np.isfinite(x):
            ax.axvline(x, color="k", lw=1.2)
            ax.axvspan(x - h, x + h, color="tab:orange", alpha=0.25, lw=0)
    if band is not None:
        b_lo = band[0] if band[0] is not None else (e.min() if len(e) else 0)
        b_hi = band[1] if band[1] is not None else (e.max() if len(e) else 0)
        ax.axvspan(b_lo, b_hi, color="tab:green", alpha=0.2, lw=0)
    kind = "oxidation" if role == "cathode" else "reduction"
    label = {"vs_li": "vs Li/Li⁺", "vs_she": "vs SHE", "absolute": "absolute"}.get(scale, scale)
    ax.set_xlabel(f"predicted {kind} potential (V {label})")
    ax.set_ylabel("molecules")
    band_text = ", band green" if band is not None else ""
    ax.set_title(f"{role}: window {lo:.2f}–{hi:.2f} V (black){band_text}, ±{h:.2f} V orange")
    return save_figure(fig, path)


def candidate_grid(smiles: list[str], labels: list[str], path: str | Path,
                   per_row: int = 5) -> Path | None:
    """Structures of the top candidates with their potentials (PNG)."""
    mols = [Chem.MolFromSmiles(s) for s in smiles]
    keep = [(m, lab) for m, lab in zip(mols, labels, strict=True) if m is not None]
    if not keep:
        return None
    img = Draw.MolsToGridImage([m for m, _ in keep], molsPerRow=per_row, subImgSize=(260, 220),
                               legends=[lab for _, lab in keep])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(str(path))
    return path
