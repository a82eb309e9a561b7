"""History: bounded memory by thinning, newest frame always kept, immutable snapshots."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.descent.engine import DescentConfig, DescentFrame, DescentRun
from core.history import History


def make_frame(step: int, k: int = 3, diverged_at=None) -> DescentFrame:
    """A frame whose every number encodes its step (so rows can be checked)."""
    base = np.arange(k, dtype=float) + step
    vec = np.stack([base, -base], axis=1)
    div = np.full(k, -1) if diverged_at is None else np.asarray(diverged_at)
    return DescentFrame(
        step=step,
        points=vec,
        loss=base,
        grad=2 * vec,
        update=3 * vec,
        velocity=4 * vec,
        lr=base / 10,
        grad_norm=base + 0.5,
        lambda_max=base + 0.25,
        diverged_at=div,
    )


def test_keeps_every_frame_until_full():
    history = History(3, capacity=8)
    for step in range(8):
        history.append(make_frame(step))
    assert len(history) == 8 and history.stride == 1
    assert history.steps.tolist() == list(range(8))
    assert history.points.shape == (8, 3, 2)
    np.testing.assert_array_equal(history.loss[:, 1], np.arange(8) + 1.0)
    for name in ("loss", "grad_norm", "lr", "lambda_max"):
        assert getattr(history, name).shape == (8, 3)


def test_thinning_doubles_the_stride_and_keeps_the_newest():
    history = History(2, capacity=8)
    for step in range(100):
        history.append(make_frame(step, k=2))
        assert history.steps[-1] == step  # the newest frame is always the last row
        assert len(history) <= 9
    steps = history.steps
    assert history.stride == 16
    # all rows but the newest lie on the stride grid
    assert np.all(steps[:-1] % history.stride == 0)
    np.testing.assert_array_equal(history.loss[:, 0], steps.astype(float))


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 600), capacity=st.sampled_from([4, 6, 10, 64]))
def test_rows_stay_bounded_and_ordered(n, capacity):
    history = History(1, capacity=capacity)
    for step in range(n):
        history.append(make_frame(step, k=1))
    steps = history.steps
    assert len(steps) <= capacity + 1
    assert steps[0] == 0 and steps[-1] == n - 1
    assert np.all(np.diff(steps) > 0)


def test_memory_is_flat_over_many_steps():
    history = History(4, capacity=16)
    frame_sizes = []
    for step in range(20_000):
        history.append(make_frame(step, k=4))
        if step % 5000 == 4999:
            frame_sizes.append(sum(b.nbytes for b in history._buffers.values()))
    assert len(set(frame_sizes)) == 1


def test_snapshot_is_immutable_and_survives_later_appends():
    history = History(3, capacity=4)
    for step in range(3):
        history.append(make_frame(step))
    snap = history.snapshot()
    before = snap.points.copy()
    with pytest.raises(ValueError):
        snap.points[0, 0, 0] = 99.0
    for step in range(3, 50):  # appends and several thinnings later
        history.append(make_frame(step))
    np.testing.assert_array_equal(snap.points, before)
    assert snap.steps.tolist() == [0, 1, 2]


def test_index_of_step_and_frame_at_round_trip():
    history = History(3, capacity=8)
    for step in range(40):
        history.append(make_frame(step, diverged_at=[-1, 25, -1] if step >= 25 else None))
    row = history.index_of_step(20)
    assert history.steps[row] <= 20 < (history.steps[row + 1] if row + 1 < len(history) else 99)
    assert history.index_of_step(-5) == 0
    assert history.index_of_step(10**9) == len(history) - 1
    frame = history.frame_at(row)
    expected = make_frame(int(history.steps[row]))
    for name in ("points", "loss", "grad", "update", "velocity", "lr", "grad_norm", "lambda_max"):
        np.testing.assert_array_equal(getattr(frame, name), getattr(expected, name))
    assert frame.diverged_at.tolist() == [-1, -1, -1]  # run 1 diverged only at step 25
    assert history.frame_at(-1).diverged_at.tolist() == [-1, 25, -1]
    early = history.snapshot().upto(row)
    assert len(early) == row + 1 and early.diverged_at.tolist() == [-1, -1, -1]


def test_bad_input_is_rejected_with_the_field_named():
    with pytest.raises(ValueError, match="n_runs"):
        History(0)
    with pytest.raises(ValueError, match="capacity"):
        History(2, capacity=5)
    history = History(3)
    history.append(make_frame(4))
    with pytest.raises(ValueError, match="step must increase"):
        history.append(make_frame(4))
    with pytest.raises(ValueError, match="points"):
        history.append(make_frame(5, k=2))


def test_records_a_real_descent():
    config = DescentConfig(surface="rosenbrock", learning_rates=(1e-3, 2e-3), steps=300)
    history = History(2, capacity=64)
    frames = list(DescentRun(config).frames())
    for frame in frames:
        history.append(frame)
    assert history.steps[-1] == 300
    np.testing.assert_array_equal(history.points[-1], frames[-1].points)
    np.testing.assert_array_equal(history.loss[0], frames[0].loss)
