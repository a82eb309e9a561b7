"""A `History`'s journal, replayed on a copy, makes the copy's buffers identical (issue 9):
the exact operations by hand, many thinnings and pins, the training and variant records,
an empty journal after a take, and a journal that does not fit the copy refused by name."""

from __future__ import annotations

import pickle
from types import SimpleNamespace

import numpy as np
import pytest

from core.history import Field, History, HistoryJournal, RecordSpec
from core.nn.data_spec import DataSpec
from core.nn.train_config import TrainConfig
from core.nn.variant_run import VariantHistory, variant_frames

SPEC = RecordSpec(
    {"value": Field((2,)), "count": Field((), np.int64)},
    build_frame=lambda step, row: SimpleNamespace(step=step, **row),
    pin=lambda frame: frame.step in (7, 9001),  # where a run stopped, say
)


def tick(step: int) -> SimpleNamespace:
    return SimpleNamespace(step=step, value=[step, -step], count=3 * step)


def assert_identical(a: History, b: History) -> None:
    assert (a._n, a.stride, a._first_step, a._last_step) == (
        b._n,
        b.stride,
        b._first_step,
        b._last_step,
    )
    np.testing.assert_array_equal(a._pinned[: a._n], b._pinned[: b._n])
    for name in a._buffers:
        np.testing.assert_array_equal(a._buffers[name][: a._n], b._buffers[name][: b._n], name)
    for name in ("steps", *a.spec.fields):
        np.testing.assert_array_equal(a.snapshot().column(name), b.snapshot().column(name))


def test_the_journal_of_five_appends_into_four_rows_by_hand():
    history = History(SPEC, capacity=4)
    history.start_journal()
    for step in range(5):
        history.append(tick(step))
    journal = history.take_journal()
    # rows 0..3 fill the buffers; step 4 is on the grid: thin to 0, 2 (stride 2), store 4
    assert journal.ops == (("store", 4, False), ("thin",), ("store", 1, False))
    assert journal.before == (0, 1, None) and journal.after == (3, 2, 0, 4, False)
    assert journal.newest_row  # step 4's row is read from the newest frame on replay
    assert journal.rows["steps"].tolist() == [0, 1, 2, 3]
    assert journal.rows["value"].tolist() == [[0, 0], [1, -1], [2, -2], [3, -3]]
    copy = History(SPEC, capacity=4)
    copy.replay(journal, history.newest_frame)
    assert copy.steps.tolist() == [0, 2, 4] and copy.count.tolist() == [0, 6, 12]
    assert_identical(history, copy)


def test_a_copy_replaying_pickled_journals_stays_identical_through_thinning_and_pins():
    original, copy = History(SPEC, capacity=64), History(SPEC, capacity=64)
    original.start_journal()
    rng = np.random.default_rng(2)
    kinds = set()
    for step in range(20_000):
        original.append(tick(step))
        if rng.random() < 0.05 or step == 19_999:
            journal = pickle.loads(pickle.dumps(original.take_journal()))
            kinds |= {op[0] for op in journal.ops}
            copy.replay(journal, original.newest_frame)
            assert_identical(original, copy)
    assert kinds == {"store", "thin", "pin"} and copy.stride >= 512  # thinned 9 times
    assert {0, 1, 7, 9000, 9001} <= set(copy.steps.tolist())  # pinned, and the rows before
    assert copy.frame_at(-1) is original.newest_frame


def test_a_journal_is_empty_after_take():
    history = History(SPEC, capacity=8)
    history.start_journal()
    history.append(tick(0))
    history.append(tick(1))
    first = history.take_journal()
    assert first.stored == 2 and first.appended
    again = history.take_journal()
    assert again.ops == () and again.rows == {} and not again.appended
    assert again.before == (2, 1, 1) and not again.newest_row
    copy = History(SPEC, capacity=8)
    copy.replay(first, history.newest_frame)
    version = copy.version
    copy.replay(again)  # nothing happened: nothing changes, no newest needed
    assert copy.version == version and copy.newest_frame is history.newest_frame


def test_a_tail_replayed_is_the_newest_frame_and_its_row_is_read_from_it():
    original, copy = History(SPEC, capacity=4), History(SPEC, capacity=4)
    original.start_journal()
    for step in range(6):  # stride 2 from step 4 on: step 5 is a tail
        original.append(tick(step))
    copy.replay(original.take_journal(), original.newest_frame)
    assert copy.steps.tolist() == [0, 2, 4, 5] and copy.value[-1].tolist() == [5, -5]
    assert copy.frame_at(-1) is original.newest_frame
    assert_identical(original, copy)


def _journals(n: int) -> tuple[History, list[HistoryJournal]]:
    history = History(SPEC, capacity=8)
    history.start_journal()
    journals = []
    for step in range(n):
        history.append(tick(step))
        journals.append(history.take_journal())
    return history, journals


def test_a_journal_that_does_not_fit_is_refused_naming_what_differs():
    history, journals = _journals(3)
    copy = History(SPEC, capacity=8)
    with pytest.raises(ValueError, match=r"begins at \(rows, stride, last step\) \(1, 1, 0\)"):
        copy.replay(journals[1], history.newest_frame)  # the first one was never replayed
    assert len(copy) == 0 and copy.version == 0  # nothing changed
    with pytest.raises(ValueError, match="newest is needed"):
        copy.replay(journals[0])
    rows = {"steps": np.arange(2), "count": np.zeros(2, np.int64), "value": np.zeros((2, 3))}
    by_hand = HistoryJournal((("store", 2, False),), rows, (0, 1, None), (2, 1, 0, 1, False))
    with pytest.raises(ValueError, match=r"rows\['value'\] must have shape \(2, 2\), got \(2, 3\)"):
        copy.replay(by_hand, tick(1))
    with pytest.raises(ValueError, match="journal of its own"):
        history.replay(journals[0], history.newest_frame)
    with pytest.raises(ValueError, match="start_journal"):
        History(SPEC, capacity=8).take_journal()
    copy.replay(journals[0], tick(0))  # the right one still fits after all that
    assert copy.steps.tolist() == [0]


def test_variant_records_with_a_run_that_stops_early_replay_identically():
    data = DataSpec("moons", n=40)
    short = TrainConfig(layers=(2, 4, 1), epochs=60, data=data, seed=1)
    long = TrainConfig(layers=(2, 6, 1), epochs=200, data=data, seed=2)
    frames = list(variant_frames([(c, c.make_dataset()) for c in (short, long)]))
    original, copy = VariantHistory(frames[0], 16), VariantHistory(frames[0], 16)
    pairs = [
        (mine, theirs)
        for a, b in zip(original.histories, copy.histories, strict=True)
        for mine, theirs in ((a.per_step, b.per_step), (a.weight_sets, b.weight_sets))
    ]
    for mine, _ in pairs:
        mine.start_journal()
    shown = copy.snapshot()
    for start in range(0, len(frames), 9):
        for frame in frames[start : start + 9]:
            original.append(frame)
        for mine, theirs in pairs:
            theirs.replay(mine.take_journal(), mine.newest_frame)
    assert not frames[-1].fresh[0]  # the short run stopped before the end
    for mine, theirs in pairs:
        assert_identical(mine, theirs)
    # the training snapshots key on the histories' versions: replays show without appends
    assert [len(s) for s in copy.snapshot()] != [len(s) for s in shown]
    for a, b in zip(original.snapshot(), copy.snapshot(), strict=True):
        np.testing.assert_array_equal(a.train_loss, b.train_loss)
        np.testing.assert_array_equal(a.weight_steps, b.weight_steps)
