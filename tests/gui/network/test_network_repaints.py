"""What a frame repaints in the network views: only what changed. A frame of a run playing
flat out whose neurons, edges or data points did not move paints nothing of them (every
paint of a view costs the window a millisecond or more, and on two cores the run's
process loses about as much as the window spends)."""

from __future__ import annotations

import dataclasses

import numpy as np
from PySide6.QtCore import QEvent, QObject

from core.nn.graph import network_layout
from core.nn.presets import load_network_preset
from core.nn.step_through import sample_trace_at
from core.nn.variant_run import variant_frames
from gui.network.views.diagram import NetworkDiagram


class PaintCounter(QObject):
    """Counts the paint events a widget (a plot's viewport) receives."""

    def __init__(self, widget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def _frames(name: str, count: int):
    config = load_network_preset(name).config
    dataset = config.make_dataset()
    frames = [f.frames[0] for _, f in zip(range(count), variant_frames([(config, dataset)]))]
    return config, dataset, frames


def _shown_diagram(qtbot, layers) -> NetworkDiagram:
    diagram = NetworkDiagram()
    qtbot.addWidget(diagram)
    diagram.resize(500, 400)
    diagram.show()
    qtbot.waitExposed(diagram)
    diagram.set_layout(network_layout(layers))
    return diagram


def test_a_live_frame_that_changes_nothing_repaints_nothing_in_the_diagram(qtbot):
    config, dataset, frames = _frames("batch-vs-minibatch-vs-sgd", 30)
    diagram = _shown_diagram(qtbot, config.layers)
    first, last = frames[0], frames[-1]
    trace = sample_trace_at(config, first, dataset, 0)
    diagram.show_live(first.weights, trace, moving=True)
    qtbot.wait(20)
    paints = PaintCounter(diagram.viewport())
    for _ in range(3):  # the same weights and activations again: nothing to redraw
        diagram.show_live(first.weights, trace, moving=True)
        qtbot.wait(20)
    assert paints.count == 0
    assert len(diagram.rings.data) == 0 and len(diagram.pulses.data) == 0
    later = sample_trace_at(config, last, dataset, 0)
    shades = diagram._bins.copy()
    diagram.show_live(last.weights, later, moving=True)  # a later step: shades moved
    assert not np.array_equal(diagram._bins, shades)
    qtbot.waitUntil(lambda: paints.count > 0, timeout=2000)


def test_rings_and_pulses_of_a_phase_are_cleared_when_the_run_goes_live(qtbot):
    from core.nn.step_through import sample_walk

    config, dataset, frames = _frames("backprop-by-hand", 2)
    diagram = _shown_diagram(qtbot, config.layers)
    frame = frames[-1]
    trace = sample_trace_at(config, frame, dataset, 0)
    walk = sample_walk(config, frame, trace, len(frame.batch_indices))
    backward = next(i for i, p in enumerate(walk.phases) if p.kind == "backward")
    diagram.show_phase(frame, walk, backward)
    assert len(diagram.rings.data) > 0 and len(diagram.pulses.data) > 0
    diagram.show_live(frame.weights, trace)
    assert len(diagram.rings.data) == 0 and len(diagram.pulses.data) == 0


class PaintRegions(PaintCounter):
    """The rectangles a widget is asked to repaint."""

    def __init__(self, widget) -> None:
        super().__init__(widget)
        self.rects: list = []

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.rects.extend(event.region())
        return super().eventFilter(obj, event)


def test_restyled_neurons_repaint_only_their_squares_and_leave_nothing_stale(qtbot):
    config, dataset, frames = _frames("batch-vs-minibatch-vs-sgd", 40)
    diagram = _shown_diagram(qtbot, config.layers)
    weights = frames[1].weights  # the edges stay: only neurons change shade below
    regions = PaintRegions(diagram.viewport())
    for frame in (frames[0], frames[1], frames[-1], frames[5]):
        shades = None if diagram._bins is None else diagram._bins.copy()
        regions.rects.clear()
        diagram.show_live(weights, sample_trace_at(config, frame, dataset, 0))
        qtbot.wait(30)
    changed = int(np.sum(diagram._bins != shades))
    assert 0 < changed < len(shades)
    # (Qt repaints the rectangle around the squares of the neurons restyled)
    painted = sum(r.width() * r.height() for r in regions.rects)
    viewport = diagram.viewport()
    assert 0 < painted < 0.5 * viewport.width() * viewport.height()
    partly = _on_screen(diagram)
    viewport.repaint()  # all of it afresh: what the partial repaint should have shown
    assert _on_screen(diagram) == partly


def _on_screen(widget):
    """What the window shows of ``widget`` (its backing store), not a fresh rendering."""
    return widget.screen().grabWindow(widget.winId()).toImage()


def test_a_new_output_grid_repaints_the_output_but_not_the_data_points(qtbot, monkeypatch):
    import pyqtgraph as pg

    from core.nn.output_grid import output_grid
    from gui.network.views.data_view import DataView

    config, dataset, frames = _frames("xor-needs-a-hidden-layer", 30)
    painted: list = []  # the scatter items whose paint ran
    original = pg.ScatterPlotItem.paint

    def paint(item, *args):
        painted.append(item)
        return original(item, *args)

    # (before the items exist: PySide looks a Python override up once per object)
    monkeypatch.setattr(pg.ScatterPlotItem, "paint", paint)
    view = DataView()
    qtbot.addWidget(view)
    view.resize(400, 360)
    view.show()
    qtbot.waitExposed(view)
    view.set_dataset(dataset)
    view.show_output(output_grid(config, frames[0], dataset))
    qtbot.waitUntil(lambda: view.train in painted, timeout=2000)
    painted.clear()
    paints = PaintCounter(view.viewport())
    view.show_output(output_grid(config, frames[-1], dataset))  # the output moved
    qtbot.waitUntil(lambda: paints.count > 0, timeout=2000)
    assert view.train not in painted and view.test not in painted  # blitted, not redrawn
    assert not np.array_equal(view.grid.classes, output_grid(config, frames[0], dataset).classes)
    partly = _on_screen(view)
    view.viewport().repaint()
    assert _on_screen(view) == partly  # the points are where a full repaint puts them
    moved = dataclasses.replace(dataset, X_train=dataset.X_train + 0.25)
    view.set_dataset(moved, keep_output=True)  # new points: drawn afresh
    qtbot.waitUntil(lambda: view.train in painted, timeout=2000)


def _histories(name: str, steps: int):
    from core.nn.variant_run import variant_history

    config = load_network_preset(name).config
    dataset = config.make_dataset()
    frames = variant_frames([(config, dataset), (config, dataset)])
    first = next(frames)
    recorder = variant_history(first)
    recorder.append(first)
    snapshots = []
    for _ in range(steps):
        recorder.append(next(frames))
        snapshots.append(recorder.snapshot())
    return dataset, snapshots


def test_the_curves_of_a_run_that_did_not_move_are_not_set_again(qtbot, monkeypatch):
    import pyqtgraph as pg

    from gui.network.views.curve_line import CurveLine
    from gui.network.views.curves import GradientStrip, TrainingCurves

    dataset, snapshots = _histories("xor-needs-a-hidden-layer", 12)
    curves, strip = TrainingCurves(), GradientStrip()
    for widget in (curves, strip):
        qtbot.addWidget(widget)
    curves.set_runs(["a", "b"], True, len(dataset.X_test) > 0)
    strip.set_layers(len(snapshots[0][0].grad_norms[0]))
    set_on: list = []  # the curves and marks whose points were set
    for kind in (pg.PlotDataItem, CurveLine):
        monkeypatch.setattr(kind, "setData", _spy(kind.setData, set_on))
    earlier, later = snapshots[5], snapshots[-1]
    curves.show_histories(earlier, [1, 1])
    strip.show_history(earlier[1], "b")
    set_on.clear()
    stopped = (later[0], earlier[1])  # run a trained on, run b stopped at the earlier step
    curves.show_histories(stopped, [1, 1])
    strip.show_history(stopped[1], "b")
    moved, still = curves.lines[0], curves.lines[1]
    assert all(item in set_on for item in moved.values())
    assert not any(item in set_on for item in still.values())
    assert not any(line in set_on for line in strip.lines) and not any(
        mark in set_on for mark in curves.exits
    )
    assert len(still["train_loss"].points[0]) == len(earlier[1].steps)
    assert len(moved["train_loss"].points[0]) == len(later[0].steps)


def _spy(method, calls: list):
    def spied(item, *args, **kwargs):
        calls.append(item)
        return method(item, *args, **kwargs)

    return spied
