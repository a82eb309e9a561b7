"""Loss functions with torch's conventions, and the error signal they send into the output.

* ``mse``: mean over all elements of (prediction - y)^2 (``torch.nn.MSELoss``).
* ``bce``: binary cross-entropy on a sigmoid output (``torch.nn.BCEWithLogitsLoss``),
  computed from the pre-activation z as max(z, 0) - z y + log(1 + exp(-|z|)).
* ``cross_entropy``: softmax cross-entropy with integer class indices, mean over samples
  (``torch.nn.CrossEntropyLoss``), computed as logsumexp(z) - z_y.

Both cross-entropies are computed from z rather than from the saturated probability, so a
confidently wrong network gets a large finite loss instead of log(0) = -inf.
"""

from __future__ import annotations

import numpy as np

LOSSES: tuple[str, ...] = ("mse", "bce", "cross_entropy")
# The output function each loss needs (None: any output).
LOSS_OUTPUT: dict[str, str | None] = {"mse": None, "bce": "sigmoid", "cross_entropy": "softmax"}


def check_loss(loss: str, output: str) -> None:
    """Raise ValueError unless ``loss`` is known and fits the ``output`` function."""
    if loss not in LOSS_OUTPUT:
        raise ValueError(f"loss must be one of {', '.join(LOSSES)}; got {loss!r}")
    needed = LOSS_OUTPUT[loss]
    if needed is not None and output != needed:
        raise ValueError(f"loss {loss!r} needs output {needed!r}, got output {output!r}")


def prepare_targets(y, loss: str, n: int, n_out: int) -> np.ndarray:
    """Validate targets for ``loss``: float (n, n_out) for mse/bce, int (n,) for cross_entropy."""
    y = np.asarray(y)
    if loss == "cross_entropy":
        if y.shape != (n,) or y.dtype.kind not in "iu":
            raise ValueError(f"y must be {n} integer class indices, got {y.dtype} {y.shape}")
        if n and (y.min() < 0 or y.max() >= n_out):
            raise ValueError(f"y class indices must be in [0, {n_out - 1}]")
        return y
    if y.dtype.kind not in "biuf":
        raise ValueError(f"y must be numeric, got dtype {y.dtype}")
    y = y.astype(np.float64, copy=False)
    if not np.isfinite(y).all():
        raise ValueError("y must hold finite numbers (no NaN or inf)")
    if y.ndim == 1 and n_out == 1:
        y = y.reshape(-1, 1)
    if y.shape != (n, n_out):
        raise ValueError(f"y must have shape ({n}, {n_out}), got {y.shape}")
    if loss == "bce" and n and (y.min() < 0.0 or y.max() > 1.0):
        raise ValueError("y for bce must lie in [0, 1]")
    return y


def output_loss(loss: str, out_grad, z: np.ndarray, a: np.ndarray, y: np.ndarray):
    """Loss and output error signal delta = dL/dz of the last layer.

    Parameters
    ----------
    loss : str
        ``mse``, ``bce`` or ``cross_entropy``.
    out_grad : callable
        The output function's backward (dL/da, z, a) -> dL/dz, used by mse.
    z, a : ndarray, shape (n, n_out)
        Pre-activation and output of the last layer.
    y : ndarray
        Targets as :func:`prepare_targets` returns them.

    Returns
    -------
    (float, ndarray)
        mse: L = mean((a - y)^2), delta = f'(z) * 2 (a - y) / (n n_out);
        bce: delta = (sigmoid(z) - y) / (n n_out);
        cross_entropy: delta = (softmax(z) - onehot(y)) / n.
    """
    if loss == "mse":
        diff = a - y
        flat = diff.reshape(-1)
        value = float(np.dot(flat, flat)) / flat.size
        diff *= 2.0 / flat.size  # dL/da = 2 (a - y) / N
        return value, out_grad(diff, z, a)
    if loss == "bce":
        # log(1 + e^-|z|) + max(z, 0) - z y  ==  -[y log sigma(z) + (1 - y) log(1 - sigma(z))]
        terms = np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0.0) - z * y
        return float(terms.mean()), (a - y) / y.size  # dL/dz = (sigma(z) - y) / N
    return _cross_entropy(z, a, y)


def _cross_entropy(z: np.ndarray, a: np.ndarray, y: np.ndarray):
    n = z.shape[0]
    rows = np.arange(n)
    shift = z.max(axis=1)
    log_sum_exp = shift + np.log(np.exp(z - shift[:, None]).sum(axis=1))
    value = float(np.mean(log_sum_exp - z[rows, y])) if n else 0.0
    delta = a.copy()
    delta[rows, y] -= 1.0  # dL/dz = softmax(z) - onehot(y), then the mean's 1/n
    delta /= max(n, 1)
    return value, delta


def penalty(weights, l1: float = 0.0, l2: float = 0.0) -> float:
    """The regularization term l1 sum|W| + (l2 / 2) sum W^2 over the weight matrices.

    Biases are not penalized. The l2 convention makes its gradient l2 W, the same as
    torch's ``weight_decay`` for plain SGD.
    """
    if not (l1 >= 0 and l2 >= 0):
        raise ValueError(f"l1 and l2 must be >= 0, got l1={l1}, l2={l2}")
    if not (l1 or l2):
        return 0.0
    return float(sum(l1 * np.abs(W).sum() + 0.5 * l2 * np.vdot(W, W) for W in weights))


def penalty_gradient(W: np.ndarray, l1: float, l2: float) -> np.ndarray:
    """d/dW of the penalty: l1 sign(W) + l2 W (sign(0) = 0, as torch's subgradient)."""
    return l1 * np.sign(W) + l2 * W


def targets_from_labels(labels: np.ndarray, loss: str, n_out: int) -> np.ndarray:
    """Turn class labels (n,) into the targets a loss expects for an ``n_out``-unit output.

    cross_entropy keeps the indices; with one output unit mse/bce get the labels as a
    (n, 1) column of 0/1; with several they get one-hot rows.
    """
    labels = np.asarray(labels)
    if loss == "cross_entropy" or labels.dtype.kind == "f":
        return labels
    if n_out == 1:
        return labels.astype(np.float64).reshape(-1, 1)
    onehot = np.zeros((labels.size, n_out))
    onehot[np.arange(labels.size), labels] = 1.0
    return onehot


def accuracy(output: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of samples whose predicted class equals the label.

    One output unit: class 1 when the output exceeds 0.5; several: the largest output.
    """
    if output.shape[0] == 0:
        return 0.0
    if output.shape[1] == 1:
        predicted = (output[:, 0] > 0.5).astype(np.int64)
    else:
        predicted = output.argmax(axis=1)
    return float(np.mean(predicted == np.asarray(labels).reshape(-1)))
