"""How often the run process sends while a run plays: at the window's rate for small
messages, less often (but at least `LONGEST_BYTE_GAP_S` apart at most) for large ones."""

from __future__ import annotations

import functools
import pickle
import time

from run_factories import heavy_ticks, record_ticks

from gui.shell.run_child import LONGEST_BYTE_GAP_S, SEND_BYTES_PER_SECOND, ChildRun, RunLoop


class _Sent:
    """Stands in for the messages pipe: keeps what was sent."""

    def __init__(self) -> None:
        self.sizes: list[int] = []

    def send_bytes(self, data: bytes) -> None:
        self.sizes.append(len(data))


def _loop(frame_bytes: int) -> tuple[RunLoop, _Sent]:
    sent = _Sent()
    loop = RunLoop(None, sent)
    factory = functools.partial(heavy_ticks, 1000, frame_bytes)
    loop.run = ChildRun(1, pickle.dumps((factory, record_ticks)))
    loop.playing, loop.min_interval = True, 1.0 / 45.0
    return loop, sent


def _news_after(loop: RunLoop, sent: _Sent, seconds_since_last: float) -> bool:
    """One more step, then whether a flush ``seconds_since_last`` after the last send sent."""
    loop.run.advance()
    before = len(sent.sizes)
    loop.last_send = time.perf_counter() - seconds_since_last
    loop._flush()
    return len(sent.sizes) > before


def test_small_messages_go_at_the_windows_rate():
    loop, sent = _loop(frame_bytes=1000)
    assert _news_after(loop, sent, 1.0)
    assert loop.byte_gap < loop.min_interval
    assert not _news_after(loop, sent, 0.5 * loop.min_interval)
    assert _news_after(loop, sent, 1.1 * loop.min_interval)


def test_large_messages_wait_for_their_bytes_but_never_long():
    size = int(0.5 * SEND_BYTES_PER_SECOND / 45.0) * 4  # twice the byte rate at 45 a second
    loop, sent = _loop(frame_bytes=size)
    assert _news_after(loop, sent, 1.0)
    gap = sent.sizes[-1] / SEND_BYTES_PER_SECOND
    assert loop.min_interval < gap < LONGEST_BYTE_GAP_S
    assert loop.byte_gap == gap
    assert not _news_after(loop, sent, 1.1 * loop.min_interval)  # the window's rate: too soon
    assert _news_after(loop, sent, 1.05 * gap)


def test_a_huge_message_waits_at_most_the_longest_gap():
    loop, sent = _loop(frame_bytes=int(SEND_BYTES_PER_SECOND))  # a second's worth of bytes
    assert _news_after(loop, sent, 1.0)
    assert loop.byte_gap == LONGEST_BYTE_GAP_S
    assert not _news_after(loop, sent, 0.9 * LONGEST_BYTE_GAP_S)
    assert _news_after(loop, sent, 1.05 * LONGEST_BYTE_GAP_S)


def test_a_paused_run_sends_at_once_whatever_the_size():
    loop, sent = _loop(frame_bytes=int(SEND_BYTES_PER_SECOND))
    assert _news_after(loop, sent, 1.0)
    loop.playing = False
    assert _news_after(loop, sent, 0.0)
