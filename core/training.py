"""Training an MLP by batch, mini-batch or stochastic gradient descent, as a generator of frames.

Step t of a run: evaluate the loss and accuracy at the weights W_t, backpropagate the loss of
the t-th batch at W_t, yield a frame with all of it, then apply the optimizer to the flattened
parameters: W_{t+1} = step(W_t, clip(g_t), lr_t). Batches: all samples (``batch``), B samples
(``minibatch``) or one (``stochastic``), reshuffled every epoch by a seeded generator.
A run stops with a reason: ``diverged`` (a non-finite loss, gradient or weight: the last
frame then repeats the last finite state), ``target_loss`` or ``epoch_limit``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from core.datasets import Dataset
from core.losses import accuracy, check_loss, prepare_targets, targets_from_labels
from core.network import MLP, Workspace
from core.optimizers import ClipSpec, ScheduleSpec, clip_gradients, learning_rate_at, make_optimizer

__all__ = [
    "MODES",
    "STOP_REASONS",
    "SampleTrace",
    "TrainConfig",
    "TrainFrame",
    "build_network",
    "network_at",
    "steps_per_epoch",
    "train",
]

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
    ``l1``/``l2``: penalties added to the loss (see :func:`core.losses.penalty`).
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
        _int_field("epochs", self.epochs, 1, 10**7)
        _int_field("batch_size", self.batch_size, 1, 10**6)
        _int_field("seed", self.seed, 0, 2**63 - 1)
        _int_field("eval_every", self.eval_every, 1, 10**9)
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
        _network(self)  # layers, activation, output, init and dropout are checked by the MLP

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


def build_network(config: TrainConfig, dataset: Dataset) -> MLP:
    """The MLP a config describes, checked against the data set's features and classes."""
    config.validate()
    layers = tuple(config.layers)
    if layers[0] != dataset.n_features:
        raise ValueError(
            f"layers must start with {dataset.n_features} inputs for this data set, got {layers[0]}"
        )
    n_out = layers[-1]
    if dataset.task == "regression":
        if config.loss != "mse" or n_out != 1:
            raise ValueError("a regression data set needs loss 'mse' and 1 output unit")
    elif n_out != dataset.n_classes and not (n_out == 1 and dataset.n_classes == 2):
        raise ValueError(
            f"layers must end with {dataset.n_classes} outputs (or 1 for two classes), got {n_out}"
        )
    elif config.loss == "cross_entropy" and n_out == 1:
        raise ValueError("cross_entropy needs one output per class (softmax)")
    if config.sample_index is not None:
        _int_field("sample_index", config.sample_index, 0, len(dataset.X_train) - 1)
    return _network(config)


def _network(config: TrainConfig) -> MLP:
    c = config
    return MLP(c.layers, c.activation, c.output, c.init, c.seed, c.dropout, c.batch_norm)


def network_at(config: TrainConfig, frame: TrainFrame) -> MLP:
    """A new MLP holding a frame's weights, biases and batch-norm state.

    For drawing what the network computed at that step: its decision boundary, its
    activations for any input, or its loss landscape.
    """
    net = _network(config)
    state = net.weights + net.biases + net.bn_gamma + net.bn_beta
    state += net.bn_running_mean + net.bn_running_var
    for target, source in zip(state, frame.weights + frame.biases + frame.bn_state, strict=True):
        target[...] = source
    return net


def train(config: TrainConfig, dataset: Dataset, net: MLP | None = None) -> Iterator[TrainFrame]:
    """Yield one :class:`TrainFrame` per step from step 0 until a stop reason (on the last).

    ``net`` (optional) is trained in place; by default a new one is built from the config.
    """
    net = build_network(config, dataset) if net is None else net
    if net.sizes != tuple(config.layers):
        raise ValueError(f"net has layers {list(net.sizes)}, the config {list(config.layers)}")
    run = _Run(config, dataset, net)
    total = config.epochs * run.steps_per_epoch
    optimizer = make_optimizer(config.optimizer, 1, **dict(config.hyper))
    base_lr, previous = np.array([float(config.lr)]), None
    for step in range(total + 1):
        lr = float(learning_rate_at(config.schedule, base_lr, step)[0])
        with _quiet():  # overflow is how divergence shows; it is detected, not warned about
            if step % config.eval_every == 0 or step == total or previous is None:
                state = run.evaluate()
            back, record = run.gradients(run.next_batch())
            frame = run.frame(step, state, back, lr)
        if frame is None:  # something non-finite: freeze at the last finite state
            yield _diverged(previous, step, run)
            return
        reason = _stop_reason(config, frame, step, total)
        if reason:
            yield replace(frame, stop_reason=reason)
            return
        yield frame
        previous = frame
        with _quiet():
            if net.batch_norm:
                net.update_running_stats(record)
            flat = net.flatten_grads(back.dW, back.db, back.dgamma, back.dbeta)[None]
            grad = clip_gradients(flat, config.clip)
            net.set_flat(optimizer.step(net.get_flat()[None], grad, np.array([lr]))[0])


def _quiet() -> np.errstate:
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


def _batch_size(config: TrainConfig, n_train: int) -> int:
    return {"batch": n_train, "minibatch": min(config.batch_size, n_train), "stochastic": 1}[
        config.mode
    ]


def _folds_last(config: TrainConfig, n_train: int) -> bool:
    # batch norm cannot normalize a lone sample: it joins the epoch's previous batch
    size = _batch_size(config, n_train)
    return config.batch_norm and size < n_train and n_train % size == 1


