"""A frozen learning-rate array handed over again (a constant schedule) is checked and
shaped once: the numbers equal those of a fresh array at every step, and a new array or a
writable one that changed is honoured."""

from __future__ import annotations

import numpy as np
import pytest

from core.optim.optimizers import make_optimizer, optimizer_names


def _frozen(values) -> np.ndarray:
    arr = np.array(values, dtype=np.float64)
    arr.flags.writeable = False
    return arr


def _walk(name: str, n_runs: int, lrs: list[np.ndarray]) -> np.ndarray:
    """Steps on f(p) = sum(sin(p) + p^2 / 2) from a fixed start, one lr per step."""
    opt = make_optimizer(name, n_runs)
    p = np.linspace(-2.0, 2.0, n_runs * 3).reshape(n_runs, 3)
    for lr in lrs:
        p = opt.step(p, np.cos(p) + p, lr)
    return p


@pytest.mark.parametrize("n_runs", [1, 4])
@pytest.mark.parametrize("name", optimizer_names())
def test_reused_frozen_lr_gives_the_numbers_of_fresh_arrays(name, n_runs):
    first, second = _frozen(np.geomspace(0.01, 0.3, n_runs)), _frozen(np.full(n_runs, 0.05))
    reused = [first] * 20 + [second] * 20  # the same two objects, step after step
    fresh = [np.array(lr) for lr in reused]  # writable copies: checked at every step
    assert _walk(name, n_runs, reused).tobytes() == _walk(name, n_runs, fresh).tobytes()


def test_a_writable_lr_changed_in_place_is_honoured():
    lr = np.array([0.1, 0.2])
    opt, twin = make_optimizer("gd", 2), make_optimizer("gd", 2)
    p = np.ones((2, 2))
    opt.step(p, p, lr)
    lr[:] = [0.5, 0.0]
    np.testing.assert_array_equal(opt.step(p, p, lr), twin.step(p, p, np.array([0.5, 0.0])))


def test_lr_checks_still_apply_to_each_new_array():
    opt = make_optimizer("adam", 2)
    opt.step(np.ones((2, 2)), np.ones((2, 2)), _frozen([0.1, 0.1]))
    with pytest.raises(ValueError, match="lr must be finite"):
        opt.step(np.ones((2, 2)), np.ones((2, 2)), _frozen([0.1, np.nan]))
    with pytest.raises(ValueError, match="lr must be a scalar or have length 2"):
        opt.step(np.ones((2, 2)), np.ones((2, 2)), _frozen([0.1, 0.1, 0.1]))
