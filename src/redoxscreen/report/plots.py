"""PNG plots of model quality: parity, learning curves, error histogram (matplotlib, Agg)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def parity_plot(y_true: np.ndarray, y_pred: np.ndarray, target: str, path: str | Path,
                unit: str = "eV") -> Path:
    """Predicted vs true with the y = x line and R²/MAE/RMSE in the corner."""
    from redoxscreen.evaluation.metrics import regression_metrics  # scikit-learn: only here

    m = regression_metrics(y_true, y_pred)
    mask = ~(np.isnan(y_true) | np.isnan(y_pred))
    yt, yp = np.asarray(y_true)[mask], np.asarray(y_pred)[mask]
    fig, ax = plt.subplots(figsize=(4.8, 4.5), dpi=120)
    ax.scatter(yt, yp, s=5, alpha=0.35, lw=0, color="tab:blue")
    lo, hi = (float(min(yt.min(), yp.min())), float(max(yt.max(), yp.max()))) if len(yt) else (0, 1)
    pad = 0.03 * (hi - lo or 1)
    ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], "k--", lw=1)
    ax.set_xlim(lo - pad, hi + pad)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlabel(f"true {target} ({unit})")
    ax.set_ylabel(f"predicted {target} ({unit})")
    ax.text(0.04, 0.96, f"R² = {m['r2']:.3f}\nMAE = {m['mae']:.3f} {unit}\n"
            f"RMSE = {m['rmse']:.3f} {unit}\nn = {m['n']}", transform=ax.transAxes, va="top",
            fontsize=9, bbox=dict(fc="white", ec="0.8"))
    ax.set_title(f"{target}: out-of-fold predictions")
    return save_figure(fig, path)


def learning_curves(histories: list[dict], path: str | Path) -> Path:
    """Training and validation loss (left) and validation MAE (right) per epoch, per fold."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6), dpi=120)
    for k, h in enumerate(histories):
        color = f"C{k % 10}"
        axes[0].plot(h.get("train_loss", []), lw=1, color=color, label=f"fold {k} train")
        if h.get("val_loss"):
            axes[0].plot(h["val_loss"], lw=1, ls="--", color=color, label=f"fold {k} val")
        if h.get("val_mae"):
            axes[1].plot(h["val_mae"], lw=1, color=color, label=f"fold {k}")
    axes[0].set_yscale("log")
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("loss (scaled targets)")
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("validation MAE (eV)")
    for ax, size, ncol in ((axes[0], 6, 2), (axes[1], 7, 1)):
        if ax.get_lines():
            ax.legend(fontsize=size, ncol=ncol)
        else:  # e.g. the D-MPNN records only its validation loss
            ax.text(0.5, 0.5, "not recorded by this model", ha="center", va="center",
                    transform=ax.transAxes, color="0.5")
    fig.suptitle("learning curves (solid: training, dashed: validation)")
    return save_figure(fig, path)


def error_histogram(y_true: np.ndarray, y_pred: np.ndarray, target: str, path: str | Path,
                    unit: str = "eV") -> Path:
    """Histogram of residuals with the ±1.96 σ band (the study's global 95 % interval)."""
    err = np.asarray(y_pred) - np.asarray(y_true)
    err = err[~np.isnan(err)]
    sd = float(err.std(ddof=1)) if len(err) > 1 else 0.0
    fig, ax = plt.subplots(figsize=(4.8, 3.6), dpi=120)
    ax.hist(err, bins=60, color="tab:gray")
    for x in (-1.96 * sd, 1.96 * sd):
        ax.axvline(x, color="tab:red", ls="--", lw=1)
    ax.set_xlabel(f"prediction error {target} ({unit})")
    ax.set_ylabel("molecules")
    ax.set_title(f"{target}: error σ = {sd:.3f} {unit}, ±1.96σ dashed")
    return save_figure(fig, path)


def save_figure(fig: plt.Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def parity_panel(y_true: np.ndarray, preds: dict[str, np.ndarray], target: str,
                 path: str | Path, unit: str = "eV", title: str = "") -> Path:
    """One parity plot per model on a shared scale, each with its MAE and R²."""
    from redoxscreen.evaluation.metrics import regression_metrics

    n = len(preds)
    cols = min(4, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.1 * rows), dpi=110,
                             squeeze=False)
    yt_all = np.asarray(y_true, float)
    finite = [np.asarray(p, float) for p in preds.values()] + [yt_all]
    lo = min(float(np.nanmin(a)) for a in finite if np.isfinite(a).any())
    hi = max(float(np.nanmax(a)) for a in finite if np.isfinite(a).any())
    pad = 0.03 * (hi - lo or 1)
    for ax, (name, p) in zip(axes.flat, preds.items(), strict=False):
        m = regression_metrics(yt_all, p)
        ok = np.isfinite(yt_all) & np.isfinite(p)
        ax.scatter(yt_all[ok], np.asarray(p)[ok], s=4, alpha=0.35, lw=0)
        ax.plot([lo - pad, hi + pad], [lo - pad, hi + pad], "k--", lw=0.8)
        ax.set_xlim(lo - pad, hi + pad)
        ax.set_ylim(lo - pad, hi + pad)
        ax.set_title(f"{name}\nMAE {m['mae']:.3f}, R² {m['r2']:.2f}", fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.supxlabel(f"true {target} ({unit})", fontsize=9)
    fig.supylabel(f"predicted {target} ({unit})", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    return save_figure(fig, path)


def feature_count_plot(curve: pd.DataFrame, path: str | Path, unit: str = "eV",
                       title: str = "") -> Path:
    """Validation MAE against the number of selected features (one line per target)."""
    fig, ax = plt.subplots(figsize=(5, 3.6), dpi=120)
    for col in [c for c in curve.columns if c.endswith("_mae")]:
        ax.plot(curve["k"], curve[col], "o-", label=col.removesuffix("_mae"))
    ax.set_xscale("log", base=2)
    ax.set_xlabel("number of selected features k")
    ax.set_ylabel(f"validation MAE ({unit})")
    ax.legend(fontsize=8)
    ax.set_title(title or "error against feature count", fontsize=10)
    return save_figure(fig, path)
