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
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from core.nn.data_spec import DataSpec
from core.nn.datasets import Dataset, check_int
from core.nn.losses import check_loss
from core.nn.network import MLP
from core.nn.network_size import check_sizes
from core.nn.param_arrays import check_arrays, nested_tuple
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
    ``seed`` is the default of ``data_seed`` (data set, batch order) and ``weight_seed``
    (initial weights, dropout masks), so either can vary alone. ``initial_weights`` /
    ``initial_biases``: starting values per layer (W[l] as rows, shape (n_in, n_out)) that
    replace the ``init`` draw. ``fixed_biases``: biases keep their values (their gradient
    is still computed). ``data``: the data set of the run (None: given to ``train``).
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
    data_seed: int | None = None
    weight_seed: int | None = None
    initial_weights: tuple | None = None
    initial_biases: tuple | None = None
    fixed_biases: bool = False
    data: DataSpec | None = None

    @property
    def data_seeds(self) -> int:
        """Seed of the data set and of the batch order: ``data_seed``, else ``seed``."""
        return self.seed if self.data_seed is None else self.data_seed

    @property
    def weight_seeds(self) -> int:
        """Seed of the initial weights and dropout masks: ``weight_seed``, else ``seed``."""
        return self.seed if self.weight_seed is None else self.weight_seed

    def validate(self) -> None:
        """Raise ValueError naming the first bad field and its allowed range."""
        _check_types(self)
        check_sizes(self.layers, "layers")
        check_int("epochs", self.epochs, 1, 10**7)
        check_int("batch_size", self.batch_size, 1, 10**6)
        for name in ("seed", "data_seed", "weight_seed"):
            if name == "seed" or getattr(self, name) is not None:
                check_int(name, getattr(self, name), 0, 2**63 - 1)
        if self.data is not None and not isinstance(self.data, DataSpec):
            raise ValueError(f"data must be a DataSpec, got {type(self.data).__name__}")
        check_int("eval_every", self.eval_every, 1, 10**9)
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}; got {self.mode!r}")
        for name in ("lr", "l1", "l2"):
            value = getattr(self, name)
            if not _is_number(value) or not (math.isfinite(value) and value >= 0.0):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        if self.target_loss is not None and not (
            _is_number(self.target_loss) and math.isfinite(self.target_loss)
        ):
            raise ValueError(f"target_loss must be a finite number, got {self.target_loss!r}")
        if self.batch_norm and self.mode == "stochastic":
            raise ValueError(
                "batch_norm needs batches of at least 2 samples: use batch or minibatch"
            )
        check_loss(self.loss, self.output)
        make_optimizer(self.optimizer, 1, **dict(self.hyper))
        self.make_network()  # layers, activation, output, init and dropout: the MLP checks them

    def make_network(self) -> MLP:
        """A new MLP with the layers, activations, init, weight seed, dropout and batch norm
        given, holding ``initial_weights`` / ``initial_biases`` when the config has them."""
        c = self
        net = MLP(c.layers, c.activation, c.output, c.init, c.weight_seeds, c.dropout, c.batch_norm)
        for name, arrays in (("weights", c.initial_weights), ("biases", c.initial_biases)):
            if arrays is not None:
                targets = getattr(net, name)
                checked = check_arrays(f"initial_{name}", arrays, [p.shape for p in targets])
                for target, source in zip(targets, checked, strict=True):
                    target[...] = source
        return net

    def make_dataset(self) -> Dataset:
        """The data set ``data`` describes, drawn with the data seed."""
        if self.data is None:
            raise ValueError("data: this config names no data set (give one to train)")
        return self.data.build(self.data_seeds)

    def to_dict(self) -> dict:
        """A JSON-ready dict; :meth:`from_dict` inverts it."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["schedule"], data["clip"] = asdict(self.schedule), asdict(self.clip)
        data["data"] = None if self.data is None else self.data.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        """The config a :meth:`to_dict` dict describes; ValueError names an unknown field."""
        if not isinstance(data, dict):
            raise ValueError(f"config must be an object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise ValueError(f"config has no field {key!r}")
        data = dict(data)
        for key, spec in (("schedule", ScheduleSpec), ("clip", ClipSpec)):
            value = data.get(key, {})
            if not isinstance(value, dict):
                raise ValueError(f"{key} must be an object, got {type(value).__name__}")
            names = {f.name for f in fields(spec)}
            unknown = [name for name in value if name not in names]
            if unknown:  # named with repr: a key may hold any character, a newline too
                raise ValueError(
                    f"{key} has no field {unknown[0]!r} (fields: {', '.join(sorted(names))})"
                )
            try:
                data[key] = spec(**value)
            except TypeError as exc:
                raise ValueError(f"{key}: {exc}") from None
        for key in ("layers", "hyper", "activation", "initial_weights", "initial_biases"):
            if isinstance(data.get(key), list):
                data[key] = nested_tuple(data[key])
        if data.get("data") is not None:
            data["data"] = DataSpec.from_dict(data["data"])
        return cls(**data)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_types(config: TrainConfig) -> None:
    """The fields that must be text, a switch or (name, number) pairs, checked for their type
    (numbers get their ranges checked in :meth:`TrainConfig.validate`)."""
    for name in ("output", "loss", "init", "optimizer", "mode"):
        if not isinstance(getattr(config, name), str):
            raise ValueError(f"{name} must be a name (text), got {getattr(config, name)!r}")
    names = (config.activation,) if isinstance(config.activation, str) else config.activation
    if not isinstance(names, tuple) or not all(isinstance(n, str) for n in names):
        raise ValueError(f"activation must be a name or a list of names, got {names!r}")
    for name in ("batch_norm", "fixed_biases"):
        if not isinstance(getattr(config, name), bool):
            raise ValueError(f"{name} must be true or false, got {getattr(config, name)!r}")
    if not _is_number(config.dropout):
        raise ValueError(f"dropout must be a number in [0, 1), got {config.dropout!r}")
    hyper = config.hyper
    if not isinstance(hyper, tuple) or not all(
        isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) and _is_number(p[1])
        for p in hyper
    ):
        raise ValueError(f"hyper must be (name, number) pairs, got {hyper!r}")
    if not all(math.isfinite(v) and v >= 0 for _, v in hyper):
        raise ValueError(f"hyper values must be finite numbers >= 0, got {hyper!r}")
    for name, spec in (("schedule", ScheduleSpec), ("clip", ClipSpec)):
        if not isinstance(getattr(config, name), spec):
            raise ValueError(f"{name} must be a {spec.__name__}, got {getattr(config, name)!r}")


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
    exploding gradient signal. Accuracies are None for regression; ``test_loss`` and
    ``test_accuracy`` are None without a test part. ``bn_state`` holds
    (gamma, beta, running_mean, running_var) per batch-norm layer.

    ``dW[l]``, ``db[l]``: the batch gradient dL/dW[l], dL/db[l] at ``weights`` (with
    penalties, before clipping). ``weight_update[l]``, ``bias_update[l]``: the change the
    optimizer then made, W_{t+1} - W_t exactly (after clipping, momentum or Adam, so not
    -lr dW in general; zero for fixed biases, and zero on a run's last frame, after which
    nothing moves). ``delta_norms[l]`` = ||delta[l]||_F, the Frobenius norm of the error
    signal dL/dz[l] over the whole batch (a (batch, units) matrix); ``update_norms[l]`` =
    ||weight_update[l]||_F. ``batch_indices``: the training samples of the batch, in
    order. ``stop_detail``: one sentence on why the run stopped (e.g. why it diverged).
    Every array is a read-only copy and every number is finite.
    """

    step: int
    epoch: int
    batch_loss: float
    train_loss: float
    test_loss: float | None
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
    dW: tuple
    db: tuple
    weight_update: tuple
    bias_update: tuple
    delta_norms: np.ndarray
    update_norms: np.ndarray
    batch_indices: np.ndarray
    bn_state: tuple = ()
    sample: SampleTrace | None = None
    stop_reason: str | None = None
    stop_detail: str | None = None

    def __repr__(self) -> str:
        stop = f", stop_reason={self.stop_reason!r}" if self.stop_reason else ""
        test = "None" if self.test_loss is None else f"{self.test_loss:.6g}"
        return (
            f"TrainFrame(step={self.step}, epoch={self.epoch}, train_loss="
            f"{self.train_loss:.6g}, test_loss={test}{stop})"
        )
