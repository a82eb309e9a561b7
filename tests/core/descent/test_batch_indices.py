"""DescentFrame.batch_indices: which data samples each run's last step used (linreg)."""

from __future__ import annotations

import numpy as np

from core.descent.engine import DescentConfig, DescentRun, OptimizerSpec
from core.descent.recording import descent_history


def _linreg(n: int = 10, batch: int | None = 4, **fields) -> DescentConfig:
    return DescentConfig(
        surface="linreg",
        surface_params=(("n", n),),
        learning_rates=(0.05,),
        batch=batch,
        steps=20,
        **fields,
    )


def test_the_step_moved_by_the_gradient_of_exactly_the_recorded_batch():
    run = DescentRun(_linreg(n=10, batch=4, seeds=3))
    x, y = run.surface.x, run.surface.y
    for _ in range(7):  # past an epoch's short last batch (10 = 4 + 4 + 2)
        before = run.points.copy()
        frame = run.step()
        for k in range(len(before)):
            idx = frame.batch_indices[k][frame.batch_indices[k] >= 0]
            w, b = before[k]
            residual = w * x[idx] + b - y[idx]
            grad = np.array([2 * np.mean(residual * x[idx]), 2 * np.mean(residual)])
            np.testing.assert_allclose(frame.update[k], -0.05 * grad, rtol=1e-12, atol=1e-15)


def test_width_stays_the_batch_with_minus_one_padding_and_each_epoch_covers_every_sample():
    run = DescentRun(_linreg(n=10, batch=4))
    assert run.frame().batch_indices.shape == (1, 4)
    assert (run.frame().batch_indices == -1).all()  # step 0: no batch yet
    epoch = [run.step().batch_indices[0] for _ in range(3)]
    assert [int(np.sum(row >= 0)) for row in epoch] == [4, 4, 2]
    assert list(epoch[2][2:]) == [-1, -1]
    used = np.concatenate([row[row >= 0] for row in epoch])
    assert sorted(used.tolist()) == list(range(10))


def test_exact_gradients_sample_nothing():
    for config in (_linreg(batch=None), DescentConfig(surface="himmelblau", steps=3)):
        frame = DescentRun(config).step()
        assert frame.batch_indices.shape == (1, 0)
        assert frame.batch_indices.dtype == np.int32


def test_a_race_of_batch_modes_pads_the_full_batch_rows():
    optimizers = (
        OptimizerSpec("gd", label="full", batch=0),
        OptimizerSpec("gd", label="eight", batch=8),
        OptimizerSpec("gd", label="one", batch=1),
    )
    run = DescentRun(_linreg(n=50, batch=None, optimizers=optimizers, seeds=2))
    indices = run.step().batch_indices
    assert indices.shape == (6, 8)
    assert (indices[:2] == -1).all()  # full batch: every sample, none listed
    assert (indices[2:4] >= 0).all() and len(set(indices[2].tolist())) == 8
    assert (indices[4:, 0] >= 0).all() and (indices[4:, 1:] == -1).all()
    assert indices.max() < 50


def test_frames_are_read_only_and_the_history_records_and_rebuilds_the_batches():
    run = DescentRun(_linreg(n=10, batch=3, seeds=2))
    first = run.frame()
    history = descent_history(first, capacity=64)
    history.append(first)
    frames = [run.step() for _ in range(5)]
    for frame in frames:
        assert not frame.batch_indices.flags.writeable
        history.append(frame)
    snapshot = history.snapshot()
    assert snapshot.batch_indices.shape == (6, 2, 3)
    np.testing.assert_array_equal(snapshot.frame_at(3).batch_indices, frames[2].batch_indices)
    assert not np.shares_memory(frames[-1].batch_indices, frames[-2].batch_indices)
