"""chemprop v2's directed message-passing network (D-MPNN) as a scikit-learn estimator.

Optional: ``pip install "redoxscreen[graph]"`` (chemprop ≥ 2.1). ``X`` is a 1-D array of SMILES,
not a feature matrix. The network, its defaults and its training follow ``chemprop train``:
bond message passing (hidden 300, depth 3), norm aggregation (÷100), a 1-layer 300-unit FFN,
standardised targets, Noam learning-rate schedule (1e-4 → 1e-3 over 2 warm-up epochs → 1e-4),
batch 64, 50 epochs, and the weights of the epoch with the lowest validation loss. The best
weights are kept in memory (no checkpoint files, which chemprop writes with pickle), and a saved
model stores only the hyper-parameters (JSON) and the state dict (safetensors).

``descriptors`` (a featurizer spec such as ``"conjugation"``) appends molecule-level descriptors
to the learned graph embedding before the FFN, as ``chemprop train --features-generators`` does:
message passing of depth 3 sees three bonds around each atom, while the ionisation energy of a
π system depends on its whole extent (the Hückel frontier orbitals in ``conjugation``). They are
standardised on the training set; the scaler is part of the saved state dict.
``atom_features="huckel"`` gives each atom, before message passing, its Hückel frontier-orbital
densities and its π system's HOMO/LUMO energies (``features.conjugation.atom_frontier_features``);
on OCELOT, where ``descriptors="conjugation"`` already gives the frontier energies, it did not
lower the error (``bench/results/dmpnn_ablation``). ``aggregation="mean"`` did (−5 % MAE there):
ionisation energy and electron affinity do not grow with molecule size as a sum does.
Graphs are featurized once per fit (chemprop's dataset cache), not once per epoch, and each
SMILES is parsed once for the graph, the descriptors and the atom features.
"""

from __future__ import annotations

import copy
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from redoxscreen.models.inputs import as_smiles
from redoxscreen.models.registry import register_model
from redoxscreen.runtime.errors import ConfigError
from redoxscreen.runtime.jsonio import plain


def _chemprop():
    try:
        import chemprop  # noqa: F401
        from lightning import pytorch as pl
    except ImportError as exc:
        raise ConfigError("the D-MPNN needs chemprop: pip install 'redoxscreen[graph]' "
                          "(or pip install chemprop)") from exc
    from chemprop import data, featurizers, models, nn

    return data, featurizers, models, nn, pl


@register_model("dmpnn", reads="smiles",
                description="chemprop's D-MPNN (graph net; needs the [graph] extra)")
