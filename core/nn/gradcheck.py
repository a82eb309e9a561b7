"""Gradient check: backpropagation against central finite differences, layer by layer.

For every parameter theta_i the numerical derivative is
(L(theta + eps e_i) - L(theta - eps e_i)) / (2 eps), accurate to O(eps^2). Per layer the
relative error ||g_backprop - g_numeric|| / (||g_backprop|| + ||g_numeric||) is about 1e-9
or smaller when backprop is right, and of order 1 when a formula is wrong.
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
    net: MLP, X, y, loss="mse", l1=0.0, l2=0.0, training=False, seed=0, eps=1e-6
) -> list[np.ndarray]:
    """Central differences of the loss for every parameter, shaped like ``net.parameters()``.

    With ``training=True`` every evaluation draws the same dropout masks (a fresh
    Generator seeded with ``seed``) and batch norm uses batch statistics. The network is
    left exactly as it was.
    """
    if not eps > 0:
        raise ValueError(f"eps must be > 0, got {eps}")

    def loss_at() -> float:
        rng = np.random.default_rng(seed)
        return net.compute_loss(X, y, loss, l1, l2, training, rng)

    grads = []
    for p in net.parameters():
        g = np.empty_like(p)
        flat, g_flat = p.reshape(-1), g.reshape(-1)
        for i in range(flat.size):
            saved = flat[i]
            flat[i] = saved + eps
            plus = loss_at()
            flat[i] = saved - eps
            minus = loss_at()
            flat[i] = saved
            g_flat[i] = (plus - minus) / (2.0 * eps)
        grads.append(g)
    return grads


def gradient_check(
    net: MLP, X, y, loss="mse", l1=0.0, l2=0.0, training=False, seed=0, eps=1e-6
) -> GradCheckResult:
    """Compare backprop with :func:`numerical_gradients`; errors per layer."""
    record = net.forward(X, training, np.random.default_rng(seed))
    back = net.backward(record, y, loss, l1, l2)
    analytic = [g for pair in zip(back.dW, back.db, strict=True) for g in pair]
    analytic += [g for pair in zip(back.dgamma, back.dbeta, strict=True) for g in pair]
    numeric = numerical_gradients(net, X, y, loss, l1, l2, training, seed, eps)
    errors = np.array([relative_error(a, n) for a, n in zip(analytic, numeric, strict=True)])
    abs_errors = np.array(
        [np.max(np.abs(a - n), initial=0.0) for a, n in zip(analytic, numeric, strict=True)]
    )
    n_w = 2 * net.n_layers
    return GradCheckResult(
        errors[0:n_w:2], errors[1:n_w:2], errors[n_w::2], errors[n_w + 1 :: 2], abs_errors
    )
