"""The engine's fast paths (every run alive and well inside the escape box, a constant
rate, no clipping or noise) give exactly the frames of the exact per-run path."""

from __future__ import annotations

import numpy as np
import pytest

from core.descent.config import DescentConfig, OptimizerSpec
from core.descent.engine import DescentRun
from core.descent.frame import DIVERGED, ESCAPED, OVERFLOW, UNDEFINED
from core.optim.optimizers import ClipSpec, ScheduleSpec

FIELDS = (
    "step points loss grad update velocity lr grad_norm lambda_max outside diverged_at "
    "stop_reason fault_step fault_lr fault_lambda batch_indices"
).split()


class ExactRun(DescentRun):
    """The engine with every shortcut off: each step takes the exact per-run test, the
    rate is recomputed and the gradient goes through noise and clipping."""

    def reset(self) -> None:
        super().reset()
        self._constant_lr, self._shapes_gradient = False, True

    def _all_inside(self, points: np.ndarray) -> bool:
        return False


CONFIGS = {
    # lr up to 3 on Rosenbrock: gd and momentum runs blow up at different steps
    "sweep with divergence": DescentConfig(
        surface="rosenbrock",
        optimizers=(OptimizerSpec("gd"), OptimizerSpec("adam"), OptimizerSpec("momentum")),
        learning_rates=tuple(np.geomspace(1e-4, 3.0, 9)),
        steps=150,
    ),
    # a box 1000 times wider than tall: runs slide past the box common to both axes
    # (the quick test fails) yet stay inside their own, until the fast one escapes
    "wide box, slide and escape": DescentConfig(
        surface="expr",
        expr="-x",
        bounds=(-1000.0, 1000.0, -1.0, 1.0),
        optimizers=(OptimizerSpec("gd"), OptimizerSpec("adam")),
        learning_rates=(10.0, 1000.0),
        starts=((900.0, 0.5),),
        steps=1100,
    ),
    "undefined and overflowing surfaces": DescentConfig(
        surface="expr",
        expr="-exp(exp(x)) + log(y)",
        bounds=(-10.0, 10.0, -10.0, 10.0),
        optimizers=(OptimizerSpec("gd"), OptimizerSpec("adam")),
        learning_rates=(0.01, 0.1, 2.0),
        starts=((0.0, 1.0), (-3.0, 0.5)),
        steps=200,
    ),
    "schedule, clipping, noise, mini-batches": DescentConfig(
        surface="linreg",
        optimizers=(OptimizerSpec("adam"), OptimizerSpec("gd", batch=0)),
        learning_rates=(1e-3, 0.1, 1.0),
        seeds=2,
        batch=4,
        noise=0.3,
        schedule=ScheduleSpec("warmup_cosine", warmup=10, t_max=100),
        clip=ClipSpec("norm", 2.0),
        steps=150,
    ),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_fast_path_frames_equal_the_exact_path(name):
    config = CONFIGS[name]
    fast, exact = list(DescentRun(config).frames()), list(ExactRun(config).frames())
    assert len(fast) == len(exact) == config.steps + 1
    for a, b in zip(fast, exact, strict=True):
        for field in FIELDS:
            x, y = np.asarray(getattr(a, field)), np.asarray(getattr(b, field))
            assert x.dtype == y.dtype and x.shape == y.shape, (a.step, field)
            assert x.tobytes() == y.tobytes(), (a.step, field)


def test_configs_reach_every_branch():
    """The configurations above exercise what they claim: stops of every kind, a run
    outside the common box that goes on, and all runs alive for a while."""
    reasons = set()
    for config in CONFIGS.values():
        run = DescentRun(config)
        for _ in range(config.steps):
            run.advance()
        reasons |= set(run.stop_reason[run.diverged_at >= 0].tolist())
    assert reasons == {DIVERGED, UNDEFINED, OVERFLOW, ESCAPED}
    run = DescentRun(CONFIGS["wide box, slide and escape"])
    for _ in range(200):
        run.advance()
    assert run.points[0, 0] > 1000.0 and not run._all_inside(run.points)
    assert run.diverged_at[0] == -1 and run._all_alive
