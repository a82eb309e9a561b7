"""Random network problems shared by the gradient tests (finite differences and torch).

Not a test module: ``test_gradcheck.py`` and ``test_network_torch.py`` import it.
"""

from __future__ import annotations

import numpy as np

from core.nn.network import MLP

# Every output function with every loss that fits it.
OUTPUT_LOSS = [
    ("linear", "mse"),
    ("sigmoid", "mse"),
    ("softmax", "mse"),
    ("sigmoid", "bce"),
    ("softmax", "cross_entropy"),
]


def random_targets(rng, loss: str, output: str, n: int, n_out: int) -> np.ndarray:
    """Targets of the kind ``loss`` takes: class indices, 0/1 columns, one-hot or real rows."""
    if loss == "cross_entropy":
        return rng.integers(0, n_out, n)
    if loss == "bce":
        return rng.integers(0, 2, (n, n_out)).astype(float)
    if output == "softmax":
        return np.eye(n_out)[rng.integers(0, n_out, n)]
    return rng.normal(size=(n, n_out))


def random_problem(seed: int, widths, n: int, output: str, loss: str, activation: str):
    """(net, X, y): an MLP of ``widths`` (softmax gets >= 2 outputs) with non-zero biases,
    so that db is exercised too, and n random samples with fitting targets."""
    rng = np.random.default_rng(seed)
    sizes = [*widths[:-1], max(2, widths[-1]) if output == "softmax" else widths[-1]]
    net = MLP(sizes, activation=activation, output=output, seed=seed)
    for b in net.biases:
        b[:] = rng.normal(0.0, 0.3, b.shape)
    X = rng.normal(size=(n, sizes[0]))
    return net, X, random_targets(rng, loss, output, n, sizes[-1])