def steps_per_epoch(config: TrainConfig, n_train: int) -> int:
    """Updates per pass over ``n_train`` samples: ceil(n / B), less a folded lone sample."""
    return -(-n_train // _batch_size(config, n_train)) - int(_folds_last(config, n_train))


def _stop_reason(config: TrainConfig, frame: TrainFrame, step: int, total: int) -> str | None:
    if config.target_loss is not None and frame.train_loss <= config.target_loss:
        return "target_loss"
    return "epoch_limit" if step == total else None


def _diverged(previous: TrainFrame | None, step: int, run) -> TrainFrame:
    if previous is None:
        raise ValueError("the initial network already gives a non-finite loss or gradient")
    return replace(previous, step=step, epoch=step // run.steps_per_epoch, stop_reason="diverged")


def _int_field(name: str, value, low: int, high: int) -> None:
    integral = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if not integral or not low <= value <= high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value!r}")


class _Run:
    """Data, targets and random streams of one run; builds its frames."""

    def __init__(self, config: TrainConfig, dataset: Dataset, net: MLP) -> None:
        self.config, self.net = config, net
        n_out, loss = net.sizes[-1], config.loss
        self.X, self.X_test = dataset.X_train, dataset.X_test
        self.y, self.y_test = (
            prepare_targets(targets_from_labels(y, loss, n_out), loss, len(y), n_out)
            for y in (dataset.y_train, dataset.y_test)
        )
        self.labels = (dataset.y_train, dataset.y_test) if dataset.task != "regression" else None
        n = len(self.X)
        self.batch_size = _batch_size(config, n)
        self.fold_last = _folds_last(config, n)
        self.steps_per_epoch = steps_per_epoch(config, n)
        shuffle_seed, dropout_seed = np.random.SeedSequence(config.seed).spawn(2)
        self.shuffle_rng = np.random.default_rng(shuffle_seed)
        self.dropout_rng = np.random.default_rng(dropout_seed)
        self.order, self.position = np.arange(n), n
        self.workspaces = (Workspace(), Workspace(), Workspace())  # batch, train set, test set

    def next_batch(self) -> np.ndarray | None:
        """Indices of the next batch (None: the whole set); a new permutation each epoch."""
        n = len(self.X)
        if self.batch_size == n:
            return None
        if self.position >= n:
            self.order, self.position = self.shuffle_rng.permutation(n), 0
        end = self.position + self.batch_size
        end += int(self.fold_last and n - end == 1)
        batch = self.order[self.position : end]
        self.position = end
        return batch

    def gradients(self, batch: np.ndarray | None):
        X, y = (self.X, self.y) if batch is None else (self.X[batch], self.y[batch])
        record = self.net.forward(X, True, self.dropout_rng, self.workspaces[0])
        c = self.config
        return self.net.backward(record, y, c.loss, c.l1, c.l2, self.workspaces[0]), record

    def evaluate(self) -> tuple:
        """(train loss, test loss, train accuracy, test accuracy) in evaluation mode."""
        results = []
        for X, y, ws in (
            (self.X, self.y, self.workspaces[1]),
            (self.X_test, self.y_test, self.workspaces[2]),
        ):
            record = self.net.forward(X, workspace=ws)
            results.append((self.net.data_loss(record, y, self.config.loss), record.output))
        (train_loss, train_out), (test_loss, test_out) = results
        if self.labels is None:
            return train_loss, test_loss, None, None
        return (
            train_loss,
            test_loss,
            accuracy(train_out, self.labels[0]),
            accuracy(test_out, self.labels[1]),
        )

    def frame(self, step: int, state: tuple, back, lr: float) -> TrainFrame | None:
        """The frame of this step, or None when any number in it is not finite."""
        net = self.net
        W = net.weights
        stats = [np.array([getattr(w, f)() for w in W]) for f in ("mean", "std", "min", "max")]
        norms = np.array([np.linalg.norm(g) for g in back.dW])
        sample = self.sample_trace()
        scalars = (back.loss, state[0], state[1], *(s.sum() for s in stats), norms.sum())
        if not np.all(np.isfinite(scalars)) or (sample and not math.isfinite(sample.loss)):
            return None
        bn = tuple(_frozen(p) for p in net.bn_gamma + net.bn_beta)
        bn += tuple(_frozen(p) for p in net.bn_running_mean + net.bn_running_var)
        return TrainFrame(
            step,
            step // self.steps_per_epoch,
            back.loss,
            *state,
            lr,
            *map(_frozen, [norms, *stats]),
            tuple(map(_frozen, W)),
            tuple(map(_frozen, net.biases)),
            bn,
            sample,
        )

    def sample_trace(self) -> SampleTrace | None:
        index = self.config.sample_index
        if index is None:
            return None
        x, y = self.X[index : index + 1], self.y[index : index + 1]
        record = self.net.forward(x)
        back = self.net.backward(record, y, self.config.loss)
        arrays = [
            tuple(map(_frozen, part)) for part in (record.z, record.a, back.delta, back.dW, back.db)
        ]
        return SampleTrace(index, _frozen(x[0]), _frozen(y[0]), back.loss, *arrays)


def _frozen(array: np.ndarray) -> np.ndarray:
    """A read-only copy: frames never share memory with the running network."""
    copy = np.array(array, dtype=np.float64 if array.dtype.kind == "f" else None)
    copy.flags.writeable = False
    return copy