class DMPNNRegressor(RegressorMixin, BaseEstimator):
    """Multi-target D-MPNN regressor (chemprop v2), sklearn API; missing labels are masked.

    ``loss``: ``mse`` (chemprop's default) or ``mae``, which trains on the absolute error and
    picks the best epoch by it.

    Fitted attributes: ``net_`` (a ``chemprop.models.MPNN``), ``n_targets_``, ``best_epoch_``,
    ``history_`` (validation loss per epoch), ``fit_seconds_``.
    """

    def __init__(self, hidden_size: int = 300, depth: int = 3, dropout: float = 0.0,
                 ffn_hidden_size: int = 300, ffn_num_layers: int = 1,
                 aggregation: str = "norm", aggregation_norm: float = 100.0,
                 batch_norm: bool = False, max_epochs: int = 50, patience: int | None = None,
                 batch_size: int = 64, warmup_epochs: int = 2, init_lr: float = 1e-4,
                 max_lr: float = 1e-3, final_lr: float = 1e-4, validation_fraction: float = 0.1,
                 descriptors: str | None = None, atom_features: str | None = None,
                 loss: str = "mse", seed: int = 0, n_threads: int | None = None,
                 verbose: bool = False):
        self.hidden_size = hidden_size
        self.depth = depth
        self.dropout = dropout
        self.ffn_hidden_size = ffn_hidden_size
        self.ffn_num_layers = ffn_num_layers
        self.aggregation = aggregation
        self.aggregation_norm = aggregation_norm
        self.batch_norm = batch_norm
        self.max_epochs = max_epochs
        self.patience = patience
        self.batch_size = batch_size
        self.warmup_epochs = warmup_epochs
        self.init_lr = init_lr
        self.max_lr = max_lr
        self.final_lr = final_lr
        self.validation_fraction = validation_fraction
        self.descriptors = descriptors
        self.atom_features = atom_features
        self.loss = loss
        self.seed = seed
        self.n_threads = n_threads
        self.verbose = verbose

    # ---- building ------------------------------------------------------------------------
    def _build(self, n_targets: int, y_mean: np.ndarray, y_scale: np.ndarray,
               x_scaler: object = None) -> object:
        data, featurizers, models, nn, _ = _chemprop()
        feat = self._graph_featurizer()
        mp = nn.BondMessagePassing(feat.atom_fdim, feat.bond_fdim, d_h=self.hidden_size,
                                   depth=self.depth, dropout=self.dropout)
        if self.aggregation == "norm":
            agg = nn.NormAggregation(norm=self.aggregation_norm)
        elif self.aggregation in ("mean", "sum"):
            agg = nn.MeanAggregation() if self.aggregation == "mean" else nn.SumAggregation()
        else:
            raise ConfigError(f"unknown aggregation {self.aggregation!r}; use norm, mean, sum")
        if self.loss not in ("mse", "mae"):
            raise ConfigError(f"unknown loss {self.loss!r}; use mse (chemprop's) or mae")
        scaler = _Scaler(y_mean, y_scale)
        n_desc = self._n_descriptors()
        ffn = nn.RegressionFFN(n_tasks=n_targets, input_dim=mp.output_dim + n_desc,
                               hidden_dim=self.ffn_hidden_size, n_layers=self.ffn_num_layers,
                               dropout=self.dropout,
                               criterion=nn.metrics.LossFunctionRegistry[self.loss](),
                               output_transform=nn.UnscaleTransform.from_standard_scaler(scaler))
        x_transform = None
        if n_desc:
            x_scaler = x_scaler or _Scaler(np.zeros(n_desc), np.ones(n_desc))
            x_transform = nn.ScaleTransform.from_standard_scaler(x_scaler)
        return models.MPNN(mp, agg, ffn, self.batch_norm, None, self.warmup_epochs,
                           self.init_lr, self.max_lr, self.final_lr, X_d_transform=x_transform)

    def _n_descriptors(self) -> int:
        if not self.descriptors:
            return 0
        from redoxscreen.features import make_featurizer

        return make_featurizer(self.descriptors).n_features_out

    def _graph_featurizer(self) -> object:
        _, featurizers, *_ = _chemprop()
        extra = len(_atom_feature_fn(self.atom_features)[1]) if self.atom_features else 0
        return featurizers.SimpleMoleculeMolGraphFeaturizer(extra_atom_fdim=extra)

    def _dataset(self, smiles: np.ndarray, Y: np.ndarray | None, cache: bool = True) -> object:
        from chemprop.utils import make_mol

        data, *_ = _chemprop()
        mols = []
        for i, s in enumerate(smiles):  # parsed once: graph, descriptors and atom features
            try:
                mols.append(make_mol(str(s)))
            except RuntimeError as exc:
                raise ValueError(f"molecule {i} ({s!r}): RDKit cannot parse it; filter invalid "
                                 "SMILES first") from exc
        X_d = None
        if self.descriptors:
            from redoxscreen.features import make_featurizer

            X_d = make_featurizer(self.descriptors).transform_mols(mols).toarray()
        atom_fn = _atom_feature_fn(self.atom_features)[0] if self.atom_features else None
        points = [data.MoleculeDatapoint(
                      mol, None if Y is None else Y[i], x_d=None if X_d is None else X_d[i],
                      V_f=None if atom_fn is None else atom_fn(mol).astype(np.float32),
                      name=str(smiles[i]))
                  for i, mol in enumerate(mols)]  # atom features follow the graph's atom order
        dataset = data.MoleculeDataset(points, self._graph_featurizer())
        dataset.cache = cache  # training: featurize each graph once, not once per epoch
        return dataset

    # ---- training ------------------------------------------------------------------------
    def fit(self, X: object, y: np.ndarray, X_val: object = None,
            y_val: np.ndarray | None = None) -> DMPNNRegressor:
        """Train; ``X_val``/``y_val`` (else a seeded ``validation_fraction`` of the rows) pick the
        best epoch, as ``chemprop train`` does with its validation split."""
        import torch

        data, _, _, _, pl = _chemprop()
        if self.max_epochs < 1:
            raise ConfigError(f"max_epochs={self.max_epochs}: the D-MPNN needs at least 1 epoch")
        t0 = time.perf_counter()
        if self.n_threads:
            torch.set_num_threads(self.n_threads)
        smiles = as_smiles(X)
        Y = np.asarray(y, dtype=float)
        self._y_1d = Y.ndim == 1
        Y = Y.reshape(len(Y), -1)
        if X_val is None:
            rng = np.random.default_rng(self.seed)
            perm = rng.permutation(len(Y))
            n_val = max(1, int(round(self.validation_fraction * len(Y))))
            val, tr = perm[:n_val], perm[n_val:]
            smiles, X_val, Y, y_val = smiles[tr], smiles[val], Y[tr], Y[val]
        Yv = np.asarray(y_val, float).reshape(-1, Y.shape[1])
        self.n_targets_ = Y.shape[1]
        train_set = self._dataset(smiles, Y)
        val_set = self._dataset(as_smiles(X_val), Yv)
        scaler = train_set.normalize_targets()
        val_set.normalize_targets(scaler)
        x_scaler = None
        if self.descriptors:  # training/validation inputs scaled here, prediction in the net
            x_scaler = train_set.normalize_inputs("X_d")
            val_set.normalize_inputs("X_d", x_scaler)
        torch.manual_seed(self.seed)
        self.net_ = self._build(self.n_targets_, scaler.mean_, scaler.scale_, x_scaler)
        keeper = _BestWeights()
        callbacks = [keeper]
        if self.patience is not None:
            callbacks.append(pl.callbacks.EarlyStopping("val_loss", patience=self.patience))
        trainer = pl.Trainer(logger=False, enable_checkpointing=False, accelerator="cpu",
                             devices=1, max_epochs=self.max_epochs, callbacks=callbacks,
                             enable_progress_bar=self.verbose, enable_model_summary=False,
                             deterministic=True)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", ".*does not have many workers.*")
            warnings.filterwarnings("ignore", ".*num_workers.*")
            trainer.fit(self.net_,
                        data.build_dataloader(train_set, self.batch_size, seed=self.seed),
                        _ordered_loader(val_set, self.batch_size))
        if keeper.best_state is None:
            raise ConfigError(f"the D-MPNN got no finite validation loss in {self.max_epochs} "
                              f"epochs ({len(val_set)} validation molecules); check the labels")
        self.net_.load_state_dict(keeper.best_state)
        self.net_.eval()
        self.best_epoch_ = keeper.best_epoch
        self.history_ = {"val_loss": keeper.history}
        self.fit_seconds_ = time.perf_counter() - t0
        return self

    def _run(self, X: object, what: str) -> np.ndarray:
        import torch

        _chemprop()  # a clear error without chemprop
        check_is_fitted(self, "net_")
        smiles = as_smiles(X)
        loader = _ordered_loader(self._dataset(smiles, None, cache=False), 256)
        self.net_.eval()
        call = self.net_.fingerprint if what == "embed" else self.net_
        out = []
        with torch.inference_mode():
            for batch in loader:
                out.append(call(batch.bmg, batch.V_d, batch.X_d).cpu().numpy())
        return np.concatenate(out).astype(float) if out else np.zeros((0, self.n_targets_))

    def predict(self, X: object) -> np.ndarray:
        P = self._run(X, "predict")
        return P.ravel() if self._y_1d else P

    def embed(self, X: object) -> np.ndarray:
        """The molecule encoding (aggregated atom states, + descriptors): what the FFN reads."""
        return self._run(X, "embed")

    def predict_dist(self, X: object) -> tuple[np.ndarray, np.ndarray]:
        """Mean and NaN (one network has no spread; k-fold ensembles of it do)."""
        m = self.predict(X)
        return m, np.full_like(m, np.nan)

    # ---- saving (see redoxscreen.models.serialize) ---------------------------------------
    def to_state(self, prefix: str = "") -> tuple[dict, dict[str, np.ndarray]]:
        params = {k: plain(v) for k, v in self.get_params().items()}
        fitted = {"n_targets_": self.n_targets_, "y_1d": bool(self._y_1d),
                  "best_epoch_": self.best_epoch_, "history_": plain(self.history_)}
        arrays = {f"{prefix}dmpnn.{k}": v.detach().cpu().numpy()
                  for k, v in self.net_.state_dict().items()}
        return {"params": params, "fitted": fitted, "prefix": prefix}, arrays

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray]) -> DMPNNRegressor:
        import torch

        est, fitted, prefix = cls(**config["params"]), config["fitted"], config["prefix"]
        n = est.n_targets_ = fitted["n_targets_"]
        est._y_1d = fitted["y_1d"]
        est.best_epoch_, est.history_ = fitted["best_epoch_"], fitted["history_"]
        est.net_ = est._build(n, np.zeros(n), np.ones(n))
        est.net_.load_state_dict({k[len(prefix) + 6:]: torch.from_numpy(np.array(v))
                                  for k, v in arrays.items() if k.startswith(f"{prefix}dmpnn.")})
        est.net_.eval()
        return est


