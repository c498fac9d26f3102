r"""Fully connected neural network regressor on sparse fingerprints (the study's FCNN, done right).

Architecture: a sparse first layer (``EmbeddingBag`` gather-sum, equal to a dense ``Linear`` on the
CSR input but touching only its non-zeros), then ``Linear`` layers, each followed by ReLU and
dropout, and a linear output with one unit per target.

Training minimises the masked mean squared error on scaled targets (missing labels are ignored)
plus, if ``l2 > 0``, the Keras-style penalty :math:`\lambda \sum W^2` over kernels. Adam with the
study's schedule: constant ``lr`` for ``lr_decay_start`` epochs, then
:math:`\mathrm{lr}_e = \mathrm{lr}\,\exp(-r\,(e - e_0))`. The weights of the epoch with the lowest
validation MAE are kept; training stops after ``patience`` epochs without improvement or when the
learning rate falls below ``min_lr``.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted
from torch import nn
from torch.nn.functional import embedding_bag

from redoxscreen.models.registry import register_model
from redoxscreen.models.torch_utils import (
    CSRBatches,
    pick_device,
    predict_batch_rows,
    seed_everything,
    torch_threads,
)
from redoxscreen.runtime.jsonio import plain
from redoxscreen.runtime.precision import current_precision

PRESETS: dict[str, dict] = {
    # The reference study: Keras FCNN, L2 0.003, dropout 0.1, Adam 0.003, batch 30000 (full batch
    # on these data), 5000 epochs, RandomNormal(0, 0.05) init, min-max labels. Its schedule is read
    # as the Keras example scheduler: constant for 10 epochs, then lr *= exp(-0.1) per epoch.
    "thesis": dict(hidden_layer_sizes=(1024, 512, 256), dropout=0.1, l2=0.003, weight_decay=0.0,
                   lr=0.003, lr_decay_start=10, lr_decay_rate=0.1, batch_size=30000,
                   max_epochs=5000, patience=5000, target_scaling="minmax",
                   init="random_normal"),
    # What works best on real data (OCELOT scaffold CV, see bench/): mini-batches, decoupled
    # weight decay, dropout 0.2, an L1 loss (the metric that matters is the MAE), slower decay,
    # early stopping on an inner validation split.
    "default": dict(hidden_layer_sizes=(1024, 512), dropout=0.2, l2=0.0, weight_decay=0.01,
                    lr=1e-3, lr_decay_start=10, lr_decay_rate=0.05, batch_size=256,
                    max_epochs=80, patience=12, target_scaling="standard", init="default",
                    loss="l1"),
}


class _Net(nn.Module):
    def __init__(self, n_in: int, hidden: tuple[int, ...], n_out: int, dropout: float,
                 center: np.ndarray):
        super().__init__()
        dense = np.flatnonzero(center)
        self.register_buffer("center_idx", torch.from_numpy(dense.astype(np.int64)))
        self.register_buffer("center_val", torch.from_numpy(center[dense].astype(np.float32)))
        self.first = nn.EmbeddingBag(n_in, hidden[0], mode="sum")
        self.first_bias = nn.Parameter(torch.zeros(hidden[0]))
        # in-place ReLUs: no extra activation copies (neither Linear nor EmbeddingBag needs its
        # output for the backward pass)
        layers: list[nn.Module] = [nn.ReLU(inplace=True), nn.Dropout(dropout)]
        for a, b in zip(hidden[:-1], hidden[1:], strict=True):
            layers += [nn.Linear(a, b), nn.ReLU(inplace=True), nn.Dropout(dropout)]
        layers.append(nn.Linear(hidden[-1], n_out))
        self.body = nn.Sequential(*layers)
        nn.init.kaiming_uniform_(self.first.weight, a=math.sqrt(5))  # as nn.Linear does

    def forward(self, idx: torch.Tensor, off: torch.Tensor, w: torch.Tensor,
                embed: bool = False, upto: int = -1, precision: str = "fp32") -> torch.Tensor:
        """The output; with ``embed``, the activations before ``body[upto]`` (by default the
        last hidden layer's). ``precision`` (inference only; see
        :mod:`redoxscreen.runtime.precision`): ``mixed`` gathers float16 weights in the sparse
        first layer and runs the dense layers in bfloat16, both accumulating in float32;
        ``int8`` keeps the first layer in float32 and runs the dense layers int8-quantised."""
        precision = "fp32" if embed else precision
        if precision == "mixed":  # float16 keeps 3× bfloat16's mantissa where counts are summed
            h = embedding_bag(idx, self.cast("first", torch.float16), off, mode="sum",
                              per_sample_weights=w.half()).float()
        else:
            h = self.first(idx, off, per_sample_weights=w)
        h += self.first_bias
        if len(self.center_idx):  # standardised dense columns: subtract W[:, j] · mean_j
            h -= self.center_val @ self.first.weight[self.center_idx]
        if embed:
            return self.body[:upto](h)
        if precision == "mixed":
            return self.cast("body", torch.bfloat16)(h.to(torch.bfloat16)).float()
        if precision == "int8":
            return self.cast("body", torch.qint8)(h)
        return self.body(h)

    def cast(self, part: str, dtype: torch.dtype) -> nn.Module | torch.Tensor:
        """An inference copy of ``first``'s weights or of ``body`` in ``dtype``, made once per
        device (not a submodule: never saved or trained; a new fit builds a new net)."""
        cache = self.__dict__.setdefault("_cast", {})
        key = (part, dtype, self.first_bias.device)
        if key not in cache and part == "first":
            cache[key] = self.first.weight.detach().to(dtype)
        elif key not in cache:
            body = copy.deepcopy(self.body).eval()
            cache[key] = (quantized_body(body) if dtype == torch.qint8 else
                          body.to(device=key[2], dtype=dtype))
        return cache[key]

    def kernels(self) -> list[torch.Tensor]:
        return [self.first.weight] + [m.weight for m in self.body if isinstance(m, nn.Linear)]


def quantized_body(body: nn.Sequential) -> nn.Module:
    r"""``body`` with each ``Linear`` dynamically quantised (CPU only): weights int8 per
    output channel, :math:`W \approx s_o\,W^{(8)}`; each batch's activations 8-bit with one
    scale from their range, so a row's output moves (within the rounding) with its batch.
    Products accumulate in int32 (FBGEMM / oneDNN kernels)."""
    import warnings

    # torch.ao's eager API is deprecated in favour of torchao, but torch._int_mm, the int8
    # matmul torchao builds on, ran ~80× slower than float32 on this CPU (FBGEMM: ~1.6× faster)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        return quantize_dynamic(body, {nn.Linear: per_channel_dynamic_qconfig},
                                dtype=torch.qint8)


def _from_preset(cls: type, settings: dict, ctx: object) -> FCNNRegressor:
    return cls.from_preset(ctx.preset, **settings)


@register_model("fcnn", build=_from_preset)
class FCNNRegressor(RegressorMixin, BaseEstimator):
    """Multi-target FCNN regressor with the scikit-learn API (``X``: sparse or dense matrix).

    Parameters
    ----------
    hidden_layer_sizes : units per hidden layer (a tuple, or text such as ``"1024,512"``).
    dropout : dropout rate after every hidden layer.
    l2 : Keras-style L2 penalty on kernels, added to the loss.
    weight_decay : decoupled (AdamW) weight decay.
    lr, lr_decay_start, lr_decay_rate, min_lr : learning-rate schedule (see module docstring).
    batch_size, max_epochs, patience : training length; best-epoch checkpoint on validation MAE.
    validation_fraction : share of the training rows held out for checkpointing when no
        ``X_val`` is passed to :meth:`fit`.
    target_scaling : ``minmax`` (the study), ``standard`` or ``none``.
    init : ``default`` (PyTorch) or ``random_normal`` (Keras RandomNormal, σ = 0.05).
    loss : ``mse`` (the study), ``huber`` or ``l1``, on scaled targets, missing labels masked.
    seed, device, n_threads, verbose : reproducibility and hardware.

    Fitted attributes: ``net_``, ``x_scale_``, ``y_offset_``, ``y_scale_``, ``history_``,
    ``best_epoch_``, ``n_features_in_``, ``n_targets_``, ``fit_seconds_``.
    """

    def __init__(
        self,
        hidden_layer_sizes: tuple[int, ...] = (1024, 512),
        dropout: float = 0.1,
        l2: float = 0.0,
        weight_decay: float = 1e-5,
        lr: float = 1e-3,
        lr_decay_start: int = 10,
        lr_decay_rate: float = 0.05,
        min_lr: float = 1e-7,
        batch_size: int = 128,
        max_epochs: int = 80,
        patience: int = 12,
        validation_fraction: float = 0.1,
        target_scaling: str = "standard",
        init: str = "default",
        loss: str = "mse",
        seed: int = 0,
        device: str = "auto",
        n_threads: int | None = None,
        verbose: bool = False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
        self.l2 = l2
        self.weight_decay = weight_decay
        self.lr = lr
        self.lr_decay_start = lr_decay_start
        self.lr_decay_rate = lr_decay_rate
        self.min_lr = min_lr
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.target_scaling = target_scaling
        self.init = init
        self.loss = loss
        self.seed = seed
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose

    @classmethod
    def from_preset(cls, preset: str, **overrides: object) -> FCNNRegressor:
        if preset not in PRESETS:
            raise ValueError(f"unknown preset {preset!r}; known: {', '.join(PRESETS)}")
        return cls(**{**PRESETS[preset], **overrides})

    # ---- scaling -------------------------------------------------------------------------
    def _fit_scalers(self, X: sp.csr_matrix, Y: np.ndarray) -> None:
        """Sparse columns are scaled by 1/max|x|; dense ones (descriptors, > half non-zero) are
        standardised, their centring folded into the first layer's bias (keeps X sparse)."""
        n = X.shape[0]
        maxabs = np.asarray(abs(X).max(axis=0).todense()).ravel()
        mean = np.asarray(X.mean(axis=0)).ravel()
        sq = np.asarray(X.multiply(X).mean(axis=0)).ravel()
        std = np.sqrt(np.maximum(sq - mean**2, 0.0))
        dense = (np.diff(X.tocsc().indptr) > n / 2) & (std > 0)
        scale = np.where(maxabs > 0, 1.0 / np.maximum(maxabs, 1e-12), 1.0)
        scale[dense] = 1.0 / std[dense]
        self.x_scale_ = scale.astype(np.float32)
        self.x_center_ = np.where(dense, mean * scale, 0.0).astype(np.float32)
        if self.target_scaling == "minmax":
            lo, hi = np.nanmin(Y, axis=0), np.nanmax(Y, axis=0)
            self.y_offset_, self.y_scale_ = lo, np.where(hi > lo, hi - lo, 1.0)
        elif self.target_scaling == "standard":
            mu, sd = np.nanmean(Y, axis=0), np.nanstd(Y, axis=0)
            self.y_offset_, self.y_scale_ = mu, np.where(sd > 0, sd, 1.0)
        elif self.target_scaling == "none":
            self.y_offset_, self.y_scale_ = np.zeros(Y.shape[1]), np.ones(Y.shape[1])
        else:
            raise ValueError(f"unknown target_scaling {self.target_scaling!r}")

    def _scale_x(self, X: object) -> sp.csr_matrix:
        X = sp.csr_matrix(X, dtype=np.float32)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features, the model was fitted on "
                             f"{self.n_features_in_}")
        X = X.copy()
        X.data *= self.x_scale_[X.indices]
        return X

    # ---- training ------------------------------------------------------------------------
    def _build(self) -> None:
        hidden = self.hidden_layer_sizes
        hidden = str(hidden).split(",") if isinstance(hidden, str | int) else hidden
        self.net_ = _Net(self.n_features_in_, tuple(int(h) for h in hidden), self.n_targets_,
                         self.dropout, self.x_center_)
        if self.init == "random_normal":
            for p in self.net_.parameters():
                if p.dim() > 1:
                    nn.init.normal_(p, 0.0, 0.05)
                else:
                    nn.init.zeros_(p)
        elif self.init != "default":
            raise ValueError(f"unknown init {self.init!r}")

    def fit(self, X: object, y: np.ndarray, X_val: object = None,
            y_val: np.ndarray | None = None,
            epoch_callback: Callable[[int, dict], None] | None = None) -> FCNNRegressor:
        """Train; ``X_val``/``y_val`` (else an inner split) pick the best epoch.

        ``epoch_callback(epoch, logs)`` is called after every epoch (progress bars).
        """
        with torch_threads(self.n_threads):
            return self._fit(X, y, X_val, y_val, epoch_callback)

    def _fit(self, X: object, y: np.ndarray, X_val: object, y_val: np.ndarray | None,
             epoch_callback: Callable[[int, dict], None] | None) -> FCNNRegressor:
        t0 = time.perf_counter()
        gen = seed_everything(self.seed)
        X = sp.csr_matrix(X, dtype=np.float32)
        y = np.asarray(y, dtype=float)
        self._y_1d = y.ndim == 1
        Y = y.reshape(len(y), -1)
        if X_val is None and self.validation_fraction > 0 and len(Y) >= 10:
            rng = np.random.default_rng(self.seed)
            perm = rng.permutation(len(Y))
            n_val = max(1, int(round(self.validation_fraction * len(Y))))
            val, tr = perm[:n_val], perm[n_val:]
            X, X_val, Y, Yv = X[tr], X[val], Y[tr], Y[val]
        else:
            Yv = None if y_val is None else np.asarray(y_val, float).reshape(-1, Y.shape[1])
        self.n_features_in_, self.n_targets_ = X.shape[1], Y.shape[1]
        self._fit_scalers(X, Y)
        self._build()
        device = pick_device(self.device)
        self.net_.to(device)
        Xs = self._scale_x(X)
        Ys = torch.from_numpy(((Y - self.y_offset_) / self.y_scale_).astype(np.float32))
        opt = torch.optim.AdamW(self.net_.parameters(), lr=self.lr,
                                weight_decay=self.weight_decay, foreach=True)
        sched = torch.optim.lr_scheduler.LambdaLR(opt, self._lr_factor)
        history: dict[str, list[float]] = {"train_loss": [], "val_loss": [], "val_mae": []}
        best, best_state, best_epoch, since = math.inf, None, 0, 0
        n = Xs.shape[0]
        Xv_scaled = self._scale_x(X_val) if X_val is not None else None
        for epoch in range(self.max_epochs):
            self.net_.train()
            perm = torch.randperm(n, generator=gen).numpy()
            batches = CSRBatches(Xs[perm], device)
            Yp = Ys[perm].to(device)
            total, count = 0.0, 0
            for start in range(0, n, self.batch_size):
                stop = min(start + self.batch_size, n)
                pred = self.net_(*batches.batch(start, stop))
                loss = _masked_loss(pred, Yp[start:stop], self.loss)
                if self.l2 > 0:
                    loss = loss + self.l2 * sum((w**2).sum() for w in self.net_.kernels())
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total += float(loss.detach()) * (stop - start)
                count += stop - start
            sched.step()
            history["train_loss"].append(total / count)
            if X_val is not None and len(Yv):
                pv = self._predict_scaled(Xv_scaled, device)
                Yvs = (Yv - self.y_offset_) / self.y_scale_
                val_loss = _masked_loss(torch.from_numpy(pv.astype(np.float32)),
                                        torch.from_numpy(Yvs.astype(np.float32)), self.loss)
                history["val_loss"].append(float(val_loss))
                mae = float(np.nanmean(np.abs(pv * self.y_scale_ + self.y_offset_ - Yv)))
                history["val_mae"].append(mae)
                if mae < best - 1e-6:
                    best, best_epoch, since = mae, epoch, 0
                    best_state = copy.deepcopy(self.net_.state_dict())
                else:
                    since += 1
            else:
                best_epoch = epoch
            if epoch_callback is not None:
                epoch_callback(epoch, {k: v[-1] for k, v in history.items() if v})
            if self.verbose:
                val = history["val_mae"][-1] if history["val_mae"] else float("nan")
                print(f"epoch {epoch}: train {history['train_loss'][-1]:.4f} val_mae {val:.4f}")
            if since >= self.patience or self.lr * self._lr_factor(epoch + 1) < self.min_lr:
                break
        if best_state is not None:
            self.net_.load_state_dict(best_state)
        self.net_.to("cpu")
        self.history_ = history
        self.best_epoch_ = best_epoch
        self.fit_seconds_ = time.perf_counter() - t0
        return self

    def _lr_factor(self, epoch: int) -> float:
        if epoch < self.lr_decay_start:
            return 1.0
        return math.exp(-self.lr_decay_rate * (epoch - self.lr_decay_start))

    # ---- prediction ----------------------------------------------------------------------
    @torch.no_grad()
    def _predict_scaled(self, Xs: sp.csr_matrix, device: torch.device, train_mode: bool = False,
                        batch: int | None = None, precision: str = "fp32") -> np.ndarray:
        self.net_.train(train_mode)
        batch = batch or predict_batch_rows(device)
        batches = CSRBatches(Xs, device)
        out = [self.net_(*batches.batch(s, min(s + batch, Xs.shape[0])),
                             precision=precision)
               .cpu().numpy() for s in range(0, Xs.shape[0], batch)]
        return np.concatenate(out) if out else np.zeros((0, self.n_targets_), np.float32)

    def _unscale(self, p: np.ndarray) -> np.ndarray:
        out = p * self.y_scale_ + self.y_offset_
        return out.ravel() if self._y_1d else out

    def predict(self, X: object) -> np.ndarray:
        check_is_fitted(self, "net_")
        precision = current_precision()
        # int8 kernels exist for CPUs only: asked for, it runs there even beside a GPU
        device = torch.device("cpu") if precision == "int8" else pick_device(self.device)
        self.net_.to(device)
        p = self._predict_scaled(self._scale_x(X), device, precision=precision)
        self.net_.to("cpu")
        return self._unscale(p.astype(np.float64))

    @torch.no_grad()
    def embed(self, X: object, batch: int | None = None) -> np.ndarray:
        """The last hidden layer's activations (after ReLU, dropout off), ``(n, hidden[-1])``:
        the learned representation a small model on top of the net reads (transfer)."""
        check_is_fitted(self, "net_")
        self.net_.eval()
        Xs = self._scale_x(X)
        cpu = torch.device("cpu")
        batch = batch or predict_batch_rows(cpu)
        batches = CSRBatches(Xs, cpu)
        out = [self.net_(*batches.batch(s, min(s + batch, Xs.shape[0])), embed=True).numpy()
               for s in range(0, Xs.shape[0], batch)]
        return np.concatenate(out).astype(np.float64) if out else np.zeros((0, 0))

    def predict_dist(self, X: object, n_samples: int = 20) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation over ``n_samples`` Monte-Carlo dropout passes."""
        check_is_fitted(self, "net_")
        device = pick_device(self.device)
        self.net_.to(device)
        Xs = self._scale_x(X)
        torch.manual_seed(self.seed)
        draws = np.stack([self._unscale(self._predict_scaled(Xs, device, train_mode=True)
                                        .astype(np.float64)) for _ in range(n_samples)])
        self.net_.to("cpu").eval()
        return draws.mean(axis=0), draws.std(axis=0)


    # ---- saving (see redoxscreen.models.serialize) ---------------------------------------
    _FITTED = ("best_epoch_", "n_features_in_", "n_targets_", "history_", "fit_seconds_")

    def to_state(self, prefix: str = "") -> tuple[dict, dict[str, np.ndarray]]:
        fitted = {k: plain(getattr(self, k)) for k in ("y_offset_", "y_scale_", *self._FITTED)}
        fitted["y_1d"] = bool(self._y_1d)
        arrays = {f"{prefix}net.{k}": v.detach().cpu().numpy()
                  for k, v in self.net_.state_dict().items()}
        arrays[f"{prefix}x_scale"] = self.x_scale_
        arrays[f"{prefix}x_center"] = self.x_center_
        params = {k: plain(v) for k, v in self.get_params().items()}
        return {"params": params, "fitted": fitted, "prefix": prefix}, arrays

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray]) -> FCNNRegressor:
        params = dict(config["params"])
        if isinstance(params["hidden_layer_sizes"], list):
            params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
        est = cls(**params)
        fitted, prefix = config["fitted"], config["prefix"]
        for k in cls._FITTED:
            setattr(est, k, fitted[k])
        est.y_offset_ = np.asarray(fitted["y_offset_"], float)
        est.y_scale_ = np.asarray(fitted["y_scale_"], float)
        est._y_1d = fitted["y_1d"]
        est.x_scale_ = np.asarray(arrays[f"{prefix}x_scale"], np.float32)
        est.x_center_ = np.asarray(arrays[f"{prefix}x_center"], np.float32)
        est._build()
        est.net_.load_state_dict({k[len(prefix) + 4:]: torch.from_numpy(np.array(v))
                                  for k, v in arrays.items() if k.startswith(f"{prefix}net.")})
        est.net_.eval()
        return est


def _masked_loss(pred: torch.Tensor, target: torch.Tensor, kind: str) -> torch.Tensor:
    """Mean loss over labelled entries only (NaN targets contribute nothing)."""
    mask = ~torch.isnan(target)
    diff = torch.where(mask, pred - torch.nan_to_num(target), torch.zeros_like(pred))
    if kind == "mse":
        per = diff**2
    elif kind == "l1":
        per = diff.abs()
    elif kind == "huber":  # quadratic within 0.5 scaled units, linear outside
        a = diff.abs()
        per = torch.where(a < 0.5, 0.5 * diff**2, 0.5 * (a - 0.25))
    else:
        raise ValueError(f"unknown loss {kind!r}; use mse, huber or l1")
    return (per * mask).sum() / mask.sum().clamp(min=1)
