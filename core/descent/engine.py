"""The descent engine: K optimizer runs on one 2-D surface, stepped together.

One implementation, two front ends: :class:`DescentRun` advances all runs one step at a
time (``step()`` returns an immutable :class:`DescentFrame`, ``frames()`` streams them for
the window), and :func:`descend` / :func:`descend_config` record whole trajectories for the
CLI, the tests and the benchmarks.

Divergence: a run whose next point or loss is non-finite, or whose point lands more than
``ESCAPE_FACTOR`` box sizes away from its view box, is *diverged* at that step. It stays
frozen at its last finite point (so no NaN or inf ever leaves this module) while the
other runs go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from core.descent.config import DescentConfig, OptimizerSpec, lr_sweep, start_grid
from core.optim.optimizers import (
    OPTIMIZERS,
    GradientNoise,
    Optimizer,
    clip_gradients,
    learning_rate_at,
    make_optimizer,
)
from core.surfaces.surface import Surface, expression_surface, get_surface

__all__ = [
    "DescentConfig",
    "DescentFrame",
    "DescentResult",
    "DescentRun",
    "OptimizerSpec",
    "RunTable",
    "descend",
    "descend_config",
    "lr_sweep",
    "start_grid",
    "stream",
]

ESCAPE_FACTOR = 1e3  # "leaves the view box by orders of magnitude"


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

    ``update`` is the step just taken (zeros at step 0); ``velocity`` is the optimizer's
    momentum buffer (or first moment) in parameter units, ``-lr * buffer``, zeros where the
    optimizer keeps none; ``lr`` is the learning rate of the step just taken;
    ``lambda_max`` the largest Hessian eigenvalue at ``points``.
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
    diverged_at: np.ndarray

    @property
    def n_runs(self) -> int:
        return len(self.loss)

    def __repr__(self) -> str:
        alive = int(np.sum(self.diverged_at < 0))
        return f"DescentFrame(step={self.step}, runs={self.n_runs}, alive={alive})"


@dataclass(frozen=True, slots=True)
class DescentResult:
    """Whole trajectories: ``path`` (S+1, K, 2), ``loss`` (S+1, K), ``diverged_at`` (K,).

    Rows after a run diverged repeat its last finite point and loss.
    """

    path: np.ndarray
    loss: np.ndarray
    diverged_at: np.ndarray
    runs: RunTable

    def __repr__(self) -> str:
        steps, k = self.loss.shape
        diverged = int(np.sum(self.diverged_at >= 0))
        return f"DescentResult(steps={steps - 1}, runs={k}, diverged={diverged})"


def largest_eigenvalue(hessian: np.ndarray) -> np.ndarray:
    """lambda_max of symmetric 2x2 matrices: (a + c) / 2 + sqrt(((a - c) / 2)^2 + b^2)."""
    a, b, c = hessian[:, 0, 0], hessian[:, 0, 1], hessian[:, 1, 1]
    return (a + c) / 2 + np.hypot((a - c) / 2, b)


def build_surface(config: DescentConfig) -> Surface:
    """The surface a configuration names (a built-in with its parameters, or a formula)."""
    if config.surface == "expr":
        bounds = config.bounds or (-3.0, 3.0, -3.0, 3.0)
        return expression_surface(config.expr, bounds)
    return get_surface(config.surface, **dict(config.surface_params))


class DescentRun:
    """K runs on one surface, advanced one step at a time.

    Parameters
    ----------
    config : DescentConfig
    surface : Surface, optional
        Overrides the surface the configuration names (for surface objects built elsewhere).
    """

    def __init__(self, config: DescentConfig, surface: Surface | None = None) -> None:
        self.config = config
        self.surface = surface if surface is not None else build_surface(config)
        self.bounds = np.asarray(config.bounds or self.surface.bounds, dtype=np.float64)
        self.runs = RunTable.from_config(config, self.surface.start)
        self._groups = self._make_groups(config)
        self.reset()

    def _make_groups(self, config: DescentConfig) -> list[tuple[np.ndarray, Optimizer]]:
        groups = []
        for i, spec in enumerate(config.optimizers):
            idx = np.flatnonzero(self.runs.optimizer_index == i)
            groups.append((idx, make_optimizer(spec.name, len(idx), **dict(spec.hyper))))
        return groups

    def reset(self) -> None:
        """Back to the start points with fresh optimizer state and samplers."""
        k, cfg = len(self.runs), self.config
        for _, opt in self._groups:
            opt.reset()
        self.step_index = 0
        self.points = np.array(self.runs.start, dtype=np.float64)
        self.loss = self._value(self.points)
        self._alive = np.isfinite(self.loss)
        self._all_alive = bool(self._alive.all())
        self.diverged_at = np.where(self._alive, -1, 0)
        self.loss = np.where(self._alive, self.loss, 0.0)
        self._previous = self.points
        self._last_lr = np.zeros(k)
        self._noise = GradientNoise(cfg.noise, cfg.seed + 1)
        # Mini-batch sampling (linreg) is seeded per run by (config seed, seed index): runs
        # that share a seed index see the same batches, so a race or sweep is fair, and
        # the seeds of a stochastic cloud differ.
        run_seeds = cfg.seed * 1000 + self.runs.seed
        batches = [spec.batch_size(cfg.batch) for spec in cfg.optimizers]
        if len(set(batches)) == 1:
            self._gradient = self.surface.gradient_stream(k, run_seeds, batches[0])
        else:  # a race of batch modes: one sampler per optimizer
            streams = [
                (idx, self.surface.gradient_stream(len(idx), run_seeds[idx], batch))
                for (idx, _), batch in zip(self._groups, batches, strict=True)
            ]
            self._gradient = _GroupedGradient(streams, k)
        centre = np.array([self.bounds[:2].mean(), self.bounds[2:].mean()])
        half = np.array([np.ptp(self.bounds[:2]), np.ptp(self.bounds[2:])]) / 2
        self._escape_lo = centre - ESCAPE_FACTOR * half
        self._escape_hi = centre + ESCAPE_FACTOR * half
        self._escape_flat: tuple[np.ndarray, np.ndarray] | None = None
        self._escape_common = (self._escape_lo.max(), self._escape_hi.min())

    def _value(self, points: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return self.surface.value(points)

    def advance(self) -> None:
        """Take one optimizer step for every live run (the one shared implementation)."""
        all_alive = self._all_alive
        with np.errstate(all="ignore"):
            grad = self._gradient(self.points)
            if not all_alive:
                grad = np.where(self._alive[:, None], grad, 0.0)
            grad = clip_gradients(self._noise(grad), self.config.clip)
            lr = learning_rate_at(self.config.schedule, self.runs.lr, self.step_index)
            new = self._optimizer_step(grad, lr)
            loss = self.surface.value(new)
            ok = self._inside(new) & np.isfinite(loss)
        self.step_index += 1
        self._previous, self._last_lr = self.points, lr
        if all_alive and ok.all():
            self.points, self.loss = new, loss
            return
        self.diverged_at[self._alive & ~ok] = self.step_index
        self._alive &= ok
        self._all_alive = False
        self.points = np.where(self._alive[:, None], new, self.points)
        self.loss = np.where(self._alive, loss, self.loss)

    def _inside(self, points: np.ndarray) -> np.ndarray:
        """Runs within ESCAPE_FACTOR box sizes of the view box (False for NaN and inf too).

        Compared on the flat (2K,) array against tiled bounds, then each run's pair of
        booleans read as one uint16 (0x0101 = both inside): broadcasting a (K, 2) array
        against a (2,) one, or reducing over an axis of length 2, is several times slower.
        """
        k = points.shape[0]
        flat = np.ascontiguousarray(points).reshape(-1)
        # Fast path: every coordinate inside the box common to both axes (NaN fails it).
        if self._escape_common[0] <= flat.min() and flat.max() <= self._escape_common[1]:
            return np.ones(k, dtype=bool)
        if self._escape_flat is None or self._escape_flat[0].shape[0] != 2 * k:
            self._escape_flat = (np.tile(self._escape_lo, k), np.tile(self._escape_hi, k))
        inside = (flat >= self._escape_flat[0]) & (flat <= self._escape_flat[1])
        return inside.view(np.uint16) == 0x0101

    def _optimizer_step(self, grad: np.ndarray, lr: np.ndarray) -> np.ndarray:
        if len(self._groups) == 1:
            return self._groups[0][1].step(self.points, grad, lr)
        new = np.empty_like(self.points)
        for idx, opt in self._groups:
            new[idx] = opt.step(self.points[idx], grad[idx], lr[idx])
        return new

    def _velocity(self) -> np.ndarray:
        velocity = np.zeros_like(self.points)
        for idx, opt in self._groups:
            if opt.velocity is not None:
                velocity[idx] = -self._last_lr[idx, None] * opt.velocity
        return np.where(self._alive[:, None] & np.isfinite(velocity), velocity, 0.0)

    def frame(self) -> DescentFrame:
        """An immutable snapshot of the current state (arrays copied, read-only)."""
        with np.errstate(all="ignore"):
            grad = self.surface.gradient(self.points)
            lam = largest_eigenvalue(self.surface.hessian(self.points))
        grad = np.where(np.isfinite(grad), grad, 0.0)
        return DescentFrame(
            step=self.step_index,
            points=_frozen(self.points),
            loss=_frozen(self.loss),
            grad=_frozen(grad),
            update=_frozen(self.points - self._previous),
            velocity=_frozen(self._velocity()),
            lr=_frozen(self._last_lr),
            grad_norm=_frozen(np.hypot(grad[:, 0], grad[:, 1])),
            lambda_max=_frozen(np.where(np.isfinite(lam), lam, 0.0)),
            diverged_at=_frozen(self.diverged_at),
        )

    def step(self) -> DescentFrame:
        """Advance one step and return the new frame."""
        self.advance()
        return self.frame()

    def frames(self, max_steps: int | None = None) -> Iterator[DescentFrame]:
        """Yield the current frame, then one per step until ``max_steps`` (default: the
        configuration's ``steps``; ``-1`` for no limit) updates have been taken."""
        limit = self.config.steps if max_steps is None else max_steps
        yield self.frame()
        while limit < 0 or self.step_index < limit:
            yield self.step()

    def __repr__(self) -> str:
        return (
            f"DescentRun(surface={self.surface.name!r}, runs={len(self.runs)}, "
            f"step={self.step_index}, diverged={int(np.sum(self.diverged_at >= 0))})"
        )


class _GroupedGradient:
    """Gradients from one stream per optimizer group (each with its own batch size)."""

    def __init__(self, streams: list[tuple[np.ndarray, Callable]], n_runs: int) -> None:
        self._streams, self._n_runs = streams, n_runs

    def __call__(self, points: np.ndarray) -> np.ndarray:
        grad = np.empty((self._n_runs, 2))
        for idx, gradient in self._streams:
            grad[idx] = gradient(points[idx])
        return grad


def stream(config: DescentConfig, max_steps: int | None = None) -> Iterator[DescentFrame]:
    """A generator of frames for ``config`` (see :meth:`DescentRun.frames`)."""
    return DescentRun(config).frames(max_steps)


def descend_config(config: DescentConfig, surface: Surface | None = None) -> DescentResult:
    """Run ``config`` to the end and record every run's whole path and loss."""
    run = DescentRun(config, surface)
    k, steps = len(run.runs), config.steps
    path = np.empty((steps + 1, k, 2))
    loss = np.empty((steps + 1, k))
    path[0], loss[0] = run.points, run.loss
    for t in range(1, steps + 1):
        run.advance()
        path[t], loss[t] = run.points, run.loss
    return DescentResult(path, loss, run.diverged_at.copy(), run.runs)


def descend(
    surface: str | Surface,
    optimizer: str | Sequence[str],
    lrs: float | Sequence[float],
    start: Sequence[float] | np.ndarray,
    steps: int,
    **hyperparameters: float,
) -> DescentResult:
    """One run per (optimizer, learning rate, start point).

    Parameters
    ----------
    surface : str or Surface
        A registered surface name such as ``"rosenbrock"``, or a surface object.
    optimizer : str or sequence of str
        One optimizer name, or several for a race.
    lrs : float or sequence of float
    start : (2,) or (M, 2)
        One start point, or M of them (e.g. :func:`start_grid` for basins of attraction).
    steps : int
    **hyperparameters
        Passed to every optimizer that accepts them (e.g. ``momentum=0.5``); ``batch``,
        ``noise`` and ``seed`` configure the run itself.
    """
    names = [optimizer] if isinstance(optimizer, str) else list(optimizer)
    _check_hyperparameters(names, hyperparameters)
    run_keys = {
        k: hyperparameters.pop(k) for k in ("batch", "noise", "seed") if k in hyperparameters
    }
    starts = np.atleast_2d(np.asarray(start, dtype=np.float64))
    surface_obj = get_surface(surface) if isinstance(surface, str) else surface
    config = DescentConfig(
        surface=surface_obj.name if isinstance(surface, str) else "custom",
        optimizers=tuple(OptimizerSpec(n, tuple(_accepted(n, hyperparameters))) for n in names),
        learning_rates=tuple(np.atleast_1d(np.asarray(lrs, dtype=np.float64))),
        starts=tuple(map(tuple, starts)),
        steps=steps,
        **run_keys,
    )
    return descend_config(config, surface_obj)


def _check_hyperparameters(names: list[str], hyper: dict[str, float]) -> None:
    for name in names:
        if name not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {name!r}")
    for key in hyper:
        if not any(key in OPTIMIZERS[n].defaults for n in names):
            raise ValueError(f"hyperparameter {key!r} does not apply to {', '.join(names)}")


def _accepted(name: str, hyper: dict[str, float]) -> list[tuple[str, float]]:
    """The hyperparameters that optimizer ``name`` takes (a race shares one set of flags)."""
    return [(k, v) for k, v in hyper.items() if k in OPTIMIZERS[name].defaults]
