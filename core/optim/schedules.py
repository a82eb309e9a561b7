"""Learning-rate schedules, gradient clipping and gradient noise.

Schedules are closed forms of ``torch.optim.lr_scheduler``: the learning rate used by
update number ``t`` (counting from 0, before any ``scheduler.step()``) equals what torch's
scheduler gives after ``t`` calls of ``scheduler.step()``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

SCHEDULES = ("constant", "step", "exponential", "cosine", "warmup_cosine")
CLIP_MODES = ("none", "value", "norm")


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    """A learning-rate schedule.

    kinds (``lr0`` the base learning rate, ``t`` the update index from 0):
      constant       lr0
      step           lr0 * gamma^floor(t / step_size)               (StepLR)
      exponential    lr0 * gamma^t                                  (ExponentialLR)
      cosine         eta_min + (lr0 - eta_min) (1 + cos(pi t / t_max)) / 2  (CosineAnnealingLR)
      warmup_cosine  lr0 (t + 1) / warmup for t < warmup (LinearLR from 1/warmup), then
                     cosine from lr0 to eta_min over t_max - warmup updates (SequentialLR)
    """

    kind: str = "constant"
    step_size: int = 100
    gamma: float = 0.5
    t_max: int = 1000
    warmup: int = 50
    eta_min: float = 0.0

    def __post_init__(self) -> None:
        if self.kind not in SCHEDULES:
            raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}; got {self.kind!r}")
        _check_int("schedule step_size", self.step_size, 1)
        _check_int("schedule t_max", self.t_max, 1)
        _check_int("schedule warmup", self.warmup, 1)
        if not (math.isfinite(self.gamma) and 0 < self.gamma <= 1):
            raise ValueError(f"schedule gamma must be in (0, 1], got {self.gamma!r}")
        if not (math.isfinite(self.eta_min) and self.eta_min >= 0):
            raise ValueError(f"schedule eta_min must be >= 0, got {self.eta_min!r}")
        if self.kind == "warmup_cosine" and self.warmup >= self.t_max:
            raise ValueError(
                f"schedule warmup must be < t_max ({self.t_max}) for warmup_cosine, "
                f"got {self.warmup}"
            )

    def to_dict(self) -> dict:
        return asdict(self)


def _check_int(field: str, value: object, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise ValueError(f"{field} must be an integer >= {low}, got {value!r}")


def learning_rate_at(spec: ScheduleSpec, base_lr: np.ndarray, step: int) -> np.ndarray:
    """The learning rate(s) for update number ``step`` (0 = the first update).

    A constant schedule returns ``base_lr`` itself (no copy): callers must not modify it.
    """
    base_lr = np.asarray(base_lr, dtype=np.float64)
    t = int(step)
    if spec.kind == "constant":
        return base_lr
    if spec.kind == "step":
        return base_lr * spec.gamma ** (t // spec.step_size)
    if spec.kind == "exponential":
        return base_lr * spec.gamma**t
    if spec.kind == "cosine":
        return _cosine(base_lr, spec.eta_min, t, spec.t_max)
    if t < spec.warmup:
        return base_lr * ((t + 1) / spec.warmup)
    return _cosine(base_lr, spec.eta_min, t - spec.warmup, spec.t_max - spec.warmup)


def _cosine(base_lr: np.ndarray, eta_min: float, t: int, t_max: int) -> np.ndarray:
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / t_max)) / 2


@dataclass(frozen=True, slots=True)
class ClipSpec:
    """Gradient clipping: ``none``, ``value`` (clamp each component to [-c, c]) or
    ``norm`` (rescale each run's whole gradient to norm <= c, as ``clip_grad_norm_``)."""

    mode: str = "none"
    threshold: float = 1.0

    def __post_init__(self) -> None:
        if self.mode not in CLIP_MODES:
            raise ValueError(f"clip mode must be one of {', '.join(CLIP_MODES)}; got {self.mode!r}")
        if not (math.isfinite(self.threshold) and self.threshold > 0):
            raise ValueError(f"clip threshold must be > 0, got {self.threshold!r}")

    def to_dict(self) -> dict:
        return asdict(self)


def clip_gradients(grad: np.ndarray, spec: ClipSpec) -> np.ndarray:
    """Clip a ``(K, P)`` gradient per run (row).

    norm mode, as ``torch.nn.utils.clip_grad_norm_``:
        g <- g * min(1, c / (||g||_2 + 1e-6))
    """
    if spec.mode == "none":
        return grad
    if spec.mode == "value":
        return np.clip(grad, -spec.threshold, spec.threshold)
    norm = np.sqrt(np.sum(grad * grad, axis=-1, keepdims=True))
    return grad * np.minimum(spec.threshold / (norm + 1e-6), 1.0)


class GradientNoise:
    """Adds seeded Gaussian noise of scale ``sigma`` to gradients: g + sigma * N(0, 1)."""

    def __init__(self, sigma: float, seed: int = 0) -> None:
        if not (math.isfinite(sigma) and sigma >= 0):
            raise ValueError(f"noise must be >= 0, got {sigma!r}")
        self.sigma = float(sigma)
        self.seed = seed
        self._rng = np.random.default_rng(seed)

    def __call__(self, grad: np.ndarray) -> np.ndarray:
        if self.sigma == 0:
            return grad
        return grad + self.sigma * self._rng.standard_normal(grad.shape)

    def __repr__(self) -> str:
        return f"GradientNoise(sigma={self.sigma:g}, seed={self.seed})"
