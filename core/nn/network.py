"""A multilayer perceptron whose every forward and backward quantity is visible.

Layer l computes ``z[l] = a[l-1] @ W[l] + b[l]`` (``a[-1]`` is the input X) and
``a[l] = f(z[l])``; with batch normalization a hidden layer feeds
``gamma * (z - mean) / sqrt(var + eps) + beta`` to f instead of z; with dropout a hidden
layer's output is multiplied by a 0 or 1/(1-p) mask while training. The backward pass
applies the chain rule layer by layer and returns every error signal ``delta[l] = dL/dz[l]``
with ``dW[l] = a[l-1]^T delta[l]`` and ``db[l] = sum_samples delta[l]``.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

from core.nn.activations import (
    BN_MOMENTUM,
    INITS,
    batch_norm_backward,
    batch_norm_forward,
    hidden_activation,
    init_weights,
    output_activation,
    update_running_stats,
)
from core.nn.losses import check_loss, output_loss, penalty, penalty_gradient, prepare_targets
from core.nn.network_size import (
    MAX_ACTIVATIONS,
    MAX_LAYERS,
    MAX_PARAMETERS,
    check_sizes,
    check_work_size,
    parameter_count,
)
from core.nn.records import BackwardRecord, ForwardRecord, Workspace, layer_buffer

__all__ = [
    "INITS",
    "MAX_ACTIVATIONS",
    "MAX_LAYERS",
    "MAX_PARAMETERS",
    "MLP",
    "BackwardRecord",
    "ForwardRecord",
    "Workspace",
    "check_sizes",
    "check_work_size",
    "init_weights",
    "parameter_count",
]


def _overflow_is_a_value(method):
    """Run ``method`` with floating-point overflow, 0/0 and x/0 silent.

    Weights too large for the data make z, the loss or a gradient inf or NaN: that is how
    divergence shows, and callers detect it from the values (training freezes the run and
    says why). A RuntimeWarning on top would only be noise, or an error under pytest.
    """

    @functools.wraps(method)
    def quiet(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return method(*args, **kwargs)

    return quiet


class MLP:
    """A fully connected network ``MLP([2, 8, 8, 1], activation="relu", output="sigmoid")``.

    Parameters
    ----------
    sizes : sequence of int
        Units per layer, input first; at least two entries, each >= 1.
    activation : str or sequence of str
        Hidden activation(s): one name for all, or one per hidden layer.
    output : str
        ``linear``, ``sigmoid`` or ``softmax`` (softmax needs >= 2 outputs).
    init : str
        ``xavier`` (Glorot uniform), ``xavier_normal``, ``he`` (Kaiming normal),
        ``small`` (N(0, 0.01^2)), ``large`` (N(0, 1)) or ``zeros``. Biases start at 0.
    seed : int
        Seed of the weight initialization.
    dropout : float
        Probability in [0, 1) of dropping a hidden unit while training (inverted dropout).
    batch_norm : bool
        Normalize every hidden layer's z over the batch (torch BatchNorm1d semantics).
    """

    def __init__(
        self,
        sizes,
        activation="tanh",
        output="linear",
        init="xavier",
        seed=0,
        dropout=0.0,
        batch_norm=False,
    ):
        sizes = check_sizes(sizes)
        n_hidden = len(sizes) - 2
        names = [activation] * n_hidden if isinstance(activation, str) else list(activation)
        if len(names) != n_hidden:
            raise ValueError(
                f"activation needs {n_hidden} names (one per hidden layer), got {len(names)}"
            )
        self._hidden = tuple(hidden_activation(name) for name in names)
        self._output = output_activation(output)
        if output == "softmax" and sizes[-1] < 2:
            raise ValueError("output 'softmax' needs at least 2 output units")
        if init not in INITS:
            raise ValueError(f"init must be one of {', '.join(INITS)}; got {init!r}")
        if not 0.0 <= float(dropout) < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.sizes, self.activations, self.output = sizes, tuple(names), output
        self.init, self.seed = init, seed
        self.dropout, self.batch_norm = float(dropout), bool(batch_norm)
        rng = np.random.default_rng(seed)
        pairs = itertools.pairwise(sizes)
        self.weights = [init_weights(init, rng, n_in, n_out) for n_in, n_out in pairs]
        self.biases = [np.zeros(n) for n in sizes[1:]]
        hidden = sizes[1:-1] if self.batch_norm else ()
        self.bn_gamma = [np.ones(n) for n in hidden]
        self.bn_beta = [np.zeros(n) for n in hidden]
        self.bn_running_mean = [np.zeros(n) for n in hidden]
        self.bn_running_var = [np.ones(n) for n in hidden]
        self._workspace = Workspace()

    @property
    def n_layers(self) -> int:
        """Number of weight layers L."""
        return len(self.sizes) - 1

    @_overflow_is_a_value
    def forward(self, X, training=False, rng=None, workspace=None) -> ForwardRecord:
        """Run X (n, sizes[0]) through the network and record every z and a.

        ``training`` turns on dropout (masks drawn from ``rng``, a numpy Generator) and
        batch statistics for batch norm; otherwise running statistics are used. With a
        :class:`Workspace`, z and a are written into its reused arrays: the record is then
        valid only until the next pass with that workspace.
        """
        return self._pass_forward(self._check_inputs(X), training, rng, workspace)

    def _pass_forward(self, X, training, rng, workspace) -> ForwardRecord:
        n_layers = len(self.weights)
        drop = training and self.dropout > 0.0
        if drop and rng is None:
            raise ValueError("rng (a numpy Generator) is needed for dropout while training")
        zs, acts, outs, masks = [], [], [], [None] * n_layers
        bn = [[None] * n_layers for _ in range(4)]  # hat, out, mean, var
        a = X
        for layer, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = np.dot(a, W, out=layer_buffer(workspace, "z", layer, (len(X), W.shape[1])))
            z += b  # z = a_prev W + b
            zs.append(z)
            hidden = layer < n_layers - 1
            u = self._normalize(layer, z, training, bn) if hidden and self.batch_norm else z
            f = self._hidden[layer][0] if hidden else self._output[0]
            a = f(u, layer_buffer(workspace, "a", layer, u.shape))  # u: z or its normalized form
            acts.append(a)
            if hidden and drop:
                masks[layer] = (rng.random(a.shape) >= self.dropout) / (1.0 - self.dropout)
                a = a * masks[layer]  # inverted dropout: E[a] unchanged
            outs.append(a)
        return ForwardRecord(
            X, tuple(zs), tuple(outs), tuple(acts), *map(tuple, bn), tuple(masks), bool(training)
        )

    @_overflow_is_a_value
    def backward(self, record, y, loss="mse", l1=0.0, l2=0.0, workspace=None) -> BackwardRecord:
        """Backpropagate ``loss`` through a forward record made with the current weights.

        delta[L-1] = dL/dz at the output (from the loss); for a hidden layer
        delta[l] = (delta[l+1] W[l+1]^T) * mask * f'(z[l]) (through batch norm when on);
        dW[l] = a[l-1]^T delta[l], db[l] = sum over samples of delta[l]. Penalties:
        L = data loss + l1 sum|W| + (l2 / 2) sum W^2, so dW += l1 sign(W) + l2 W.
        With a workspace the hidden deltas live in its reused arrays (dW, db are new).
        """
        return self._pass_backward(record, y, loss, l1, l2, workspace)

    def _pass_backward(self, record, y, loss, l1, l2, workspace) -> BackwardRecord:
        check_loss(loss, self.output)
        n_layers = len(self.weights)
        z_out, a_out = record.z[-1], record.a[-1]
        y = prepare_targets(y, loss, z_out.shape[0], z_out.shape[1])
        data_loss, delta = output_loss(loss, self._output[1], z_out, a_out, y)
        deltas, dW, db = [None] * n_layers, [None] * n_layers, [None] * n_layers
        dgamma, dbeta = [None] * len(self.bn_gamma), [None] * len(self.bn_gamma)
        for layer in range(n_layers - 1, -1, -1):
            if layer < n_layers - 1:
                delta = self._hidden_delta(layer, delta, record, workspace, dgamma, dbeta)
            deltas[layer] = delta
            dW[layer] = np.dot(record.layer_input(layer).T, delta)  # dL/dW = a_prev^T delta
            db[layer] = np.dot(_ones(delta.shape[0]), delta)  # dL/db = sum_n delta
        if l1 or l2:
            dW = [g + penalty_gradient(W, l1, l2) for g, W in zip(dW, self.weights, strict=True)]
        extra = penalty(self.weights, l1, l2)
        grads = map(tuple, (deltas, dW, db, dgamma, dbeta))
        return BackwardRecord(data_loss + extra, data_loss, extra, *grads)

    @_overflow_is_a_value
    def loss_and_grads(self, X, y, loss="mse", l1=0.0, l2=0.0, training=False, rng=None):
        """Forward and backward in one call: ``(loss, dW list, db list)``.

        The intermediate arrays stay in the network's own workspace (nothing of them is
        returned), so repeated calls with the same batch size allocate almost nothing.
        """
        X = self._check_inputs(X)
        # small arrays come from malloc's free lists anyway: skip the bookkeeping
        workspace = self._workspace if len(X) * max(self.sizes) >= 4096 else None
        record = self._pass_forward(X, training, rng, workspace)  # X checked: one check
        back = self._pass_backward(record, y, loss, l1, l2, workspace)
        return back.loss, list(back.dW), list(back.db)

    @_overflow_is_a_value
    def compute_loss(self, X, y, loss="mse", l1=0.0, l2=0.0, training=False, rng=None) -> float:
        """The loss (data loss plus penalties) at the current weights, without gradients."""
        return self.data_loss(self.forward(X, training, rng), y, loss) + self.penalty(l1, l2)

    @_overflow_is_a_value
    def data_loss(self, record: ForwardRecord, y, loss: str = "mse") -> float:
        """The loss of a forward record's output against y, without penalties."""
        check_loss(loss, self.output)
        z, a = record.z[-1], record.a[-1]
        return output_loss(loss, self._output[1], z, a, prepare_targets(y, loss, *z.shape))[0]

    def penalty(self, l1: float = 0.0, l2: float = 0.0) -> float:
        """The regularization term of the loss: see :func:`core.nn.losses.penalty`."""
        return penalty(self.weights, l1, l2)

    def predict(self, X) -> np.ndarray:
        """The output a[L-1] in evaluation mode (no dropout, running batch-norm statistics)."""
        return self.forward(X).output

    def update_running_stats(self, record: ForwardRecord, momentum: float = BN_MOMENTUM) -> None:
        """Fold a training record's batch statistics into the running ones (torch rule)."""
        for layer in range(len(self.bn_gamma)):
            running = (self.bn_running_mean[layer], self.bn_running_var[layer])
            batch = (record.bn_mean[layer], record.bn_var[layer], record.inputs.shape[0])
            update_running_stats(*running, *batch, momentum)

    def parameters(self) -> list[np.ndarray]:
        """All trainable arrays in flat order: W0, b0, W1, b1, ..., gamma0, beta0, ..."""
        pairs = [p for wb in zip(self.weights, self.biases, strict=True) for p in wb]
        return pairs + [p for gb in zip(self.bn_gamma, self.bn_beta, strict=True) for p in gb]

    @property
    def n_params(self) -> int:
        """Number of trainable scalars P."""
        return sum(p.size for p in self.parameters())

    def get_flat(self) -> np.ndarray:
        """A new (P,) vector of every parameter in :meth:`parameters` order."""
        return np.concatenate([p.ravel() for p in self.parameters()])

    def set_flat(self, vector) -> None:
        """Write a (P,) vector back into the parameter arrays, in place."""
        vector = np.asarray(vector, dtype=np.float64)
        params = self.parameters()
        if vector.shape != (sum(p.size for p in params),):
            raise ValueError(f"vector must have shape ({self.n_params},), got {vector.shape}")
        offset = 0
        for p in params:
            p[...] = vector[offset : offset + p.size].reshape(p.shape)
            offset += p.size

    def flatten_grads(self, dW, db, dgamma=(), dbeta=()) -> np.ndarray:
        """Gradients in the same flat order as :meth:`get_flat`."""
        pairs = [g for wb in zip(dW, db, strict=True) for g in wb]
        pairs += [g for gb in zip(dgamma, dbeta, strict=True) for g in gb]
        return np.concatenate([g.ravel() for g in pairs])

    def copy(self) -> MLP:
        """An independent network with copies of every array."""
        twin = object.__new__(MLP)
        for name in _STATE:
            value = getattr(self, name)
            setattr(twin, name, [p.copy() for p in value] if isinstance(value, list) else value)
        twin._workspace = Workspace()
        return twin

    def _normalize(self, layer: int, z: np.ndarray, training: bool, bn: list) -> np.ndarray:
        """Batch norm of a hidden layer's z; its pieces go into the record's ``bn`` slots."""
        stats = (self.bn_gamma[layer], self.bn_beta[layer])
        stats += (self.bn_running_mean[layer], self.bn_running_var[layer])
        pieces = batch_norm_forward(z, *stats, training)  # hat, gamma hat + beta, mean, var
        for slot, value in zip(bn, pieces, strict=True):
            slot[layer] = value
        return pieces[1]

    def _hidden_delta(self, layer, delta, record, workspace, dgamma, dbeta) -> np.ndarray:
        """The error signal dL/dz of hidden layer ``layer`` from the next layer's delta."""
        shape = (len(delta), self.sizes[layer + 1])
        buffer = layer_buffer(workspace, "da", layer, shape)
        da = np.dot(delta, self.weights[layer + 1].T, out=buffer)  # dL/da = delta_next W_next^T
        if record.masks[layer] is not None:
            da *= record.masks[layer]  # only kept units pass the signal, scaled by 1/(1-p)
        u = record.z[layer] if record.bn_out[layer] is None else record.bn_out[layer]
        scratch = layer_buffer(workspace, "scratch", layer, shape)
        delta = self._hidden[layer][1](da, u, record.activated[layer], scratch)  # dL/da f'(u)
        if self.batch_norm:  # then on through the normalization to dL/dz
            stats = (record.bn_hat[layer], record.bn_var[layer], self.bn_gamma[layer])
            delta, dgamma[layer], dbeta[layer] = batch_norm_backward(delta, *stats, record.training)
        return delta

    def _check_inputs(self, X) -> np.ndarray:
        try:
            X = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(f"X must be numbers of shape (n, {self.sizes[0]})") from None
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise ValueError(f"X must have shape (n, {self.sizes[0]}), got {X.shape}")
        if len(X) == 0:
            raise ValueError("X must hold at least 1 sample (an empty batch has no mean loss)")
        if not np.isfinite(X).all():
            raise ValueError("X must hold finite numbers (no NaN or inf)")
        if len(X) * sum(self.sizes) > MAX_ACTIVATIONS:
            check_work_size(self.sizes, len(X))
        return X

    def __repr__(self) -> str:
        act = self.activations[0] if len(set(self.activations)) == 1 else list(self.activations)
        return (
            f"MLP({list(self.sizes)}, activation={act!r}, output={self.output!r}, "
            f"init={self.init!r}, dropout={self.dropout:g}, batch_norm={self.batch_norm}, "
            f"params={self.n_params})"
        )


_STATE = (
    "sizes activations output init seed dropout batch_norm _hidden _output weights biases "
    "bn_gamma bn_beta bn_running_mean bn_running_var"
).split()


@functools.lru_cache(maxsize=16)
def _ones(n: int) -> np.ndarray:
    """A cached read-only vector of n ones: summing rows as a matrix product is 3x faster."""
    ones = np.ones(n)
    ones.flags.writeable = False
    return ones
