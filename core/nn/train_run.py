"""One training run's moving parts: data and targets, batch order, random streams, the
evaluation of both data parts, and the assembly of read-only frames.

:func:`core.nn.training.train` drives it; nothing here decides when a run stops.
"""

from __future__ import annotations

import math

import numpy as np

from core.nn.datasets import Dataset
from core.nn.losses import accuracy, prepare_targets, targets_from_labels
from core.nn.network import MLP, Workspace
from core.nn.train_config import SampleTrace, TrainConfig

__all__ = ["Run", "batch_size", "frozen", "steps_per_epoch"]


def batch_size(config: TrainConfig, n_train: int) -> int:
    """Samples per update: all (batch), min(B, n) (minibatch) or 1 (stochastic)."""
    sizes = {"batch": n_train, "minibatch": min(config.batch_size, n_train), "stochastic": 1}
    return sizes[config.mode]


def _folds_last(config: TrainConfig, n_train: int) -> bool:
    # batch norm cannot normalize a lone sample: it joins the epoch's previous batch
    size = batch_size(config, n_train)
    return config.batch_norm and size < n_train and n_train % size == 1


def steps_per_epoch(config: TrainConfig, n_train: int) -> int:
    """Updates per pass over ``n_train`` samples: ceil(n / B), less a folded lone sample."""
    return -(-n_train // batch_size(config, n_train)) - int(_folds_last(config, n_train))


class Run:
    """Data, targets and random streams of one run; builds its frames.

    The batch order comes from the data seed, dropout masks from the weight seed (both
    default to ``config.seed``), so changing one leaves the other stream as it was.
    """

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
        self.batch_size = batch_size(config, n)
        self.fold_last = _folds_last(config, n)
        self.steps_per_epoch = steps_per_epoch(config, n)
        shuffle_seed = np.random.SeedSequence(config.data_seeds).spawn(2)[0]
        dropout_seed = np.random.SeedSequence(config.weight_seeds).spawn(2)[1]
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
        """(backward record, forward record) of the batch at the current weights."""
        X, y = (self.X, self.y) if batch is None else (self.X[batch], self.y[batch])
        # the data were checked once, when the Dataset was made, and train() keeps overflow
        # quiet for the whole step: the unchecked passes skip both per-call costs
        record = self.net._pass_forward(X, True, self.dropout_rng, self.workspaces[0])
        c = self.config
        return self.net._pass_backward(record, y, c.loss, c.l1, c.l2, self.workspaces[0]), record

    def evaluate(self) -> tuple:
        """(train loss, test loss, train accuracy, test accuracy) in evaluation mode.

        Without a test part its loss and accuracy are None.
        """
        results = []
        for X, y, ws in (
            (self.X, self.y, self.workspaces[1]),
            (self.X_test, self.y_test, self.workspaces[2]),
        ):
            if len(X) == 0:
                results.append((None, None))
                continue
            record = self.net._pass_forward(X, False, None, ws)
            results.append((self.net.data_loss(record, y, self.config.loss), record.output))
        (train_loss, train_out), (test_loss, test_out) = results
        if self.labels is None:
            return train_loss, test_loss, None, None
        test_accuracy = None if test_out is None else accuracy(test_out, self.labels[1])
        return train_loss, test_loss, accuracy(train_out, self.labels[0]), test_accuracy

    def measure(self, step: int, state: tuple, back, lr: float, batch) -> dict | None:
        """Every field of this step's frame but the update, as read-only copies taken before
        the update; None when a number in them is not finite."""
        net = self.net
        W = net.weights
        stats = [np.array([getattr(w, f)() for w in W]) for f in ("mean", "std", "min", "max")]
        norms = np.array([np.linalg.norm(g) for g in back.dW])
        delta_norms = np.array([np.linalg.norm(d) for d in back.delta])
        bias_norms = [np.linalg.norm(g) for g in back.db]  # a norm is finite iff all entries are
        sample = self.sample_trace()
        losses = [v for v in (back.loss, state[0], state[1]) if v is not None]
        scalars = (*losses, *(s.sum() for s in stats), norms.sum(), delta_norms.sum())
        if not (np.all(np.isfinite(scalars)) and np.all(np.isfinite(bias_norms))):
            return None
        if sample and not math.isfinite(sample.loss):
            return None
        bn = tuple(frozen(p) for p in net.bn_gamma + net.bn_beta)
        bn += tuple(frozen(p) for p in net.bn_running_mean + net.bn_running_var)
        indices = np.arange(len(self.X)) if batch is None else batch
        train_loss, test_loss, train_accuracy, test_accuracy = state
        return {
            "step": step,
            "epoch": step // self.steps_per_epoch,
            "batch_loss": back.loss,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "train_accuracy": train_accuracy,
            "test_accuracy": test_accuracy,
            "lr": lr,
            "grad_norms": frozen(norms),
            **dict(
                zip(("weight_mean", "weight_std", "weight_min", "weight_max"), map(frozen, stats))
            ),
            "weights": tuple(map(frozen, W)),
            "biases": tuple(map(frozen, net.biases)),
            "dW": tuple(map(frozen, back.dW)),
            "db": tuple(map(frozen, back.db)),
            "delta_norms": frozen(delta_norms),
            "batch_indices": frozen(indices),
            "bn_state": bn,
            "sample": sample,
        }

    def sample_trace(self) -> SampleTrace | None:
        index = self.config.sample_index
        if index is None:
            return None
        x, y = self.X[index : index + 1], self.y[index : index + 1]
        record = self.net.forward(x)
        back = self.net.backward(record, y, self.config.loss)
        arrays = [
            tuple(map(frozen, part)) for part in (record.z, record.a, back.delta, back.dW, back.db)
        ]
        return SampleTrace(index, frozen(x[0]), frozen(y[0]), back.loss, *arrays)


def frozen(array: np.ndarray) -> np.ndarray:
    """A read-only copy: frames never share memory with the running network."""
    copy = np.array(array, dtype=np.float64 if array.dtype.kind == "f" else None)
    copy.flags.writeable = False
    return copy
