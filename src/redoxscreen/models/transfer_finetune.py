r"""The ``finetune`` transfer head: continue training the last layers of a base net.

A base net is split into a frozen encoder and a stack of layers after it (:func:`net_parts`):

- FCNN: the encoder is the sparse first layer (the fingerprint's weighted sum); the layers
  after it are the dense body;
- D-MPNN (chemprop): the encoder is message passing + aggregation (+ descriptors), the
  molecule encoding ``embed`` returns; the layers after it are the FFN — chemprop's
  ``--freeze-encoder`` with ``--frozen-ffn-layers`` (transfer from a checkpoint) is the anchor.

The output layer becomes the line :math:`a + b\,p_j` on the base output :math:`j` that fits the
small set best (in the net's scaled units, so epoch 0 is the ``linear`` head); then the last
``n_layers`` linear layers are trained on the mean absolute error with the others frozen, for the
number of epochs that minimised the error of an inner 3-fold CV. The frozen layers' output is
computed once per fit, not once per epoch.
"""

from __future__ import annotations

import copy
from typing import NamedTuple

import numpy as np

from redoxscreen.models.transfer_heads import HEADS, Head, best_column
from redoxscreen.runtime.errors import ConfigError


class NetParts(NamedTuple):
    """A base net as a frozen encoder and the layers after it."""

    layers: object  # torch.nn.Sequential, flat: Linear / activation / dropout modules
    encode: object  # X -> torch.Tensor, the encoder's output (no gradient)
    y_scale: np.ndarray  # output j in the target's units = scaled output · y_scale + y_offset
    y_offset: np.ndarray


def encoder(base: object) -> object | None:
    """``X -> torch.Tensor``: the frozen encoder of an FCNN or D-MPNN ``base``, else ``None``."""
    import torch

    from redoxscreen.models.dmpnn import DMPNNRegressor
    from redoxscreen.models.fcnn import FCNNRegressor

    if isinstance(base, DMPNNRegressor):
        return lambda X: torch.from_numpy(base.embed(X).astype(np.float32))
    if not isinstance(base, FCNNRegressor):
        return None
    from redoxscreen.models.torch_utils import CSRBatches

    def encode(X: object) -> torch.Tensor:
        batches = CSRBatches(base._scale_x(X), torch.device("cpu"))
        with torch.no_grad():
            return base.net_.cpu()(*batches.batch(0, batches.n_rows), embed=True, upto=0)

    return encode


def net_parts(base: object) -> NetParts | None:
    """The parts of an FCNN or D-MPNN ``base`` (a copy of its layers), or ``None``."""
    import torch

    encode = encoder(base)
    if encode is None:
        return None
    if hasattr(base.net_, "body"):  # FCNN
        return NetParts(copy.deepcopy(base.net_.body).cpu(), encode,
                        np.asarray(base.y_scale_, float), np.asarray(base.y_offset_, float))
    predictor = base.net_.predictor  # chemprop: MLP blocks, then the unscaling of the targets
    layers = torch.nn.Sequential(*(m for block in predictor.ffn for m in block))
    unscale, n = predictor.output_transform, base.n_targets_
    scale = unscale.scale.detach().cpu().numpy().ravel() if hasattr(unscale, "scale") else None
    offset = unscale.mean.detach().cpu().numpy().ravel() if hasattr(unscale, "mean") else None
    return NetParts(copy.deepcopy(layers).cpu(), encode,
                    np.ones(n) if scale is None else scale,
                    np.zeros(n) if offset is None else offset)


def linear_indices(layers: object) -> list[int]:
    import torch

    return [i for i, m in enumerate(layers) if isinstance(m, torch.nn.Linear)]


def first_trained(layers: object, n_layers: int) -> int:
    """Index in ``layers`` of the first of the last ``n_layers`` linear layers."""
    idx = linear_indices(layers)
    return idx[-min(n_layers, len(idx))]


