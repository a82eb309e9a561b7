"""The run process sends its histories' journals, not row frames: the window's mirror,
replaying them, holds buffers identical to the child's (issue 9), for descent and network
records, through thinning and pins; rows cross as one array per field; a journal that
does not fit the mirror is reported, not swallowed."""

from __future__ import annotations

import pickle
from functools import partial

import numpy as np
from journal_feed import assert_identical_histories, run_mirrored
from run_factories import count_ticks, record_ticks

from core.descent.config import DescentConfig
from core.descent.recording import descent_history
from core.descent.replay import DescentFrames
from core.nn.data_spec import DataSpec
from core.nn.train_config import TrainConfig
from core.nn.variant_run import VariantHistory, variant_frames
from gui.shell.run_child import ChildRun, RecordNews
from gui.shell.run_process import _Mirror, _Reader

DIVERGING = DescentConfig(surface="rosenbrock", learning_rates=(1e-3, 2e-2), steps=3000)


def every(n: int):
    return lambda child: child.latest.step % n == 0


def test_a_diverging_descent_is_mirrored_exactly_through_thinning_and_pins():
    child, mirror, _ = run_mirrored(
        DescentFrames(DIVERGING), partial(descent_history, capacity=16), every(7)
    )
    assert_identical_histories(child, mirror)
    history = mirror.record
    stop = int(history.diverged_at[1])
    assert history.stride >= 128  # thinned seven times or more
    assert history._pinned[: history._n].any() and stop in history.steps.tolist()
    assert mirror.latest.step == 3000 and not mirror.latest.points.flags.writeable


def test_messages_at_random_moments_give_the_same_buffers():
    rng = np.random.default_rng(0)
    child, mirror, _ = run_mirrored(
        DescentFrames(DIVERGING),
        partial(descent_history, capacity=16),
        lambda c: rng.random() < 0.3,
    )
    assert_identical_histories(child, mirror)


def test_a_variant_run_with_a_run_that_stops_early_is_mirrored_exactly():
    data = DataSpec("moons", n=40)
    short = TrainConfig(layers=(2, 4, 1), epochs=150, data=data, seed=1)
    long = TrainConfig(layers=(2, 6, 1), epochs=400, data=data, seed=2)
    factory = partial(variant_frames, [(c, c.make_dataset()) for c in (short, long)])
    child, mirror, _ = run_mirrored(factory, partial(VariantHistory, capacity=16), every(5))
    assert assert_identical_histories(child, mirror) == 4  # per-step and weight sets, twice
    short_run, long_run = mirror.record.histories
    assert short_run.per_step.stride >= 8 and long_run.weight_sets.stride >= 16
    assert short_run.per_step.steps[-1] < long_run.per_step.steps[-1]  # it stopped early
    # the stopped run's newest is its own last frame, the one the child's history holds
    assert short_run.per_step.newest_frame.step == short_run.per_step.steps[-1]
    for mine, theirs in zip(child._record.snapshot(), mirror.record.snapshot(), strict=True):
        np.testing.assert_array_equal(mine.weight_steps, theirs.weight_steps)
        for w, v in zip(mine.weights, theirs.weights, strict=True):
            np.testing.assert_array_equal(w, v)


def test_rows_cross_as_one_array_per_field_and_the_newest_frame_whole():
    _, mirror, messages = run_mirrored(
        partial(count_ticks, 40), record_ticks, lambda c: c.latest.step == 39
    )
    assert len(messages) == 2  # the 40 steps, then the end
    news = pickle.loads(messages[0])[2]
    assert isinstance(news, RecordNews) and news.first.step == 0 and news.newest.step == 39
    (journal,) = news.journals
    assert journal.ops == (("store", 40, False),) and journal.newest_row
    # step 39's row is read from the newest frame: 39 rows carried, one array per field
    assert set(journal.rows) == {"steps", "value"} and journal.rows["value"].shape == (39,)
    assert news.newest_frames[0] is news.newest  # one object: pickled once
    end = pickle.loads(messages[1])[2]
    assert end.journals == (None,) and end.newest is None and end.first is None
    assert mirror.record.value.tolist() == [10.0 * s for s in range(40)]


def test_a_lost_message_is_reported_as_a_failed_run(qtbot):
    child = ChildRun(7, pickle.dumps((partial(count_ticks, 100), record_ticks)))
    mirror = _Mirror()
    mirror.reset(7, record_ticks)
    reader = _Reader(None, None, mirror, None)
    failed: list[tuple] = []
    reader.failed.connect(lambda generation, text: failed.append((generation, text)))
    messages = []
    for _ in range(3):
        for _ in range(10):
            child.advance()
        messages.append(child.message())
    reader._take(messages[0])
    reader._take(messages[2])  # the second one never came: the journal does not fit
    assert mirror.recorder is None and len(failed) == 1
    generation, text = failed[0]
    assert generation == 7 and text.startswith("run process: replay: the journal begins at")
    assert "(20, 1, 19), this history is at (10, 1, 9)" in text
    assert mirror.latest.step == 9  # the state it had before
