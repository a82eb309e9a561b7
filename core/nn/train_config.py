"""What defines a training run and what it yields: TrainConfig, TrainFrame, SampleTrace.

A :class:`TrainConfig` is the frozen, JSON-ready description of a run (network, loss,
optimizer, batching, regularization, stopping); :func:`core.nn.training.train` turns it and a
data set into a stream of :class:`TrainFrame` snapshots, each optionally carrying the
:class:`SampleTrace` of one chosen sample. ``STOP_REASONS`` explains in words why a run
ended.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, field

import numpy as np

from core.nn.datasets import check_int
from core.nn.losses import check_loss
from core.nn.network import MLP
from core.optim.optimizers import ClipSpec, ScheduleSpec, make_optimizer

__all__ = ["MODES", "STOP_REASONS", "SampleTrace", "TrainConfig", "TrainFrame"]

MODES = ("batch", "minibatch", "stochastic")
STOP_REASONS = {
    "epoch_limit": "reached the epoch limit",
    "target_loss": "reached the target loss",
    "diverged": "diverged: the loss or a gradient became infinite or NaN, which usually "
    "means the learning rate is too large for this network",
}


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """Everything that defines a training run; same config and data, same frames.

    ``mode``: batch (all samples per step), minibatch (``batch_size`` per step) or
    stochastic (one). ``hyper``: optimizer hyperparameters as (name, value) pairs.
    ``l1``/``l2``: penalties added to the loss (see :func:`core.nn.losses.penalty`).
    ``target_loss``: stop once the training loss is at or below it (None: never).
    ``sample_index``: a training sample whose full forward/backward record each frame
    carries (None: none). ``eval_every``: train/test loss and accuracy are computed every
    this many steps and at the last; frames in between repeat the latest values.
    """

    layers: tuple[int, ...] = (2, 8, 8, 1)
    activation: str | tuple[str, ...] = "tanh"
    output: str = "sigmoid"
    loss: str = "bce"
    init: str = "xavier"
    optimizer: str = "gd"
    hyper: tuple[tuple[str, float], ...] = ()
    lr: float = 0.1
    epochs: int = 100
    mode: str = "batch"
    batch_size: int = 32
    l1: float = 0.0
    l2: float = 0.0
    dropout: float = 0.0
    batch_norm: bool = False
    seed: int = 0
    schedule: ScheduleSpec = field(default_factory=ScheduleSpec)
    clip: ClipSpec = field(default_factory=ClipSpec)
    target_loss: float | None = None
    sample_index: int | None = None
    eval_every: int = 1

    def validate(self) -> None:
        """Raise ValueError naming the first bad field and its allowed range."""
        check_int("epochs", self.epochs, 1, 10**7)
        check_int("batch_size", self.batch_size, 1, 10**6)
        check_int("seed", self.seed, 0, 2**63 - 1)
        check_int("eval_every", self.eval_every, 1, 10**9)
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}; got {self.mode!r}")
        for name, low in (("lr", 0.0), ("l1", 0.0), ("l2", 0.0)):
            value = getattr(self, name)
            if not isinstance(value, numbers.Real) or not (math.isfinite(value) and value >= low):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        if self.target_loss is not None and not math.isfinite(self.target_loss):
            raise ValueError(f"target_loss must be a finite number, got {self.target_loss!r}")
        if self.batch_norm and self.mode == "stochastic":
            raise ValueError(
                "batch_norm needs batches of at least 2 samples: use batch or minibatch"
            )
        check_loss(self.loss, self.output)
        make_optimizer(self.optimizer, 1, **dict(self.hyper))
        self.make_network()  # layers, activation, output, init and dropout: the MLP checks them

    def make_network(self) -> MLP:
        """A new MLP with the layers, activations, init, seed, dropout and batch norm given."""
        c = self
        return MLP(c.layers, c.activation, c.output, c.init, c.seed, c.dropout, c.batch_norm)

    def to_dict(self) -> dict:
        """A JSON-ready dict; :meth:`from_dict` inverts it."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        data = dict(data)
        data["schedule"] = ScheduleSpec(**data.get("schedule", {}))
        data["clip"] = ClipSpec(**data.get("clip", {}))
        for key in ("layers", "hyper"):
            if key in data:
                data[key] = tuple(tuple(v) if isinstance(v, list) else v for v in data[key])
        if isinstance(data.get("activation"), list):
            data["activation"] = tuple(data["activation"])
        return cls(**data)


@dataclass(frozen=True, slots=True, repr=False)
class SampleTrace:
    """Forward and backward quantities of one training sample at the frame's weights."""

    index: int
    x: np.ndarray
    target: np.ndarray
    loss: float
    z: tuple
    a: tuple
    delta: tuple
    dW: tuple
    db: tuple

    def __repr__(self) -> str:
        return f"SampleTrace(index={self.index}, loss={self.loss:.6g}, layers={len(self.z)})"


@dataclass(frozen=True, slots=True, repr=False)
class TrainFrame:
    """The state after ``step`` updates; gradient fields describe the batch of the next update.

    ``batch_loss`` (with penalties) and ``grad_norms`` belong to that batch, ``lr`` to that
    update; ``train_loss``/``test_loss`` are data losses over the whole parts in evaluation
    mode. ``grad_norms[l]`` is ||dL/dW[l]||_F (before clipping): the vanishing or
    exploding gradient signal. Accuracies are None for regression. ``bn_state`` holds
    (gamma, beta, running_mean, running_var) per batch-norm layer.
    """

    step: int
    epoch: int
    batch_loss: float
    train_loss: float
    test_loss: float
    train_accuracy: float | None
    test_accuracy: float | None
    lr: float
    grad_norms: np.ndarray
    weight_mean: np.ndarray
    weight_std: np.ndarray
    weight_min: np.ndarray
    weight_max: np.ndarray
    weights: tuple
    biases: tuple
    bn_state: tuple = ()
    sample: SampleTrace | None = None
    stop_reason: str | None = None

    def __repr__(self) -> str:
        stop = f", stop_reason={self.stop_reason!r}" if self.stop_reason else ""
        return (
            f"TrainFrame(step={self.step}, epoch={self.epoch}, train_loss="
            f"{self.train_loss:.6g}, test_loss={self.test_loss:.6g}{stop})"
        )
