"""Optimizers vectorized over K parallel runs, following ``torch.optim`` exactly.

Every optimizer updates a ``(K, P)`` parameter array (K independent runs, P parameters
each) in a handful of NumPy operations per step, with per-run hyperparameters given as
scalars or length-K arrays. The update rules, default hyperparameters, bias corrections
and even the order of floating-point operations follow ``torch.optim`` (single-tensor
code path), so a run here reproduces a torch run to rounding error.

Notation in the docstrings: ``g`` the gradient, ``p`` the parameters, ``t`` the step
count starting at 1, ``lr`` the learning rate of this step.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from core.optim.base import Optimizer, as_run_array, enabled, select
from core.optim.schedules import (
    ClipSpec,
    GradientNoise,
    ScheduleSpec,
    clip_gradients,
    learning_rate_at,
)

__all__ = [
    "OPTIMIZERS",
    "ClipSpec",
    "GradientNoise",
    "Optimizer",
    "ScheduleSpec",
    "clip_gradients",
    "learning_rate_at",
    "make_optimizer",
    "optimizer_names",
]


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum (``torch.optim.SGD``).

    g <- g + weight_decay * p
    if momentum != 0:  b <- g (t = 1),  b <- momentum * b + (1 - dampening) * g (t > 1)
                       g <- g + momentum * b (nesterov)  or  g <- b
    p <- p - lr * g
    """

    name = "gd"
    defaults: ClassVar[dict[str, float]] = {
        "momentum": 0.0,
        "dampening": 0.0,
        "nesterov": 0.0,
        "weight_decay": 0.0,
    }

    def _update(self, p, g, lr):
        h = self.hyper
        g = self._decayed(p, g)
        uses_momentum = h["momentum"] != 0
        if enabled(h["momentum"]):
            if self.t == 1:
                buf = g.copy()
            else:
                buf = self.state["momentum_buffer"] * h["momentum"] + (1 - h["dampening"]) * g
            self.state["momentum_buffer"] = buf
            momentum_g = select(h["nesterov"] != 0, g + h["momentum"] * buf, buf)
            g = select(uses_momentum, momentum_g, g)
            self.velocity = select(uses_momentum, buf, np.zeros_like(buf))
        return p - lr * g


class Momentum(SGD):
    """SGD with heavy-ball momentum 0.9 and no dampening (``SGD(momentum=0.9)``)."""

    name = "momentum"
    defaults: ClassVar[dict[str, float]] = {**SGD.defaults, "momentum": 0.9}


class Nesterov(SGD):
    """SGD with Nesterov momentum 0.9 (``SGD(momentum=0.9, nesterov=True)``)."""

    name = "nesterov"
    defaults: ClassVar[dict[str, float]] = {**SGD.defaults, "momentum": 0.9, "nesterov": 1.0}


class Adagrad(Optimizer):
    """Adagrad (``torch.optim.Adagrad``).

    g <- g + weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)
    s <- s + g^2                      (s starts at initial_accumulator_value)
    p <- p - clr * g / (sqrt(s) + eps)
    """

    name = "adagrad"
    defaults: ClassVar[dict[str, float]] = {
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    }

    def _update(self, p, g, lr):
        h = self.hyper
        g = self._decayed(p, g)
        clr = lr / (1 + (self.t - 1) * h["lr_decay"])
        s = self._state("sum", p, fill=h["initial_accumulator_value"])
        s = s + g * g
        self.state["sum"] = s
        return p - clr * (g / (np.sqrt(s) + h["eps"]))


class RMSprop(Optimizer):
    """RMSprop (``torch.optim.RMSprop``).

    g <- g + weight_decay * p
    v <- alpha * v + (1 - alpha) * g^2
    centered:  m <- m + (1 - alpha) * (g - m);  d = sqrt(v - m^2) + eps
    otherwise: d = sqrt(v) + eps
    momentum > 0:  b <- momentum * b + g / d;  p <- p - lr * b
    otherwise:     p <- p - lr * g / d
    """

    name = "rmsprop"
    defaults: ClassVar[dict[str, float]] = {
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": 0.0,
    }

    def _update(self, p, g, lr):
        h = self.hyper
        g = self._decayed(p, g)
        v = self._state("square_avg", p) * h["alpha"] + (1 - h["alpha"]) * g * g
        self.state["square_avg"] = v
        avg = v
        if enabled(h["centered"]):
            m = _lerp(self._state("grad_avg", p), g, 1 - h["alpha"])
            self.state["grad_avg"] = m
            avg = select(h["centered"] != 0, np.maximum(v - m * m, 0.0), v)
        avg = np.sqrt(avg) + h["eps"]
        step = g / avg
        if enabled(h["momentum"]):
            buf = self._state("momentum_buffer", p) * h["momentum"] + step
            self.state["momentum_buffer"] = buf
            step = select(h["momentum"] > 0, buf, step)
            self.velocity = select(h["momentum"] > 0, buf, np.zeros_like(buf))
        return p - lr * step


