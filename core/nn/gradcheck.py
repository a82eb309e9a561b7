"""Gradient check: backpropagation against central finite differences, layer by layer.

For every parameter theta_i the numerical derivative is
(L(theta + eps e_i) - L(theta - eps e_i)) / (2 eps), accurate to O(eps^2). Per layer the
relative error ||g_backprop - g_numeric|| / (||g_backprop|| + ||g_numeric||) is about 1e-9
or smaller when backprop is right, and of order 1 when a formula is wrong.

`core.nn.gradcheck_frame.gradient_check_at` checks a training frame the way the
gradient-check panel shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.nn.network import MLP

__all__ = ["GradCheckResult", "gradient_check", "numerical_gradients", "relative_error"]


@dataclass(frozen=True, slots=True)
class GradCheckResult:
    """Relative and absolute errors per layer (weights, biases, batch-norm gamma and beta)."""

    weight_errors: np.ndarray
    bias_errors: np.ndarray
    gamma_errors: np.ndarray
    beta_errors: np.ndarray
    abs_errors: np.ndarray  # largest |backprop - numeric| of each parameter array, flat order
    kinks: np.ndarray | None = None  # entries left out at a ReLU kink, per array (flat order)

    @property
    def max_error(self) -> float:
        """The largest relative error of any layer."""
        parts = (self.weight_errors, self.bias_errors, self.gamma_errors, self.beta_errors)
        return float(max((p.max() for p in parts if p.size), default=0.0))

    def ok(self, rtol: float = 1e-5, atol: float = 1e-8) -> bool:
        """True when every parameter array passes: relative error <= rtol or all |diff| <= atol."""
        rel = np.concatenate(
            [
                np.column_stack([self.weight_errors, self.bias_errors]).ravel(),
                np.column_stack([self.gamma_errors, self.beta_errors]).ravel(),
            ]
        )
        return bool(np.all((rel <= rtol) | (self.abs_errors <= atol)))

    def __repr__(self) -> str:
        w = ", ".join(f"{e:.1e}" for e in self.weight_errors)
        b = ", ".join(f"{e:.1e}" for e in self.bias_errors)
        return f"GradCheckResult(weights=[{w}], biases=[{b}], max={self.max_error:.1e})"


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||a - n|| / (||a|| + ||n||), and 0 when both are exactly zero."""
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return float(np.linalg.norm(analytic - numeric) / scale) if scale > 0 else 0.0


def numerical_gradients(
    net: MLP, X, y, loss="mse", l1=0.0, l2=0.0, training=False, seed=0, eps=1e-6, entries=None
) -> list[np.ndarray]:
    """Central differences of the loss for every parameter, shaped like ``net.parameters()``.

    dL/dtheta_i ~ (L(theta + eps e_i) - L(theta - eps e_i)) / (2 eps). With ``training=True``
    every evaluation draws the same dropout masks (a fresh Generator seeded with ``seed``)
    and batch norm uses batch statistics. ``entries``: per parameter array, the flat
    indices to differentiate (None: all); the result then holds those derivatives only, as
    1-D arrays. The network is left exactly as it was.
    """
    return _differences(net, X, y, loss, l1, l2, training, seed, eps, entries)[0]


def _differences(net, X, y, loss, l1, l2, training, seed, eps, entries):
    """(derivatives, crossed): ``crossed[k][i]`` is True where the evaluations at +eps and
    -eps switched a ReLU-like unit of some sample on or off (a kink lies in between, and the
    difference quotient averages two slopes there)."""
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps}")
    kinked = [k for k, name in enumerate(net.activations) if name in _KINKED]

    def loss_at() -> tuple[float, list]:
        record = net.forward(X, training, np.random.default_rng(seed))
        value = net.data_loss(record, y, loss) + net.penalty(l1, l2)
        inputs = [record.z[k] if record.bn_out[k] is None else record.bn_out[k] for k in kinked]
        return value, [u > 0 for u in inputs]  # which side of the kink each unit is on

    params = net.parameters()
    entries = [None] * len(params) if entries is None else entries
    grads, crossed = [], []
    for p, chosen in zip(params, entries, strict=True):
        flat = p.reshape(-1)
        indices = range(flat.size) if chosen is None else chosen
        g_flat, switched = np.empty(len(indices)), np.zeros(len(indices), dtype=bool)
        for k, i in enumerate(indices):
            saved = flat[i]
            flat[i] = saved + eps
            plus, sides_plus = loss_at()
            flat[i] = saved - eps
            minus, sides_minus = loss_at()
            flat[i] = saved
            g_flat[k] = (plus - minus) / (2.0 * eps)
            switched[k] = any(np.any(a != b) for a, b in zip(sides_plus, sides_minus, strict=True))
        grads.append(g_flat.reshape(p.shape) if chosen is None else g_flat)
        crossed.append(switched.reshape(p.shape) if chosen is None else switched)
    return grads, crossed


_KINKED = ("relu", "leaky_relu")  # activations whose derivative jumps at 0


def gradient_check(
    net: MLP,
    X,
    y,
    loss="mse",
    l1=0.0,
    l2=0.0,
    training=False,
    seed=0,
    eps=1e-6,
    entries=None,
    skip_kinks=False,
) -> GradCheckResult:
    """Compare backprop with :func:`numerical_gradients`; errors per layer.

    ``entries``: per parameter array, the flat indices compared (None: every entry).
    ``skip_kinks``: leave out entries whose +eps and -eps evaluations lie on two sides of a
    ReLU kink (counted in ``kinks``), where the difference quotient is no derivative.
    """
    record = net.forward(X, training, np.random.default_rng(seed))
    back = net.backward(record, y, loss, l1, l2)
    analytic = [g for pair in zip(back.dW, back.db, strict=True) for g in pair]
    analytic += [g for pair in zip(back.dgamma, back.dbeta, strict=True) for g in pair]
    if entries is not None:
        analytic = [a.ravel()[chosen] for a, chosen in zip(analytic, entries, strict=True)]
    numeric, crossed = _differences(net, X, y, loss, l1, l2, training, seed, eps, entries)
    if skip_kinks:
        analytic = [a[~c] for a, c in zip(analytic, crossed, strict=True)]
        numeric = [n[~c] for n, c in zip(numeric, crossed, strict=True)]
    pairs = list(zip(analytic, numeric, strict=True))
    errors = np.array([relative_error(a, n) for a, n in pairs])
    abs_errors = np.array([np.max(np.abs(a - n), initial=0.0) for a, n in pairs])
    kinks = np.array([int(c.sum()) if skip_kinks else 0 for c in crossed])
    n_w = 2 * net.n_layers
    return GradCheckResult(
        errors[0:n_w:2], errors[1:n_w:2], errors[n_w::2], errors[n_w + 1 :: 2], abs_errors, kinks
    )