@HEADS.register("finetune")
class FinetuneHead(Head):
    """Continue training one base net (member ``member`` of the base ensemble)."""

    def __init__(self, n_layers: int = 2, lr: float = 5e-4, max_epochs: int = 150,
                 member: int = 0, seed: int = 0):
        self.n_layers, self.lr, self.max_epochs = n_layers, lr, max_epochs
        self.member, self.seed = member, seed

    def fit(self, F: dict, y: np.ndarray) -> FinetuneHead:
        members = F.get("members") or []
        parts = net_parts(members[self.member % len(members)]) if members else None
        if parts is None:
            raise ConfigError("the finetune strategy continues training an FCNN or D-MPNN base "
                              "model; this base is neither (use linear, stack or delta)")
        self.member = self.member % len(members)
        self.column, beta = best_column(F["pred"], y)
        self.y_mu, self.y_sd = float(y.mean()), float(y.std()) or 1.0
        self.layers = self._line_output(parts, beta)
        self.first_trained = first_trained(self.layers, self.n_layers)
        start = copy.deepcopy(self.layers.state_dict())
        frozen = self._frozen(parts.encode(F["X"]))
        rng = np.random.default_rng(self.seed)
        fold = rng.permutation(len(y)) % 3
        curves = []
        for f in range(3):  # inner CV: the error after each epoch
            tr, va = fold != f, fold == f
            if va.sum() and tr.sum() > 2:
                self.layers.load_state_dict(start)
                curves.append(self._train(frozen[tr], y[tr], self.max_epochs,
                                          frozen[va], y[va]))
        self.epochs = int(np.argmin(np.mean(curves, axis=0))) if curves else 0
        self.layers.load_state_dict(start)
        self._train(frozen, y, self.epochs)
        return self

    def _line_output(self, parts: NetParts, beta: np.ndarray) -> object:
        """The base's layers with an output ``(a + b·p_j − μ)/σ`` for the small set's target."""
        import torch

        layers, j = parts.layers, self.column
        out = layers[-1]
        a, b = float(beta[0]), float(beta[1])
        ys, yo = float(parts.y_scale[j]), float(parts.y_offset[j])
        new = torch.nn.Linear(out.in_features, 1)
        with torch.no_grad():  # y_scaled = (a + b·(s·ys + yo) − μ)/σ, s = W_j·h + c_j
            new.weight.copy_(out.weight[j:j + 1] * (b * ys / self.y_sd))
            new.bias.copy_((a + b * (out.bias[j] * ys + yo) - self.y_mu) / self.y_sd)
        layers[-1] = new
        return layers.eval()

    def _frozen(self, h: object) -> object:
        import torch

        with torch.no_grad():
            return self.layers[:self.first_trained].eval()(h)

    def _train(self, h: object, y: np.ndarray, epochs: int, h_val: object = None,
               y_val: np.ndarray | None = None) -> list[float]:
        """Full-batch AdamW on the trained layers; the validation MAE before and after each
        epoch when ``h_val`` is given."""
        import torch

        from redoxscreen.models.torch_utils import seed_everything

        seed_everything(self.seed)
        tail = self.layers[self.first_trained:]
        opt = torch.optim.AdamW(list(tail.parameters()), lr=self.lr, weight_decay=0.01,
                                foreach=True)
        target = torch.from_numpy(((y - self.y_mu) / self.y_sd).astype(np.float32))
        curve = []

        def val_mae() -> float:
            tail.eval()
            with torch.no_grad():
                p = tail(h_val.clone()).numpy().ravel() * self.y_sd + self.y_mu
            return float(np.mean(np.abs(p - y_val)))

        if h_val is not None:
            curve.append(val_mae())
        for _ in range(epochs):
            tail.train()
            loss = (tail(h.clone()).ravel() - target).abs().mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if h_val is not None:
                curve.append(val_mae())
        self.layers.eval()
        return curve

    def predict(self, F: dict) -> np.ndarray:
        import torch

        h = encoder(F["members"][self.member])(F["X"])
        with torch.no_grad():
            p = self.layers.eval()(h).numpy().ravel()
        return p * self.y_sd + self.y_mu

    def _trained(self) -> list[str]:
        return [f"body.{i}." for i in linear_indices(self.layers) if i >= self.first_trained]

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        config = {k: v for k, v in vars(self).items() if k != "layers"}
        keep = tuple(self._trained())
        arrays = {f"net.body.{k}": v.detach().numpy()
                  for k, v in self.layers.state_dict().items() if f"body.{k}".startswith(keep)}
        return config, arrays

    @classmethod
    def from_state(cls, config: dict, arrays: dict[str, np.ndarray], base: object) -> Head:
        import torch

        head = cls.__new__(cls)
        vars(head).update(config)
        members = base.estimators_ if hasattr(base, "estimators_") else [base]
        layers = net_parts(members[head.member]).layers
        layers[-1] = torch.nn.Linear(layers[-1].in_features, 1)
        if "first_trained" not in config:  # saved before the D-MPNN could be fine-tuned
            head.first_trained = first_trained(layers, head.n_layers)
        state = layers.state_dict()
        state.update({k[len("net.body."):]: torch.from_numpy(np.array(v))
                      for k, v in arrays.items()})
        layers.load_state_dict(state)
        head.layers = layers.eval()
        return head

