"""Drive a `ChildRun` by hand and feed its encoded messages to a window-side `_Mirror`,
as the run process and the reader thread do, without either (for exact comparisons)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from gui.shell import run_codec
from gui.shell.run_child import ChildRun, histories_of
from gui.shell.run_process import _Mirror


def run_mirrored(factory, recorder, send_now: Callable[[ChildRun], bool]):
    """Run ``factory`` to its end in a `ChildRun`; whenever ``send_now(child)`` (and at the
    end) its message goes through `run_codec` into a mirror. Returns (child, mirror, messages)."""
    child = ChildRun(1, run_codec.dumps((factory, recorder)))
    mirror = _Mirror()
    mirror.reset(1, recorder)
    messages = []
    while not child.finished:
        child.advance()
        if send_now(child) or child.finished:
            messages.append(run_codec.dumps(child.message()))
            mirror.fold(*run_codec.loads(messages[-1])[2:])
    return child, mirror, messages


def assert_identical_histories(child: ChildRun, mirror: _Mirror) -> int:
    """Every `History` of the mirror's record holds the child's buffers exactly (stored
    rows, pins, stride, grid, newest and tail); returns how many histories there are."""
    mine, theirs = histories_of(child._record), histories_of(mirror.record)
    assert len(mine) == len(theirs) > 0
    for a, b in zip(mine, theirs, strict=True):
        assert (a._n, a.stride, a._first_step, a._last_step) == (
            b._n,
            b.stride,
            b._first_step,
            b._last_step,
        )
        assert (a._tail is None) == (b._tail is None) and len(a) == len(b)
        np.testing.assert_array_equal(a._pinned[: a._n], b._pinned[: b._n])
        for name in a._buffers:
            np.testing.assert_array_equal(a._buffers[name][: a._n], b._buffers[name][: b._n])
        snap_a, snap_b = a.snapshot(), b.snapshot()
        for name in ("steps", *a.spec.fields):  # the tail row too, read from the newest
            np.testing.assert_array_equal(snap_a.column(name), snap_b.column(name), name)
    return len(mine)
