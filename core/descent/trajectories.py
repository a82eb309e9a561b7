"""Whole trajectories at once: every run's path and loss, for the CLI, tests and benchmarks.

The window streams frames (`core.descent.engine.DescentRun.frames`); `descend` and
`descend_config` run the same engine to the end and keep every step of every run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from core.descent.config import DescentConfig, OptimizerSpec
from core.descent.engine import DescentRun
from core.descent.frame import DescentResult
from core.optim.optimizers import OPTIMIZERS
from core.surfaces.surface import Surface, get_surface


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
    return DescentResult(path, loss, run.diverged_at.copy(), run.runs, run.stop_reason.copy())


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
