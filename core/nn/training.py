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
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from core.nn.datasets import Dataset, check_int
from core.nn.losses import accuracy, prepare_targets, targets_from_labels
from core.nn.network import MLP, Workspace
from core.nn.train_config import MODES, STOP_REASONS, SampleTrace, TrainConfig, TrainFrame
from core.optim.optimizers import clip_gradients, learning_rate_at, make_optimizer

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
        check_int("sample_index", config.sample_index, 0, len(dataset.X_train) - 1)
    return config.make_network()


def network_at(config: TrainConfig, frame: TrainFrame) -> MLP:
    """A new MLP holding a frame's weights, biases and batch-norm state.

    For drawing what the network computed at that step: its decision boundary, its
    activations for any input, or its loss landscape.
    """
    net = config.make_network()
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
