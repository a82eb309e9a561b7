"""The run process's mirror keeps every row its history stores, pinned ones too (issue 8:
a diverged run's path keeps its shape when the history thins), now that the rows cross as
a replayed journal (issue 9) rather than as frames."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

import numpy as np
from journal_feed import assert_identical_histories, run_mirrored

from core.descent.config import DescentConfig
from core.descent.recording import descent_history
from core.descent.replay import DescentFrames
from core.history import Field, History, RecordSpec
from core.run_kinds import run_function
from gui.shell import run_codec


@dataclass(frozen=True)
class Tick:
    step: int
    value: float


def test_the_mirror_keeps_the_rows_a_pin_stores():
    config = DescentConfig(surface="rosenbrock", learning_rates=(1e-3, 2e-2), steps=3000)
    rng = np.random.default_rng(0)
    child, mirror, _ = run_mirrored(
        DescentFrames(config),
        partial(descent_history, capacity=16),
        lambda child: rng.random() < 0.3,  # messages go out now and then
    )
    assert_identical_histories(child, mirror)
    stop = int(mirror.record.diverged_at[1])
    rows = mirror.record.index_of_step(stop)
    assert mirror.record.steps[: rows + 1].tolist() == list(range(stop + 1))


run_codec.allow_module(__name__)  # its own frames and record cross as a run kind's do


@run_function
def _frames(n: int):
    for step in range(n):
        yield Tick(step, float(step) ** 2)


def _pins_a_late_stop(frame) -> bool:
    return frame.step == 777  # by then the stride is 64: the frame before was a tail


@run_function
def _record(first_frame) -> History:
    spec = RecordSpec({"value": Field()}, lambda step, row: Tick(step, **row))
    return History(replace(spec, pin=_pins_a_late_stop), capacity=16)


def test_a_pin_stores_the_tail_before_it_though_that_frame_never_crossed():
    child, mirror, _ = run_mirrored(
        partial(_frames, 3000),
        _record,
        lambda child: child.latest.step % 10 == 0,  # step 776 is never the newest sent
    )
    assert {776, 777} <= set(mirror.record.steps.tolist())
    assert_identical_histories(child, mirror)
    np.testing.assert_array_equal(mirror.record.value, mirror.record.steps.astype(float) ** 2)
