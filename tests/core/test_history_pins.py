"""Thinning keeps the rows where a run stopped and the road that led there (issue 8: the
thinned history redrew a diverged run's path in another shape and moved its cross)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from core.descent.config import DescentConfig
from core.descent.engine import DescentRun
from core.descent.recording import descent_history
from core.history import PIN_BEFORE, Field, History, RecordSpec


def _spec(pin_steps) -> RecordSpec:
    return RecordSpec(
        {"value": Field()},
        lambda step, row: SimpleNamespace(step=step, **row),
        pin=lambda frame: frame.step in pin_steps,
    )


def _fill(history: History, steps: int) -> None:
    for step in range(steps):
        history.append(SimpleNamespace(step=step, value=float(step) ** 2))


def test_a_pinned_row_and_the_rows_before_it_survive_every_thinning():
    history = History(_spec({5, 9001}), capacity=16)
    _fill(history, 20_000)
    steps = history.steps.tolist()
    assert len(history) <= 16 + 1 and history.stride >= 2048
    assert steps[:6] == [0, 1, 2, 3, 4, 5]  # the pinned step and all the rows before it
    assert 9000 in steps and 9001 in steps  # a late pin: its frame and the one before
    assert steps == sorted(set(steps)) and steps[-1] == 19_999
    np.testing.assert_array_equal(history.value, np.array(steps, float) ** 2)


def test_pins_never_take_more_than_half_the_rows():
    history = History(_spec(set(range(3, 20_000, 97))), capacity=32)
    _fill(history, 20_000)
    assert len(history) <= 33
    assert history._pinned[: history._n].sum() <= 16
    stored = history._buffers["steps"][: history._n]
    grid = stored[~history._pinned[: history._n]]
    assert ((grid - grid[0]) % history.stride == 0).all()  # the rest is still the grid


def test_without_pins_thinning_is_every_other_row_as_before():
    history = History(_spec(set()), capacity=8)
    _fill(history, 100)
    assert history.steps.tolist() == [0, 16, 32, 48, 64, 80, 96, 99]


def _diverging_run():
    config = DescentConfig(surface="rosenbrock", learning_rates=(1e-3, 2e-2), steps=3000)
    full = [np.array(frame.points) for frame in DescentRun(config).frames()]
    return config, np.array(full)


def test_a_diverged_run_keeps_its_shape_and_last_finite_point_in_the_thinned_history():
    config, full = _diverging_run()
    history = None
    for frame in DescentRun(config).frames():
        history = history or descent_history(frame, capacity=16)
        history.append(frame)
    stop = int(history.diverged_at[1])
    assert 0 < stop < PIN_BEFORE and history.stride >= 128
    rows = history.index_of_step(stop)
    # every step up to the stop is a row: the zig-zag and the last finite point
    np.testing.assert_array_equal(history.steps[: rows + 1], np.arange(stop + 1))
    np.testing.assert_allclose(history.points[: rows + 1, 1], full[: stop + 1, 1])
    np.testing.assert_allclose(history.points[-1, 1], full[stop, 1])  # frozen there
