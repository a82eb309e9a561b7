"""What a descent run is made of and what it yields: the run table, frames and results.

A :class:`DescentFrame` is everything a view may show about one moment of K parallel
runs, computed once by the engine. Views never derive a number of their own from it
beyond picking rows: the stability verdict and the reason a run stopped come from
:mod:`core.descent.stability`, which reads only these fields.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.descent.config import DescentConfig

# Why a run stopped (``DescentFrame.stop_reason``). A stopped run is frozen at its last
# finite point; only DIVERGED is the learning rate's (or momentum's) fault.
RUNNING = 0
DIVERGED = 1  # the step blew up: a non-finite point, or flung far out while the loss rose
UNDEFINED = 2  # the surface or its slope has no value at a finite point (log(-1), 0/0)
OVERFLOW = 3  # the loss at a finite point is too large for a float (exp(exp(x)))
ESCAPED = 4  # slid far out of the box while the loss kept falling (no bottom that way)
STOP_REASONS = {
    RUNNING: "running",
    DIVERGED: "diverged",
    UNDEFINED: "undefined",
    OVERFLOW: "overflow",
    ESCAPED: "left the view",
}


def _frozen(arr: np.ndarray) -> np.ndarray:
    out = np.array(arr, copy=True)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, slots=True)
class RunTable:
    """Which optimizer, learning rate, start and seed each of the K runs uses."""

    optimizer_index: np.ndarray  # (K,) int
    optimizer_labels: tuple[str, ...]
    lr: np.ndarray  # (K,)
    start: np.ndarray  # (K, 2)
    seed: np.ndarray  # (K,) int

    def __len__(self) -> int:
        return len(self.lr)

    def label(self, k: int) -> str:
        """A short legend text for run ``k``, e.g. ``adam, lr=0.01``."""
        return f"{self.optimizer_labels[self.optimizer_index[k]]}, lr={self.lr[k]:.3g}"

    def optimizer_of(self, k: int) -> str:
        """The display label of run ``k``'s optimizer."""
        return self.optimizer_labels[self.optimizer_index[k]]

    @classmethod
    def from_config(cls, config: DescentConfig, default_start: tuple[float, float]) -> RunTable:
        starts = np.asarray(config.starts or (default_start,), dtype=np.float64)
        n_opt, n_lr, n_start = len(config.optimizers), len(config.learning_rates), len(starts)
        o, lr_i, s, seed = np.meshgrid(
            np.arange(n_opt),
            np.arange(n_lr),
            np.arange(n_start),
            np.arange(config.seeds),
            indexing="ij",
        )
        lrs = np.asarray(config.learning_rates, dtype=np.float64)
        return cls(
            optimizer_index=_frozen(o.ravel()),
            optimizer_labels=tuple(spec.display_label for spec in config.optimizers),
            lr=_frozen(lrs[lr_i.ravel()]),
            start=_frozen(starts[s.ravel()]),
            seed=_frozen(seed.ravel()),
        )


@dataclass(frozen=True, slots=True)
class DescentFrame:
    """The state of all K runs after ``step`` updates (step 0 is the start).

    Per run (arrays of K rows, read-only, never non-finite):

    - ``points (K, 2)``, ``loss``, ``grad (K, 2)``, ``grad_norm`` at the current point;
    - ``update (K, 2)``: the step just taken (zeros at step 0);
    - ``velocity (K, 2)``: the optimizer's momentum buffer in parameter units,
      ``-lr * buffer`` (zeros where the optimizer keeps none);
    - ``lr``: the learning rate of the step taken *from* this point, so step 0 carries
      the rate of the first step (a schedule's value at this step);
    - ``lambda_max``: the largest Hessian eigenvalue at ``points`` (0 where undefined);
    - ``outside``: the point lies outside the view box (it *left the view*; it may come
      back, and it is not a failure);
    - ``diverged_at``: the step at which the run stopped, -1 while it runs;
      ``stop_reason`` why (``RUNNING``, ``DIVERGED``, ``UNDEFINED``, ``OVERFLOW`` or
      ``ESCAPED``);
    - ``fault_step``, ``fault_lr``, ``fault_lambda``: the first step so far at which
      ``lr * lambda_max > 2`` (a plain gradient step longer than the curvature allows),
      with that lr and lambda_max; -1 and 0 where it never happened;
    - ``batch_indices (K, B)`` int32: the data samples of the mini-batch each run's last
      step used (linreg), padded with -1. A row of only -1 means no sampled batch: step
      0, a full-batch step (every sample), or a surface without data (then ``B`` is 0).
    """

    step: int
    points: np.ndarray
    loss: np.ndarray
    grad: np.ndarray
    update: np.ndarray
    velocity: np.ndarray
    lr: np.ndarray
    grad_norm: np.ndarray
    lambda_max: np.ndarray
    outside: np.ndarray
    diverged_at: np.ndarray
    stop_reason: np.ndarray
    fault_step: np.ndarray
    fault_lr: np.ndarray
    fault_lambda: np.ndarray
    batch_indices: np.ndarray

    @property
    def n_runs(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        alive = int(np.sum(self.diverged_at < 0))
        return f"DescentFrame(step={self.step}, runs={self.n_runs}, alive={alive})"


@dataclass(frozen=True, slots=True)
class DescentResult:
    """Whole trajectories: ``path`` (S+1, K, 2), ``loss`` (S+1, K), ``diverged_at`` (K,).

    Rows after a run stopped repeat its last finite point and loss; ``stop_reason`` (K,)
    says why each stopped (see the module's codes).
    """

    path: np.ndarray
    loss: np.ndarray
    diverged_at: np.ndarray
    runs: RunTable
    stop_reason: np.ndarray | None = None

    def __repr__(self) -> str:
        steps, k = self.loss.shape
        diverged = int(np.sum(self.diverged_at >= 0))
        return f"DescentResult(steps={steps - 1}, runs={k}, diverged={diverged})"
