"""The descent engine: K optimizer runs on one 2-D surface, stepped together.

One implementation, two front ends: :class:`DescentRun` advances all runs one step at a
time (``step()`` returns an immutable :class:`DescentFrame`, ``frames()`` streams them for
the window), and :func:`descend` / :func:`descend_config` record whole trajectories for the
CLI, the tests and the benchmarks.

Stopping: a run whose next point is non-finite, whose loss or slope there has no finite
value, or whose point lands more than ``ESCAPE_FACTOR`` box sizes away from its view
box, stops at that step, for a reason the frame records (``core.descent.frame``): it
*diverged* (the step blew up), the surface is *undefined* or *overflows* where it went,
or it *escaped* downhill (the loss kept falling: a slide, not a failure). It stays
frozen at its last finite point (so no NaN or inf ever leaves this module) while the
other runs go on. A run merely outside the view box has *left the view* (``outside``)
and keeps going.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np

from core.descent.config import DescentConfig, OptimizerSpec, lr_sweep, start_grid
from core.descent.frame import (
    DIVERGED,
    ESCAPED,
    OVERFLOW,
    UNDEFINED,
    DescentFrame,
    DescentResult,
    RunTable,
    _frozen,
)
from core.optim.optimizers import (
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
    "lr_sweep",
    "start_grid",
    "stream",
]

ESCAPE_FACTOR = 1e3  # "leaves the view box by orders of magnitude"
_BIG = np.finfo(np.float64).max  # an infinite gradient norm is shown as the largest float


def _undefined_or_overflow(surface: Surface, points: np.ndarray, loss: np.ndarray) -> np.ndarray:
    """Per run: UNDEFINED where the surface has no value at ``points`` (0/0, 1/0, log(-1)),
    OVERFLOW where its value is merely too large for a float, 0 where ``loss`` is finite.

    A surface that can tell its undefined points itself (``undefined_at``) is asked;
    otherwise NaN counts as undefined and +-inf as overflow.
    """
    finite = np.isfinite(loss)
    if finite.all():
        return np.zeros(len(loss), dtype=np.int8)
    undefined = np.isnan(loss)
    ask = getattr(surface, "undefined_at", None)
    if ask is not None:
        with np.errstate(all="ignore"):
            undefined = np.asarray(ask(points), dtype=bool) & ~finite
    reason = np.where(undefined, UNDEFINED, OVERFLOW)
    return np.where(finite, 0, reason).astype(np.int8)


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
        self._view_lo, self._view_hi = self.bounds[[0, 2]], self.bounds[[1, 3]]
        self.runs = RunTable.from_config(config, self.surface.start)
        self._groups = self._make_groups(config)
        self.reset()

    def _make_groups(self, config: DescentConfig) -> list[tuple[slice, Optimizer]]:
        """Each optimizer's block of rows and the optimizer. Runs are optimizer-major
        (``RunTable.from_config``), so a block is a slice: its rows are views, not copies."""
        groups = []
        for i, spec in enumerate(config.optimizers):
            idx = np.flatnonzero(self.runs.optimizer_index == i)
            rows = slice(int(idx[0]), int(idx[-1]) + 1)
            assert rows.stop - rows.start == len(idx), "runs are not optimizer-major"
            groups.append((rows, make_optimizer(spec.name, len(idx), **dict(spec.hyper))))
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
        self.stop_reason = _undefined_or_overflow(self.surface, self.points, self.loss)
        self.loss = np.where(self._alive, self.loss, 0.0)
        self._start_loss = self.loss.copy()
        self._previous = self.points
        self._last_lr = np.zeros(k)
        self._next_lr = learning_rate_at(cfg.schedule, self.runs.lr, 0)
        # Settings that cannot change during a run, read once: a constant rate stays this
        # very array, cut per optimizer once and frozen (so each optimizer checks its own
        # once), and without clipping or noise the gradient goes on as the surface gives it.
        self._constant_lr = cfg.schedule.kind == "constant"
        self._shapes_gradient = cfg.clip.mode != "none" or cfg.noise != 0
        self._group_lr = [_frozen(self._next_lr[rows]) for rows, _ in self._groups]
        self._fault = (np.full(k, -1), np.zeros(k), np.zeros(k))  # step, lr, lambda_max
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
                (rows, self.surface.gradient_stream(opt.n_runs, run_seeds[rows], batch))
                for (rows, opt), batch in zip(self._groups, batches, strict=True)
            ]
            self._gradient = _GroupedGradient(streams, k)
        # an exact gradient (no data set, or full batch for all) samples nothing: (K, 0)
        self._sampled = getattr(self._gradient, "batch_indices", None)
        if self._sampled is None:  # the points are ours, (K, 2) floats: no checks per step
            self._gradient = self._exact_gradient
        self._no_batch = _frozen(np.empty((k, 0), dtype=np.int32))
        centre = np.array([self.bounds[:2].mean(), self.bounds[2:].mean()])
        half = np.array([np.ptp(self.bounds[:2]), np.ptp(self.bounds[2:])]) / 2
        self._escape_lo = centre - ESCAPE_FACTOR * half
        self._escape_hi = centre + ESCAPE_FACTOR * half
        self._escape_flat: tuple[np.ndarray, np.ndarray] | None = None
        self._escape_common = (self._escape_lo.max(), self._escape_hi.min())

    def _exact_gradient(self, points: np.ndarray) -> np.ndarray:
        return self.surface.gradient_at(points[:, 0], points[:, 1])

    def _value(self, points: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return self.surface.value(points)

    def advance(self) -> None:
        """Take one optimizer step for every live run (the one shared implementation)."""
        lr = self._next_lr
        with np.errstate(all="ignore"):
            raw = self._gradient(self.points)
            grad = raw if self._all_alive else np.where(self._alive[:, None], raw, 0.0)
            if self._shapes_gradient:
                grad = clip_gradients(self._noise(grad), self.config.clip)
            new = self._optimizer_step(grad, lr)
            loss = self.surface.value_at(new[:, 0], new[:, 1])
            # The common case in two reductions and a sum; a sum is finite only if every
            # loss is (one that overflows merely sends this step down the exact test).
            all_go_on = self._all_alive and self._all_inside(new) and math.isfinite(loss.sum())
        self.step_index += 1
        self._previous, self._last_lr = self.points, lr
        if not self._constant_lr:
            self._next_lr = learning_rate_at(self.config.schedule, self.runs.lr, self.step_index)
        if all_go_on:
            self.points, self.loss = new, loss
            return
        self._stop_runs(raw, new, loss)

    def _stop_runs(self, raw: np.ndarray, new: np.ndarray, loss: np.ndarray) -> None:
        """Freeze the live runs whose step failed the exact per-run test; move the others."""
        with np.errstate(all="ignore"):
            inside = self._inside(new)
            ok = inside & np.isfinite(loss)
        stopped = self._alive & ~ok
        self.diverged_at[stopped] = self.step_index
        self.stop_reason[stopped] = self._why_stopped(raw, new, loss, inside)[stopped]
        self._alive &= ok
        self._all_alive = bool(self._alive.all())
        self.points = np.where(self._alive[:, None], new, self.points)
        self.loss = np.where(self._alive, loss, self.loss)

    def _why_stopped(self, raw_grad, new, loss, inside) -> np.ndarray:
        """The stop reason of every run, were it stopping now (see ``core.descent.frame``).

        Order matters: a slope without a value at a finite point is the surface's doing
        whatever the step did next; a point flung far out is a slide when the loss fell
        and a blow-up when it rose; a finite point inside the far box whose loss is not
        finite is the surface's (undefined or overflowing) there.
        """
        with np.errstate(all="ignore"):
            finite_point = np.isfinite(new).all(axis=1)
            fell = np.isfinite(loss) & (loss < self._start_loss)
            reason = np.full(len(loss), DIVERGED, dtype=np.int8)
            reason[finite_point & ~inside & fell] = ESCAPED
            at_point = finite_point & inside
            reason[at_point] = _undefined_or_overflow(self.surface, new, loss)[at_point]
            slope_undefined = ~np.isfinite(raw_grad).all(axis=1) & np.isfinite(self.loss)
            reason[slope_undefined & np.isfinite(self.points).all(axis=1)] = UNDEFINED
        return reason

    def _all_inside(self, points: np.ndarray) -> bool:
        """Whether every coordinate lies in the escape box common to both axes (NaN does
        not): enough for every run to be inside, though not necessary (see ``_inside``)."""
        lo, hi = self._escape_common
        return bool(lo <= points.min() and points.max() <= hi)

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
        for (rows, opt), constant_lr in zip(self._groups, self._group_lr, strict=True):
            group_lr = constant_lr if self._constant_lr else lr[rows]
            new[rows] = opt.step(self.points[rows], grad[rows], group_lr)
        return new

    def _velocity(self) -> np.ndarray:
        """-lr * the optimizers' buffers, under the caller's errstate (a huge buffer times
        lr may overflow: zeroed here)."""
        velocity = np.zeros_like(self.points)
        for rows, opt in self._groups:
            if opt.velocity is not None:
                velocity[rows] = -self._last_lr[rows, None] * opt.velocity
        return np.where(self._alive[:, None] & np.isfinite(velocity), velocity, 0.0)

    def frame(self) -> DescentFrame:
        """An immutable snapshot of the current state (arrays copied, read-only)."""
        x, y = self.points[:, 0], self.points[:, 1]
        with np.errstate(all="ignore"):  # one guard for the surface, the norm, the velocity
            grad = self.surface.gradient_at(x, y)
            lam = largest_eigenvalue(self.surface.hessian_at(x, y))
            grad_norm = np.hypot(grad[:, 0], grad[:, 1])
            grad = np.where(np.isfinite(grad), grad, 0.0)
            lam = np.where(np.isfinite(lam), lam, 0.0)
            self._note_fault(lam)
            velocity = self._velocity()
        lo, hi = self._view_lo, self._view_hi
        fault_step, fault_lr, fault_lambda = self._fault
        return DescentFrame(
            step=self.step_index,
            points=_frozen(self.points),
            loss=_frozen(self.loss),
            grad=_frozen(grad),
            update=_frozen(self.points - self._previous),
            velocity=_frozen(velocity),
            lr=_frozen(self._next_lr),
            grad_norm=_frozen(np.where(np.isfinite(grad_norm), grad_norm, _BIG)),
            lambda_max=_frozen(lam),
            outside=_frozen(((self.points < lo) | (self.points > hi)).any(axis=1)),
            diverged_at=_frozen(self.diverged_at),
            stop_reason=_frozen(self.stop_reason),
            fault_step=_frozen(fault_step),
            fault_lr=_frozen(fault_lr),
            fault_lambda=_frozen(fault_lambda),
            batch_indices=self._no_batch if self._sampled is None else _frozen(self._sampled()),
        )

    def _note_fault(self, lam: np.ndarray) -> None:
        """Remember where each live run first took a step longer than 2/lambda_max (under
        the caller's errstate: rate * lam may overflow)."""
        step, lr, lam_at = self._fault
        rate = self._next_lr
        first = (rate * lam > 2.0) & (step < 0) & self._alive
        if first.any():
            step[first], lr[first], lam_at[first] = self.step_index, rate[first], lam[first]

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

    def __init__(self, streams: list[tuple[slice, Callable]], n_runs: int) -> None:
        self._streams, self._n_runs = streams, n_runs

    def __call__(self, points: np.ndarray) -> np.ndarray:
        grad = np.empty((self._n_runs, 2))
        for rows, gradient in self._streams:
            grad[rows] = gradient(points[rows])
        return grad

    def batch_indices(self) -> np.ndarray:
        """Each group's last mini-batch in its rows, -1 padded to the widest group's batch
        (full-batch groups: all -1)."""
        parts = [(rows, getattr(g, "batch_indices", None)) for rows, g in self._streams]
        parts = [(rows, sampled()) for rows, sampled in parts if sampled is not None]
        width = max((indices.shape[1] for _, indices in parts), default=0)
        out = np.full((self._n_runs, width), -1, dtype=np.int32)
        for rows, indices in parts:
            out[rows, : indices.shape[1]] = indices
        return out


def stream(config: DescentConfig, max_steps: int | None = None) -> Iterator[DescentFrame]:
    """A generator of frames for ``config`` (see :meth:`DescentRun.frames`)."""
    return DescentRun(config).frames(max_steps)