def _atom_feature_fn(name: str) -> tuple[object, list[str]]:
    """Per-atom features appended to chemprop's atom features before message passing."""
    if name == "huckel":
        from redoxscreen.features.conjugation import ATOM_FEATURE_NAMES, atom_frontier_features

        return atom_frontier_features, ATOM_FEATURE_NAMES
    raise ConfigError(f"unknown D-MPNN atom features {name!r}; known: huckel")


def _ordered_loader(dataset: object, batch_size: int) -> object:
    """Every molecule in order. Not chemprop's ``build_dataloader``: it drops a last batch of
    one molecule (batch norm needs two in training), which in validation and prediction silently
    loses that molecule — or the only validation molecule of a tiny set."""
    import torch
    from chemprop.data import collate_batch

    return torch.utils.data.DataLoader(dataset, batch_size, shuffle=False,
                                       collate_fn=collate_batch)


class _Scaler:
    """The two attributes chemprop's ``UnscaleTransform.from_standard_scaler`` reads."""

    def __init__(self, mean: np.ndarray, scale: np.ndarray):
        self.mean_ = np.asarray(mean, float)
        self.scale_ = np.asarray(scale, float)


def _best_weights_callback():
    from lightning import pytorch as pl

    class BestWeights(pl.Callback):
        """Keep a copy of the weights of the epoch with the lowest validation loss."""

        def __init__(self):
            self.best, self.best_epoch, self.best_state, self.history = np.inf, -1, None, []

        def on_validation_epoch_end(self, trainer, module):
            if trainer.sanity_checking:
                return
            loss = float(trainer.callback_metrics["val_loss"])
            self.history.append(loss)
            if loss < self.best:
                self.best, self.best_epoch = loss, trainer.current_epoch
                self.best_state = copy.deepcopy(module.state_dict())

    return BestWeights()


_BestWeights = _best_weights_callback
