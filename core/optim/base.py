"""The shared machinery of the vectorized optimizers: hyperparameters, state, steps."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np


def as_run_array(value: float | np.ndarray, n_runs: int, field: str) -> np.ndarray:
    """A hyperparameter as a finite float array of shape ``(n_runs,)``.

    Raises
    ------
    ValueError
        If the value is not finite or has the wrong length; the message names ``field``.
    """
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{field} must be a number, got {value!r}") from None
    if arr.ndim == 0:
        arr = np.full(n_runs, float(arr))
    if arr.shape != (n_runs,):
        raise ValueError(f"{field} must be a scalar or have length {n_runs}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{field} must be finite, got {value!r}")
    return arr


# Allowed ranges of every hyperparameter: (low, high, low inclusive, high inclusive).
_RANGES: dict[str, tuple[float, float, bool, bool]] = {
    "momentum": (0.0, 1.0, True, False),
    "dampening": (0.0, 1.0, True, True),
    "nesterov": (0.0, 1.0, True, True),
    "amsgrad": (0.0, 1.0, True, True),
    "centered": (0.0, 1.0, True, True),
    "weight_decay": (0.0, np.inf, True, False),
    "lr_decay": (0.0, np.inf, True, False),
    "initial_accumulator_value": (0.0, np.inf, True, False),
    "eps": (0.0, np.inf, True, False),
    "alpha": (0.0, 1.0, True, False),
    "beta1": (0.0, 1.0, True, False),
    "beta2": (0.0, 1.0, True, False),
    "rho": (0.0, 1.0, True, True),
    "momentum_decay": (0.0, np.inf, True, False),
}


def enabled(value: float | np.ndarray) -> bool:
    """Whether any run uses a hyperparameter (cheap for the shared-float case)."""
    return value != 0 if isinstance(value, float) else bool(np.any(value))


def select(condition: bool | np.ndarray, if_true: np.ndarray, if_false: np.ndarray) -> np.ndarray:
    """``np.where`` that skips the work when the condition is one shared Python bool."""
    if isinstance(condition, bool | np.bool_):
        return if_true if condition else if_false
    return np.where(condition, if_true, if_false)


def _check_range(field: str, arr: np.ndarray) -> None:
    lo, hi, lo_in, hi_in = _RANGES[field]
    ok = (arr >= lo if lo_in else arr > lo) & (arr <= hi if hi_in else arr < hi)
    if not np.all(ok):
        left, right = "[" if lo_in else "(", "]" if hi_in else ")"
        bad = arr[~ok][0]
        raise ValueError(f"{field} must be in {left}{lo:g}, {hi:g}{right}, got {bad:g}")


class Optimizer(ABC):
    """Base class: K runs stepped together, torch.optim semantics.

    Subclasses define ``name``, ``defaults`` and ``_update(p, g, lr)`` where ``p`` and
    ``g`` are ``(K, P)`` and ``lr`` is read-only, a ``(K, 1)`` column or shaped like ``p``
    (combine it elementwise only). A hyperparameter in ``self.hyper`` is a Python float
    when every run shares it (the common case, and the cheap one) and a ``(K, 1)`` column
    otherwise, so one expression updates all runs.
    """

    name: ClassVar[str] = ""
    defaults: ClassVar[dict[str, float]] = {}

    def __init__(self, n_runs: int, **hyper: float | np.ndarray) -> None:
        if not isinstance(n_runs, int | np.integer) or n_runs < 1:
            raise ValueError(f"n_runs must be an integer >= 1, got {n_runs!r}")
        unknown = sorted(set(hyper) - set(self.defaults))
        if unknown:
            allowed = ", ".join(self.defaults) or "none"
            raise ValueError(
                f"{self.name} has no hyperparameter {unknown[0]!r} (allowed: {allowed})"
            )
        self.n_runs = int(n_runs)
        self.hyper: dict[str, float | np.ndarray] = {}
        for field, default in self.defaults.items():
            arr = as_run_array(hyper.get(field, default), self.n_runs, field)
            _check_range(field, arr)
            self.hyper[field] = float(arr[0]) if np.all(arr == arr[0]) else arr[:, None]
        if "nesterov" in self.hyper:
            h = self.hyper
            bad = (np.asarray(h["nesterov"]) != 0) & (
                (np.asarray(h["momentum"]) <= 0) | (np.asarray(h["dampening"]) != 0)
            )
            if np.any(bad):
                raise ValueError("nesterov requires momentum > 0 and dampening = 0")
        self.reset()

    def reset(self) -> None:
        """Forget all state (step count, moments, buffers)."""
        self.t = 0
        self.state: dict[str, np.ndarray | float] = {}
        self.velocity: np.ndarray | None = None
        self._lr_seen: tuple[np.ndarray | None, int, np.ndarray | None] = (None, 0, None)

    def step(self, params: np.ndarray, grad: np.ndarray, lr: float | np.ndarray) -> np.ndarray:
        """Apply one update to every run and return the new ``(K, P)`` parameters.

        Parameters
        ----------
        params, grad : ndarray, shape (K, P)
        lr : float or ndarray, shape (K,)
            The learning rate of this step (after any schedule).
        """
        params = np.asarray(params, dtype=np.float64)
        grad = np.asarray(grad, dtype=np.float64)
        if params.ndim != 2 or params.shape[0] != self.n_runs or grad.shape != params.shape:
            raise ValueError(
                f"params and grad must both have shape ({self.n_runs}, P); "
                f"got {params.shape} and {grad.shape}"
            )
        lr_like = self._lr_like(lr, params.shape[1])
        self.t += 1
        return self._update(params, grad, lr_like)

    def _lr_like(self, lr: float | np.ndarray, n_params: int) -> np.ndarray:
        """This step's learning rates, checked, as a read-only ``(K, 1)`` column (one run)
        or spread over the ``(K, P)`` shape of the parameters (several runs).

        Spread, because NumPy broadcasts a ``(K, 1)`` column across a few columns several
        times slower than it combines two arrays of one shape (the values are the same).
        A read-only array seen at the previous step (a constant schedule hands over the
        same frozen array at every step) is neither checked nor spread again.
        """
        seen, n_seen, shaped = self._lr_seen
        if lr is seen and n_params == n_seen:
            return shaped
        if not (isinstance(lr, np.ndarray) and lr.shape == (self.n_runs,) and lr.dtype == float):
            lr = as_run_array(lr, self.n_runs, "lr")
        elif not np.isfinite(lr).all():
            raise ValueError(f"lr must be finite, got {lr!r}")
        shaped = lr[:, None] if self.n_runs == 1 else np.repeat(lr[:, None], n_params, axis=1)
        shaped.flags.writeable = False
        if not lr.flags.writeable and lr.base is None:  # frozen, and nobody else's view
            self._lr_seen = (lr, n_params, shaped)
        return shaped

    @abstractmethod
    def _update(self, p: np.ndarray, g: np.ndarray, lr: np.ndarray) -> np.ndarray:
        """Return the updated parameters for all runs (the rule in the class docstring)."""

    def _decayed(self, p: np.ndarray, g: np.ndarray) -> np.ndarray:
        """L2 weight decay folded into the gradient: g + weight_decay * p."""
        wd = self.hyper["weight_decay"]
        return g + wd * p if enabled(wd) else g

    def _state(self, key: str, like: np.ndarray, fill: float | np.ndarray = 0.0) -> np.ndarray:
        """A state buffer, created shaped like ``like`` (filled) on first use."""
        if key not in self.state:
            self.state[key] = np.zeros_like(like) + fill
        return self.state[key]

    def __repr__(self) -> str:
        hyper = ", ".join(
            f"{k}={v:g}" if isinstance(v, float) else f"{k}=<{self.n_runs} values>"
            for k, v in self.hyper.items()
        )
        return f"{type(self).__name__}(n_runs={self.n_runs}, t={self.t}, {hyper})"