class Adam(Optimizer):
    """Adam (``torch.optim.Adam``), with ``amsgrad`` as an option.

    g <- g + weight_decay * p                      (L2 penalty folded into g)
    m <- m + (1 - beta1) * (g - m)
    v <- beta2 * v + (1 - beta2) * g^2
    v_max <- max(v_max, v)                         (amsgrad only; then v_max replaces v)
    p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """

    name = "adam"
    decoupled = False
    defaults: ClassVar[dict[str, float]] = {
        "beta1": 0.9,
        "beta2": 0.999,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "amsgrad": 0.0,
    }

    def _update(self, p, g, lr):
        h = self.hyper
        if self.decoupled:
            p = p * (1 - lr * h["weight_decay"])
        else:
            g = self._decayed(p, g)
        # the moments are our own buffers: update them in place (same arithmetic as torch)
        m = _lerp_(self._state("exp_avg", p), g, 1 - h["beta1"])
        v = self._state("exp_avg_sq", p)
        v *= h["beta2"]
        v += (1 - h["beta2"]) * g * g
        if enabled(h["amsgrad"]):
            v_max = np.maximum(self._state("max_exp_avg_sq", p), v)
            self.state["max_exp_avg_sq"] = v_max
            v = select(h["amsgrad"] != 0, v_max, v)
        step_size = lr / (1 - h["beta1"] ** self.t)
        denom = np.sqrt(v)
        denom /= np.sqrt(1 - h["beta2"] ** self.t)
        denom += h["eps"]
        update = np.divide(m, denom, out=denom)
        update *= step_size
        self.velocity = m
        return p - update


class AdamW(Adam):
    """AdamW (``torch.optim.AdamW``): Adam with decoupled weight decay (default 0.01).

    p <- p * (1 - lr * weight_decay), then the Adam step without the L2 term.
    """

    name = "adamw"
    decoupled = True
    defaults: ClassVar[dict[str, float]] = {**Adam.defaults, "weight_decay": 0.01}


class AMSGrad(Adam):
    """Adam with the AMSGrad maximum of second moments (``Adam(amsgrad=True)``)."""

    name = "amsgrad"
    defaults: ClassVar[dict[str, float]] = {**Adam.defaults, "amsgrad": 1.0}


class NAdam(Optimizer):
    """NAdam (``torch.optim.NAdam``, momentum_decay 4e-3).

    mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay));  P_t = prod_{i<=t} mu_i
    m <- m + (1 - beta1) * (g - m);  v <- beta2 * v + (1 - beta2) * g^2
    d = sqrt(v / (1 - beta2^t)) + eps
    p <- p - lr * (1 - mu_t) / (1 - P_t) * g / d - lr * mu_{t+1} / (1 - P_t * mu_{t+1}) * m / d
    """

    name = "nadam"
    defaults: ClassVar[dict[str, float]] = {
        "beta1": 0.9,
        "beta2": 0.999,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum_decay": 4e-3,
    }

    def _update(self, p, g, lr):
        h = self.hyper
        g = self._decayed(p, g)
        mu = h["beta1"] * (1.0 - 0.5 * 0.96 ** (self.t * h["momentum_decay"]))
        mu_next = h["beta1"] * (1.0 - 0.5 * 0.96 ** ((self.t + 1) * h["momentum_decay"]))
        mu_product = self.state.get("mu_product", 1.0) * mu
        self.state["mu_product"] = mu_product
        m = _lerp(self._state("exp_avg", p), g, 1 - h["beta1"])
        v = self._state("exp_avg_sq", p) * h["beta2"] + (1 - h["beta2"]) * g * g
        self.state["exp_avg"], self.state["exp_avg_sq"] = m, v
        denom = np.sqrt(v / (1 - h["beta2"] ** self.t)) + h["eps"]
        p = p - lr * (1.0 - mu) / (1.0 - mu_product) * (g / denom)
        self.velocity = m
        return p - lr * mu_next / (1.0 - mu_product * mu_next) * (m / denom)


