"""Per-frame text changes must not lay out or resize their neighbours (counts, no clocks).

A frame changes the numbers of the stability meter, its sentence and the step label. If
any of these asked for a new layout, the side plots beside them would be resized and
redrawn from scratch on every frame.
"""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import numpy as np
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QVBoxLayout, QWidget

from core.descent.frame import DIVERGED, RUNNING, RunTable
from core.descent.stability import stability_report
from gui.descent.views.stability_meter import StabilityMeter
from gui.descent.views.sweep_plot import SweepPlot
from gui.shell.timeline import Timeline
from gui.widgets.text_strip import TextStrip


class EventCounter(QObject):
    """Counts events of the watched types per object name."""

    def __init__(self, *types: QEvent.Type) -> None:
        super().__init__()
        self.types = types
        self.counts: Counter[str] = Counter()

    def eventFilter(self, obj, event) -> bool:
        if event.type() in self.types:
            self.counts[f"{obj.objectName()}:{event.type().name}"] += 1
        return False


_RUNS = RunTable(
    optimizer_index=np.zeros(1, dtype=int),
    optimizer_labels=("gd",),
    lr=np.array([1e-3]),
    start=np.zeros((1, 2)),
    seed=np.zeros(1, dtype=int),
)


def _frame(step: int, lam: float, lr: float, diverged_at: int = -1):
    """A report as core computes it for one run at ``step`` (stopped at ``diverged_at``)."""
    frame = SimpleNamespace(
        step=step,
        lambda_max=np.array([lam]),
        lr=np.array([lr]),
        diverged_at=np.array([diverged_at]),
        stop_reason=np.array([DIVERGED if diverged_at >= 0 else RUNNING]),
        fault_step=np.array([1 if diverged_at >= 0 else -1]),
        fault_lr=np.array([lr]),
        fault_lambda=np.array([lam]),
    )
    return stability_report(frame, _RUNS, 0)


def _column(qtbot, *widgets):
    """A window with ``widgets`` stacked over a neighbour that takes the rest."""
    window = QWidget()
    window.setObjectName("window")
    layout = QVBoxLayout(window)
    neighbour = QWidget()
    neighbour.setObjectName("neighbour")
    layout.addWidget(neighbour, 1)
    for widget in widgets:
        layout.addWidget(widget, 0)
    qtbot.addWidget(window)
    window.resize(460, 600)
    window.show()
    qtbot.waitExposed(window)
    return window, neighbour


def test_stability_meter_text_changes_keep_the_layout_still(qtbot):
    meter = StabilityMeter()
    window, neighbour = _column(qtbot, meter)
    # short and long sentences, numbers of every width, a divergence
    frames = [
        _frame(1, 2.0, 1e-4),
        _frame(2, 480.0, 0.00464),
        _frame(3, -3.5, 0.01),
        _frame(4, 1.23e5, 1.1e-3, diverged_at=4),
        _frame(5, 0.5, 3.0),
    ]
    for frame in frames:  # the first pass may reserve room once for the longest text
        meter.show_report(frame)
        qtbot.wait(5)
    qtbot.wait(50)
    height, texts = meter.height(), set()
    counter = EventCounter(QEvent.Type.LayoutRequest, QEvent.Type.Resize)
    for widget in (window, neighbour, meter):
        widget.installEventFilter(counter)
    for frame in frames * 3:
        meter.show_report(frame)
        texts.add(meter.sentence.text())
        qtbot.wait(5)
    assert len(texts) == len(frames)  # the sentence really changed every frame
    assert "diverged" in "".join(texts)
    assert meter.height() == height
    assert counter.counts["neighbour:Resize"] == 0
    assert counter.counts["window:LayoutRequest"] == 0


def test_text_strip_grows_once_for_a_text_longer_than_its_samples(qtbot):
    strip = TextStrip("short", samples=("one line",))
    _window, _ = _column(qtbot, strip)
    qtbot.wait(20)
    one_line = strip.height()
    strip.setText(" ".join(["a much longer text that wraps"] * 8))
    qtbot.waitUntil(lambda: strip.height() > 2 * one_line)
    grown = strip.height()
    strip.setText("short again")
    qtbot.wait(20)
    strip.updateGeometry()
    qtbot.wait(20)
    assert strip.height() == grown  # no shrinking back and forth between frames


