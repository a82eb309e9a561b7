"""History: bounded memory by thinning, newest frame always kept, immutable snapshots,
frames rebuilt exactly; the descent and training recorders on real runs."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.descent.engine import DescentConfig, DescentFrame, DescentRun
from core.descent.recording import descent_history
from core.history import Field, History, RecordSpec

# -- a frame kind of its own: the generic history knows nothing about descents ------------

PAIR_SPEC = RecordSpec(
    {"value": Field((2,)), "count": Field((), np.int64), "total": Field((), read=lambda f: f.t)},
    build_frame=lambda step, row: SimpleNamespace(step=step, **row),
)


def pair(step: int) -> SimpleNamespace:
    return SimpleNamespace(step=step, value=[step, -step], count=3 * step, t=step + 0.5)


def filled(n: int, capacity: int) -> History:
    history = History(PAIR_SPEC, capacity=capacity)
    for step in range(n):
        history.append(pair(step))
    return history


def test_keeps_every_row_until_full_with_each_fields_dtype():
    history = filled(8, capacity=8)
    assert len(history) == 8 and history.stride == 1
    assert history.steps.tolist() == list(range(8))
    assert history.value.shape == (8, 2) and history.value[:, 1].tolist() == [-s for s in range(8)]
    assert history.count.dtype == np.int64 and history.count.tolist() == [3 * s for s in range(8)]
    assert history.total.tolist() == [s + 0.5 for s in range(8)]  # read by the field's reader


def test_thinning_doubles_the_stride_and_keeps_the_newest():
    history = History(PAIR_SPEC, capacity=8)
    for step in range(100):
        history.append(pair(step))
        assert history.steps[-1] == step  # the newest frame is always the last row
        assert len(history) <= 9
    # 100 steps into 8 rows: strides 1, 2, 4, 8, 16; rows 0, 16, ..., 96 and the tail 99
    assert history.stride == 16
    assert history.steps.tolist() == [0, 16, 32, 48, 64, 80, 96, 99]
    np.testing.assert_array_equal(history.value[:, 0], history.steps.astype(float))


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 600), capacity=st.sampled_from([4, 6, 10, 64]), first=st.integers(0, 9))
def test_rows_stay_bounded_ordered_and_on_the_grid(n, capacity, first):
    history = History(PAIR_SPEC, capacity=capacity)
    for step in range(first, first + n):
        history.append(pair(step))
    steps = history.steps
    assert len(steps) <= capacity + 1
    assert steps[0] == first and steps[-1] == first + n - 1
    assert np.all(np.diff(steps) > 0)
    assert np.all((steps[:-1] - first) % history.stride == 0)
    assert history.stride < max(2 * n / capacity, 2)  # thinned no more than needed


def test_memory_is_flat_over_many_steps():
    history = History(PAIR_SPEC, capacity=16)
    sizes = []
    for step in range(20_000):
        history.append(pair(step))
        if step % 5000 == 4999:
            sizes.append(history.nbytes)
    assert len(set(sizes)) == 1 and sizes[0] == 16 * (8 + 16 + 8 + 8)


def test_snapshot_is_immutable_and_survives_later_appends():
    history = filled(3, capacity=4)
    snap = history.snapshot()
    before = snap.value.copy()
    with pytest.raises(ValueError):
        snap.value[0, 0] = 99.0
    for step in range(3, 50):  # appends and several thinnings later
        history.append(pair(step))
    np.testing.assert_array_equal(snap.value, before)
    assert snap.steps.tolist() == [0, 1, 2] and len(snap) == 3


def test_a_tail_row_is_a_copy_of_the_frame():
    history = filled(5, capacity=4)  # step 4 lies off the stride-2 grid: a tail row
    source = np.array([7.0, 8.0])
    frame = SimpleNamespace(step=5, value=source, count=0, t=0.0)
    history.append(frame)
    snap = history.snapshot()
    assert snap.steps.tolist() == [0, 2, 4, 5]
    source[:] = -1.0  # a caller reusing its array must not change the record
    assert snap.value[-1].tolist() == [7.0, 8.0] and history.value[-1].tolist() == [7.0, 8.0]


def test_frame_at_rebuilds_rows_and_gives_the_newest_frame_itself():
    history = filled(40, capacity=8)
    for i in range(len(history) - 1):
        frame = history.frame_at(i)
        step = int(history.steps[i])
        assert frame.step == step and frame.value.tolist() == [step, -step]
        assert frame.count == 3 * step and not frame.value.flags.writeable
    newest = pair(40)
    history.append(newest)
    assert history.frame_at(-1) is newest
    row = history.index_of_step(20)
    assert history.steps[row] <= 20 < history.steps[row + 1]
    assert history.index_of_step(-5) == 0 and history.index_of_step(10**9) == len(history) - 1
    early = history.snapshot().upto(row)
    assert len(early) == row + 1 and early.steps[-1] == history.steps[row]
    assert early.frame_at(-1).step == history.steps[row]


def test_bad_input_is_rejected_with_the_field_named():
    with pytest.raises(ValueError, match="capacity"):
        History(PAIR_SPEC, capacity=5)
    with pytest.raises(ValueError, match="'steps'"):
        History(RecordSpec({"steps": Field()}, dict))
    for own in ("version", "column", "split", "take_journal"):  # a History's or snapshot's
        with pytest.raises(ValueError, match=f"'{own}'"):
            History(RecordSpec({own: Field()}, dict))
    with pytest.raises(ValueError, match="newest"):
        History(RecordSpec({"a": Field()}, dict, newest=("b",)))
    history = filled(5, capacity=4)
    with pytest.raises(ValueError, match="step must increase"):
        history.append(pair(4))
    with pytest.raises(ValueError, match=r"frame\.value"):
        history.append(SimpleNamespace(step=9, value=[1.0, 2.0, 3.0], count=1, t=0.0))
        history.snapshot()  # a frame off the grid is read when a snapshot needs it
    history.append(pair(10))  # the next frame replaces a bad tail: nothing bad was stored
    assert history.snapshot().steps[-1] == 10
    with pytest.raises(AttributeError, match="points"):
        history.snapshot().points  # noqa: B018
    with pytest.raises(ValueError, match="frame_at"):
        history.frame_at(len(history))


def test_core_history_knows_no_frame_kind():
    code = "import sys, core.history; print(sorted(m for m in sys.modules if m[:5] == 'core.'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['core.history', 'core.history_journal']"


# -- the descent recorder ----------------------------------------------------------------


def descent_frames(steps: int = 300) -> list[DescentFrame]:
    """Two runs on Rosenbrock; the larger learning rate diverges early."""
    config = DescentConfig(surface="rosenbrock", learning_rates=(1e-3, 2e-2), steps=steps)
    return list(DescentRun(config).frames())


def assert_same_frame(rebuilt, original) -> None:
    assert type(rebuilt) is type(original) and rebuilt.step == original.step
    for spec in dataclasses.fields(original):
        np.testing.assert_array_equal(getattr(rebuilt, spec.name), getattr(original, spec.name))


def test_descent_recorder_rebuilds_every_kept_frame_exactly():
    frames = descent_frames()
    history = descent_history(frames[0], capacity=16)
    for frame in frames:
        history.append(frame)
    snap = history.snapshot()
    assert snap.n_runs == 2 and snap.points.shape == (len(snap), 2, 2)
    for i in range(len(snap)):
        assert_same_frame(snap.frame_at(i), frames[int(snap.steps[i])])
    np.testing.assert_array_equal(snap.loss[:, 0], [frames[s].loss[0] for s in snap.steps])


def test_descent_divergence_is_the_newest_state_and_per_row_on_scrubbing():
    frames = descent_frames()
    gone_at = int(frames[-1].diverged_at[1])
    assert frames[-1].diverged_at[0] == -1 and 0 < gone_at < 300  # the premise
    history = descent_history(frames[0], capacity=16)
    for frame in frames:
        history.append(frame)
    snap = history.snapshot()
    assert snap.diverged_at.tolist() == [-1, gone_at]  # (K,): after the newest frame
    assert snap.column("diverged_at").shape == (len(snap), 2)
    before = snap.index_of_step(gone_at - 1)
    assert snap.upto(before).diverged_at.tolist() == [-1, -1]
    assert snap.frame_at(before).diverged_at.tolist() == [-1, -1]


def test_descent_recorder_on_a_long_run_is_bounded():
    frames = descent_frames(steps=3000)
    history = descent_history(frames[0], capacity=64)
    nbytes = history.nbytes
    for frame in frames:
        history.append(frame)
    assert len(history) <= 65 and history.nbytes == nbytes
    assert history.steps[-1] == 3000 and history.frame_at(-1) is frames[-1]