class Adamax(Optimizer):
    """Adamax (``torch.optim.Adamax``), Adam with an infinity-norm second moment.

    m <- m + (1 - beta1) * (g - m);  u <- max(beta2 * u, |g| + eps)
    p <- p - lr / (1 - beta1^t) * m / u
    """

    name = "adamax"
    defaults: ClassVar[dict[str, float]] = {
        "beta1": 0.9,
        "beta2": 0.999,
        "eps": 1e-8,
        "weight_decay": 0.0,
    }

    def _update(self, p, g, lr):
        h = self.hyper
        g = self._decayed(p, g)
        m = _lerp(self._state("exp_avg", p), g, 1 - h["beta1"])
        u = np.maximum(self._state("exp_inf", p) * h["beta2"], np.abs(g) + h["eps"])
        self.state["exp_avg"], self.state["exp_inf"] = m, u
        self.velocity = m
        return p - lr / (1 - h["beta1"] ** self.t) * (m / u)


class Adadelta(Optimizer):
    """Adadelta (``torch.optim.Adadelta``, rho 0.9, eps 1e-6; torch's default lr is 1.0).

    v <- rho * v + (1 - rho) * g^2
    d = sqrt(u + eps) / sqrt(v + eps) * g
    u <- rho * u + (1 - rho) * d^2
    p <- p - lr * d
    """

    name = "adadelta"
    defaults: ClassVar[dict[str, float]] = {"rho": 0.9, "eps": 1e-6, "weight_decay": 0.0}

    def _update(self, p, g, lr):
        h = self.hyper
        g = self._decayed(p, g)
        v = self._state("square_avg", p) * h["rho"] + (1 - h["rho"]) * g * g
        u = self._state("acc_delta", p)
        delta = np.sqrt(u + h["eps"]) / np.sqrt(v + h["eps"]) * g
        self.state["square_avg"] = v
        self.state["acc_delta"] = u * h["rho"] + (1 - h["rho"]) * delta * delta
        return p - lr * delta


def _lerp_(start: np.ndarray, end: np.ndarray, weight: float | np.ndarray) -> np.ndarray:
    """:func:`_lerp` written into ``start`` (a state buffer we own); returns ``start``."""
    if isinstance(weight, float) and abs(weight) < 0.5:
        step = end - start
        step *= weight
        start += step
    else:
        start[...] = _lerp(start, end, weight)
    return start


def _lerp(start: np.ndarray, end: np.ndarray, weight: float | np.ndarray) -> np.ndarray:
    """``torch.lerp`` as its CPU kernel computes it (two formulas, split at weight 0.5)."""
    if isinstance(weight, float):
        if abs(weight) < 0.5:
            return start + weight * (end - start)
        return end - (end - start) * (1 - weight)
    return np.where(
        np.abs(weight) < 0.5, start + weight * (end - start), end - (end - start) * (1 - weight)
    )


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls
    for cls in (SGD, Momentum, Nesterov, Adagrad, RMSprop, Adam, AdamW, AMSGrad, NAdam)
    + (Adamax, Adadelta)
}


def optimizer_names() -> list[str]:
    """Registered optimizer names, in display order."""
    return list(OPTIMIZERS)


def make_optimizer(name: str, n_runs: int, **hyper: float | np.ndarray) -> Optimizer:
    """Build a registered optimizer for ``n_runs`` parallel runs.

    Parameters
    ----------
    name : str
        One of :func:`optimizer_names`.
    n_runs : int
        K, the number of runs updated together.
    **hyper
        Hyperparameters (scalars or length-K arrays); ``betas=(b1, b2)`` is accepted too.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {name!r}")
    if "betas" in hyper:
        hyper["beta1"], hyper["beta2"] = hyper.pop("betas")
    return OPTIMIZERS[name](n_runs, **hyper)


__all__ += ["as_run_array"]
