"""Training an MLP by batch, mini-batch or stochastic gradient descent, as a generator of frames.

Step t of a run: evaluate the loss and accuracy at the weights W_t, backpropagate the loss of
the t-th batch at W_t, apply the optimizer to the flattened parameters,
W_{t+1} = step(W_t, clip(g_t), lr_t), and yield a frame with W_t, g_t and the update
W_{t+1} - W_t. Batches: all samples (``batch``), B samples (``minibatch``) or one
(``stochastic``), reshuffled every epoch by a generator seeded with the data seed.
A run stops with a reason: ``diverged`` (a non-finite loss, gradient or weight: the last
frame then repeats the last finite state and says why in ``stop_detail``), ``target_loss``
or ``epoch_limit``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from core.nn.datasets import Dataset, check_int
from core.nn.divergence import divergence_reason, relative_step
from core.nn.network import MLP, check_work_size
from core.nn.train_config import MODES, STOP_REASONS, SampleTrace, TrainConfig, TrainFrame
from core.nn.train_run import Run, batch_size, frozen, steps_per_epoch
from core.optim.optimizers import clip_gradients, learning_rate_at, make_optimizer

_Run = Run  # the name the trainer's tests have used

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
        if config.loss != "mse" or n_out != dataset.n_outputs:
            raise ValueError(
                f"layers: a regression data set needs loss 'mse' and {dataset.n_outputs} "
                f"output unit(s), got loss {config.loss!r} and {n_out}"
            )
    elif n_out != dataset.n_classes and not (n_out == 1 and dataset.n_classes == 2):
        raise ValueError(
            f"layers must end with {dataset.n_classes} outputs (or 1 for two classes), got {n_out}"
        )
    elif config.loss == "cross_entropy" and n_out == 1:
        raise ValueError("cross_entropy needs one output per class (softmax)")
    if config.sample_index is not None:
        check_int("sample_index", config.sample_index, 0, len(dataset.X_train) - 1)
    n_eval = max(len(dataset.X_train), len(dataset.X_test))
    check_work_size(layers, max(n_eval, batch_size(config, len(dataset.X_train))))
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


def train(
    config: TrainConfig, dataset: Dataset | None = None, net: MLP | None = None
) -> Iterator[TrainFrame]:
    """Yield one :class:`TrainFrame` per step from step 0 until a stop reason (on the last).

    ``dataset`` None: the config's own ``data``, drawn with its data seed. ``net``
    (optional) is trained in place; by default a new one is built from the config. A frame
    is yielded after its update was applied, so it can carry that update.
    """
    dataset = config.make_dataset() if dataset is None else dataset
    net = build_network(config, dataset) if net is None else net
    if net.sizes != tuple(config.layers):
        raise ValueError(f"net has layers {list(net.sizes)}, the config {list(config.layers)}")
    run = Run(config, dataset, net)
    total = config.epochs * run.steps_per_epoch
    stepper = _Stepper(config, net)
    base_lr, previous, first, largest = np.array([float(config.lr)]), None, None, 0.0
    for step in range(total + 1):
        lr = float(learning_rate_at(config.schedule, base_lr, step)[0])
        with _quiet():  # overflow is how divergence shows; it is detected, not warned about
            if step % config.eval_every == 0 or step == total or previous is None:
                state = run.evaluate()
            batch = run.next_batch()
            back, record = run.gradients(batch)
            fields = run.measure(step, state, back, lr, batch)
        if fields is None:  # something non-finite: freeze at the last finite state
            yield _diverged(previous, step, run, first, largest, stepper.zeros)
            return
        reason = _stop_reason(config, fields["train_loss"], step, total)
        moved = None
        if reason is None:
            with _quiet():
                moved = stepper.step(back, record, lr)
        frame = TrainFrame(**fields, **(moved or stepper.zeros))
        first = first or frame
        if moved is None and reason is None:  # the update overflowed: W_t is the last finite
            reason = "diverged"
        if reason:
            detail = STOP_REASONS[reason]
            if reason == "diverged":
                detail = divergence_reason(first, frame, largest)
            yield replace(frame, stop_reason=reason, stop_detail=detail)
            return
        largest = max(largest, relative_step(frame))
        yield frame
        previous = frame


class _Stepper:
    """Applies the optimizer to a network and reports the change it made."""

    def __init__(self, config: TrainConfig, net: MLP) -> None:
        self.config, self.net = config, net
        self.optimizer = make_optimizer(config.optimizer, 1, **dict(config.hyper))
        params = net.parameters()
        ends = np.cumsum([p.size for p in params])
        self.slices = [(end - p.size, end, p.shape) for end, p in zip(ends, params, strict=True)]
        is_bias = [k < 2 * net.n_layers and k % 2 == 1 for k in range(len(params))]
        sizes = [p.size for p in params]
        self.bias_mask = np.repeat(is_bias, sizes) if config.fixed_biases else None
        self.zeros = self._updates(np.zeros(int(ends[-1])))  # read-only: shared by frames

    def step(self, back, record, lr: float) -> dict | None:
        """W <- step(W, clip(g), lr); the updates W_{t+1} - W_t, or None (W kept) if not finite.

        Fixed biases get their old values back after the step, so whatever the optimizer
        (weight decay, momentum) they do not move.
        """
        net = self.net
        old = net.get_flat()
        grad = net.flatten_grads(back.dW, back.db, back.dgamma, back.dbeta)[None]
        grad = clip_gradients(grad, self.config.clip)
        new = self.optimizer.step(old[None], grad, np.array([lr]))[0]
        if self.bias_mask is not None:
            new[self.bias_mask] = old[self.bias_mask]
        if not np.all(np.isfinite(new)):
            return None
        if net.batch_norm:
            net.update_running_stats(record)
        net.set_flat(new)
        return self._updates(new - old)  # elementwise the same as W_{t+1} - W_t per array

    def _updates(self, change: np.ndarray) -> dict:
        n = 2 * self.net.n_layers
        parts = [frozen(change[a:b].reshape(shape)) for a, b, shape in self.slices[:n]]
        weight_update, bias_update = tuple(parts[0::2]), tuple(parts[1::2])
        return {
            "weight_update": weight_update,
            "bias_update": bias_update,
            "update_norms": frozen(np.array([np.linalg.norm(u) for u in weight_update])),
        }


def _quiet() -> np.errstate:
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


def _stop_reason(config: TrainConfig, train_loss: float, step: int, total: int) -> str | None:
    if config.target_loss is not None and train_loss <= config.target_loss:
        return "target_loss"
    return "epoch_limit" if step == total else None


def _diverged(previous, step: int, run: Run, first, largest: float, zeros: dict) -> TrainFrame:
    """The last finite state again, at ``step``, nothing moving, with the reason why."""
    if previous is None:
        raise ValueError(
            "init: the initial network already gives a non-finite loss or gradient on this "
            "data (weights too large for it)"
        )
    return replace(
        previous,
        step=step,
        epoch=step // run.steps_per_epoch,
        stop_reason="diverged",
        stop_detail=divergence_reason(first, previous, largest),
        **zeros,
    )