def test_step_label_changes_do_not_ask_for_a_layout(qtbot):
    timeline = Timeline()
    window, neighbour = _column(qtbot, timeline)
    qtbot.wait(20)
    counter = EventCounter(QEvent.Type.LayoutRequest, QEvent.Type.Resize)
    for widget in (window, neighbour, timeline):
        widget.installEventFilter(counter)
    for rows, step in ((10, 9), (500, 12_345), (1024, 9_876_543)):
        timeline.set_rows(rows, step)
        qtbot.wait(5)
    assert timeline.step_label.text() == "step 9,876,543"
    assert sum(counter.counts.values()) == 0


def test_sweep_plot_range_holds_while_a_loss_wobbles_across_a_decade(qtbot):
    import pyqtgraph as pg

    widget = pg.GraphicsLayoutWidget()
    qtbot.addWidget(widget)
    sweep = SweepPlot(widget.addPlot())
    table = SimpleNamespace(lr=np.array([1e-4, 1e-3, 1e-2]))
    sweep.set_runs(np.full((3, 4), 200, np.uint8), table)
    alive = np.full(3, -1)
    sweep.show(np.array([5.0, 0.5, 9.0]), alive)
    first = sweep._range
    changes = 0
    for top in (11.0, 9.0, 12.0, 8.0, 11.0):  # the largest loss crosses 10 back and forth
        sweep.show(np.array([5.0, 0.5, top]), alive)
        changes += sweep._range != first
        first = sweep._range
    assert changes <= 1  # grows once to hold the decade above, then stays
    sweep.show(np.array([5.0, 0.5, 1e6]), alive)  # a real change still moves it
    assert sweep._range[3] >= 6.0


def _paints(qtbot, widget, change, watched, frames: int = 6) -> Counter:
    """Paint events of the ``watched`` widgets (by object name) over ``frames`` calls of
    ``change(i)``, ``widget`` in a window, each call followed by a pass of the event loop."""
    window, _neighbour = _column(qtbot, widget)
    qtbot.wait(50)
    counter = EventCounter(QEvent.Type.Paint)
    for item in (window, *watched):
        item.installEventFilter(counter)
    for i in range(frames):
        change(i)
        qtbot.wait(10)
    return counter.counts


def test_step_label_and_text_strip_repaint_alone(qtbot):
    """A see-through label's repaint repaints every widget under it (the window, through
    the style sheet); the texts that change every frame fill their own background."""
    timeline = Timeline()
    timeline.setObjectName("timeline")
    label = timeline.step_label
    timeline.set_rows(5, 0)  # the handle at the end from the first paint on
    counts = _paints(
        qtbot, timeline, lambda i: timeline.set_rows(10 + i, 1000 * i), [timeline, label]
    )
    assert counts["stepLabel:Paint"] >= 1  # the label repainted its new steps
    assert counts["timeline:Paint"] == 0 and counts["window:Paint"] == 0
    strip = TextStrip("", samples=("a sample long enough for two lines of text",))
    strip.setObjectName("strip")
    counts = _paints(qtbot, strip, lambda i: strip.setText(f"value {i}"), [strip])
    assert counts["strip:Paint"] >= 1
    assert counts["window:Paint"] == 0


def test_a_followed_timeline_slider_is_not_repainted_as_rows_grow(qtbot):
    timeline = Timeline()
    timeline.slider.setObjectName("slider")
    _window, _ = _column(qtbot, timeline)
    timeline.set_rows(2, 1)
    qtbot.wait(50)
    counter = EventCounter(QEvent.Type.Paint)
    timeline.slider.installEventFilter(counter)
    for rows in range(3, 40):
        timeline.set_rows(rows, 10 * rows)
        qtbot.wait(2)
    assert counter.counts["slider:Paint"] == 0  # the handle stayed at the right end
    assert (timeline.slider.maximum(), timeline.slider.value()) == (38, 38)
    assert timeline.following
    # scrubbed back, a growing history moves the handle: the slider repaints
    timeline.slider.setValue(10)
    assert not timeline.following
    qtbot.wait(20)
    counter.counts.clear()
    timeline.set_rows(80, 800)
    qtbot.wait(20)
    assert timeline.slider.maximum() == 79 and timeline.slider.value() == 10
    assert counter.counts["slider:Paint"] >= 1
