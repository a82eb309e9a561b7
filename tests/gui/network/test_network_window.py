"""The network workspace in the window: every preset shows its effect, the worked example,
architecture edits mid-run, the diagram following a run, a large network."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyqtgraph as pg

from core.nn.graph import node_fill
from gui.shell.app import run_window
from gui.shell.main_window import MainWindow


def _open(w: MainWindow, qtbot, name: str):
    w.load_preset_name(name)
    space = w.network_space
    qtbot.waitUntil(lambda: space.controller.shown is not None, timeout=10_000)
    return space


def _run_to_end(space, qtbot, timeout_ms: int = 60_000) -> None:
    space.controls.training.flat_out.setChecked(True)
    space.controller.play()
    qtbot.waitUntil(lambda: space.worker.status == "finished", timeout=timeout_ms)
    qtbot.waitUntil(lambda: space.up_to_date, timeout=5_000)


def _frames(space) -> tuple:
    shown = space.controller.shown
    return () if shown is None else shown.frame.frames


def _step(space) -> int:
    shown = space.controller.shown
    return -1 if shown is None else shown.frame.step


def _last(line) -> float:
    return float(line.points[1][-1])  # the data given (yData is log10 on a log axis)


def test_backprop_by_hand_step_through_shows_the_textbook_numbers(window, qtbot):
    space = _open(window, qtbot, "backprop-by-hand")
    panel = space.widget.step_through
    assert space.widget.side.currentWidget() is panel
    expected = [
        ["= 0.3775", "= 0.593269992"],
        ["= 0.75136507"],
        ["= 0.298371109"],
        ["= 0.0821670406"],
        ["= 0.00877135469"],
        ["= 0.35891648", "= 0.149780716"],
    ]
    for numbers in expected:
        panel.next_button.click()
        text = panel.shown_text()
        for number in numbers:
            assert number in text
    diagram = space.widget.diagram
    x, y = diagram.layout_.nodes[diagram.layout_.node_index(1, 0)]
    assert "z = 0.3775" in diagram.describe_at(x, y)
    assert "a = 0.593269992" in diagram.describe_at(x, y)
    (x0, y0), (x1, y1) = diagram.layout_.segments[diagram.layout_.edge_first[1]]  # w5
    hover = diagram.describe_at((x0 + x1) / 2, (y0 + y1) / 2)
    assert "w = 0.4" in hover and "= 0.0821670406" in hover


def test_xor_needs_a_hidden_layer(window, qtbot):
    space = _open(window, qtbot, "xor-needs-a-hidden-layer")
    _run_to_end(space, qtbot)
    lines = space.widget.curves.lines
    assert _last(lines[0]["train_accuracy"]) <= 0.4  # [2, 1]: stuck near chance
    assert _last(lines[1]["train_accuracy"]) == 1.0  # [2, 4, 1]: solved
    assert _last(lines[0]["train_loss"]) > 0.6
    assert _last(lines[1]["train_loss"]) < 0.05


def test_vanishing_gradients_show_as_a_fan_in_the_strip(window, qtbot):
    space = _open(window, qtbot, "vanishing-gradients-deep-sigmoid")
    strip = space.widget.gradients
    first, last = strip.data[0][1][0], strip.data[-1][1][0]  # step 0
    assert first / last < 1e-3  # about 1.5e-4: sigmoid layers shrink the error signal
    space.controls.shown_run.setCurrentIndex(2)  # relu + He
    first, last = strip.data[0][1][0], strip.data[-1][1][0]
    assert first / last > 1e-2


def test_exploding_gradients_say_why_and_push_no_nan(window, qtbot):
    space = _open(window, qtbot, "exploding-gradients-large-init")
    space.controls.training.flat_out.setChecked(True)
    space.controller.play()
    banner = space.widget.banner.divergence
    qtbot.waitUntil(lambda: "diverged" in banner.text(), timeout=20_000)
    assert "initial weights are too large" in banner.text()
    space.controller.stop()
    for lines in space.widget.curves.lines:
        for item in lines.values():
            assert item.yData is None or np.all(np.isfinite(item.yData))


def test_zeros_init_keeps_hidden_units_identical(window, qtbot):
    space = _open(window, qtbot, "zeros-init-symmetry")
    space.controls.training.flat_out.setChecked(True)
    space.controller.play()
    qtbot.waitUntil(lambda: _step(space) >= 30, timeout=20_000)
    space.controller.stop()
    qtbot.waitUntil(lambda: space.up_to_date, timeout=5_000)
    hidden = space.widget.diagram.trace.a[0][0]
    assert np.ptp(hidden) == 0.0  # four units, one value
    space.controls.shown_run.setCurrentIndex(1)  # xavier
    assert np.ptp(space.widget.diagram.trace.a[0][0]) > 1e-3


def test_batch_minibatch_sgd_update_counts(window, qtbot):
    space = _open(window, qtbot, "batch-vs-minibatch-vs-sgd")
    _run_to_end(space, qtbot, timeout_ms=120_000)
    frames = space.worker.latest.frame.frames
    assert [f.step for f in frames] == [30, 180, 2700]
    losses = [f.train_loss for f in frames]
    assert losses[2] < losses[1] < losses[0]


def test_architecture_edit_mid_run_restarts_with_the_new_layers(window, qtbot):
    space = _open(window, qtbot, "xor-needs-a-hidden-layer")
    space.controls.variants.setChecked(False)
    space.controls.training.epochs.setValue(100_000)  # still running at the end
    space.controls.training.flat_out.setChecked(True)
    space.controller.play()
    qtbot.waitUntil(lambda: _step(space) > 20, timeout=10_000)
    space.controls.layers.add_button.click()  # [2, 1] -> [2, 4, 1]
    assert space.worker.status == "playing"
    qtbot.waitUntil(lambda: [len(f.weights) for f in _frames(space)] == [2], timeout=10_000)
    assert space.widget.diagram.layout_.sizes == (2, 4, 1)
    space.controls.layers.rows[0][0].setValue(6)  # [2, 6, 1], still playing
    qtbot.waitUntil(
        lambda: [f.weights[0].shape for f in _frames(space)] == [(2, 6)], timeout=10_000
    )
    assert space.widget.diagram.layout_.sizes == (2, 6, 1)
    assert space.worker.status == "playing"


def test_diagram_follows_the_run(window, qtbot):
    space = _open(window, qtbot, "xor-needs-a-hidden-layer")
    space.controls.shown_run.setCurrentIndex(1)
    space.controls.training.flat_out.setChecked(True)
    space.controller.play()
    qtbot.waitUntil(lambda: _step(space) > 40, timeout=10_000)
    window.pause()
    qtbot.waitUntil(lambda: space.up_to_date, timeout=5_000)
    frame = space.worker.latest.frame.frames[1]
    diagram = space.widget.diagram
    for shown, actual in zip(diagram.weights, frame.weights, strict=True):
        np.testing.assert_array_equal(shown, actual)
    brushes = diagram.nodes.data["brush"]
    fill = node_fill(diagram.trace)
    darkest = int(np.argmax(np.abs(fill)))
    assert brushes[darkest].color() != brushes[int(np.argmin(np.abs(fill)))].color()
    assert diagram.edges.drawn_edges() == len(diagram.layout_.segments)


def test_large_network_draws_every_edge_with_few_items(window, qtbot):
    space = _open(window, qtbot, "exploding-gradients-large-init")
    space.controls.variants.setChecked(False)
    config = dataclasses.replace(
        space.controller.config, layers=(1, *[64] * 7, 1), init="he", epochs=2
    )
    assert space.controller.apply_config(config, playing=False)
    qtbot.waitUntil(
        lambda: (
            space.controller.shown is not None
            and len(space.controller.shown.frame.frames[0].weights) == 8
        ),
        timeout=10_000,
    )
    diagram = space.widget.diagram
    assert len(diagram.layout_.segments) == 64 + 6 * 64 * 64 + 64
    assert len(diagram.edges.bundles) == 8 and not diagram.labels  # one item per layer
    assert diagram.edges.crowded  # cached as pixmaps, refreshed in turn while moving
    assert diagram.edges.drawn_edges() == len(diagram.layout_.segments)


def test_unknown_preset_exits_2_with_one_line(capsys):
    assert run_window(preset="no-such-preset") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no-such-preset" in err


def test_scrubbing_the_timeline_pins_the_diagram_to_a_recorded_step(window, qtbot):
    space = _open(window, qtbot, "xor-needs-a-hidden-layer")
    _run_to_end(space, qtbot)
    history = space.controller.shown.history[0]
    slider = space.widget.timeline.slider
    slider.setValue(3)  # the user drags the handle to row 3
    step = int(history.steps[3])
    weights = history.weights_at(step)[1]
    diagram = space.widget.diagram
    for shown, recorded in zip(diagram.weights, weights, strict=True):
        np.testing.assert_array_equal(shown, recorded)
    assert space.widget.timeline.step_label.text() == f"step {step:,}"
    slider.setValue(slider.maximum())  # back at the right end: the live run
    newest = space.controller.shown.frame.frames[0].weights
    for shown, live in zip(diagram.weights, newest, strict=True):
        np.testing.assert_array_equal(shown, live)


def test_presentation_mode_enlarges_the_network_views_fonts_and_lines(window, qtbot):
    space = _open(window, qtbot, "backprop-by-hand")
    widget = space.widget
    axis = widget.curves.loss.getPlotItem().getAxis("bottom")

    def sizes():
        return (
            widget.diagram.titles.items[0].textItem.font().pointSizeF(),
            axis.style["tickFont"].pointSizeF() if axis.style["tickFont"] else 0.0,
            widget.gradients.plot.getAxis("left").style["tickFont"].pointSizeF(),
            widget.data_view.plot.getAxis("left").style["tickFont"].pointSizeF(),
            widget.curves.lines[0]["train_loss"].opts["pen"].widthF(),
            widget.gradients.lines[0].opts["pen"].widthF(),
        )

    before = sizes()
    window.toggle_presentation()  # F11
    larger = sizes()
    assert all(b > a for a, b in zip(before, larger, strict=True))
    window.toggle_presentation()
    assert sizes() == before


def test_network_runs_train_in_the_run_process_and_the_window_follows(window, qtbot):
    space = _open(window, qtbot, "xor-needs-a-hidden-layer")
    worker = space.worker
    assert worker.route == "process" and worker.child_pid is not None
    space.controls.training.epochs.setValue(100_000)  # still running at the end
    space.controls.training.flat_out.setChecked(True)
    space.controller.play()
    qtbot.waitUntil(lambda: _step(space) > 20, timeout=10_000)
    space.controls.shown_run.setCurrentIndex(1)  # a variant, [2, 4, 1], from the child
    window.pause()
    qtbot.waitUntil(lambda: space.up_to_date, timeout=5_000)
    frame = worker.latest.frame.frames[1]
    for shown, actual in zip(space.widget.diagram.weights, frame.weights, strict=True):
        np.testing.assert_array_equal(shown, actual)
    # step-through: the first phase of the chosen sample's step at the shown weights
    space.widget.step_through.next_button.click()
    assert space.controller.walker.active and "z" in space.widget.step_through.shown_text()
    # pinning: a recorded step from the mirror history of the child's rows
    history = space.controller.shown.history[1]
    space.widget.timeline.slider.setValue(2)
    step = int(history.steps[2])
    for shown, recorded in zip(
        space.widget.diagram.weights, history.weights_at(step)[1], strict=True
    ):
        np.testing.assert_array_equal(shown, recorded)
    # an architecture edit mid-run starts a new run in the same child process
    pid = worker.child_pid
    space.controller.play()
    space.controls.layers.add_button.click()  # base [2, 1] -> [2, 4, 1]
    qtbot.waitUntil(lambda: [len(f.weights) for f in _frames(space)] == [2, 2], timeout=10_000)
    assert worker.route == "process" and worker.child_pid == pid
    assert worker.status == "playing"


def test_four_features_show_a_slice_and_say_so_on_the_data_view(window, qtbot):
    from core.nn.data_spec import DataSpec

    space = _open(window, qtbot, "xor-needs-a-hidden-layer")
    space.controls.variants.setChecked(False)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    data = DataSpec.from_dict(
        {"name": "arrays", "task": "classification", "X": X.tolist(), "y": y.tolist()}
    )
    config = dataclasses.replace(space.controller.config, layers=(4, 6, 1), data=data)
    assert space.controller.apply_config(config, playing=False)
    qtbot.waitUntil(lambda: space.is_settled() and space.widget.data_view.grid is not None)
    view = space.widget.data_view
    assert view.grid.kind == "regions" and view.image.image is not None
    assert [name for name, _ in view.grid.held] == ["x3", "x4"]
    assert view.note.isVisible()
    text = view.note.textItem.toPlainText()
    assert "x3 = " in text and "x4 = " in text and "training means" in text
    assert text.count(".") >= 1 and "x1" in text and "x2" in text
    assert len(view.train.data) == len(space.controller.runs[0].dataset.X_train)


def test_at_1024_by_768_the_tabs_go_under_the_diagram_and_titles_shorten(window, qtbot):
    space = _open(window, qtbot, "vanishing-gradients-deep-sigmoid")
    widget, narrow = space.widget, space.widget.narrow_layout
    assert not narrow.narrow  # 1400 px wide: diagram beside the tabs, curves below
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: narrow.narrow, timeout=5_000)
    assert widget.side.indexOf(widget.curves.parentWidget()) == 1  # curves: a tab by the data
    assert widget.diagram.height() > 150 and widget.diagram.width() >= widget.width() - 4
    titles = [item.textItem.toPlainText() for item in widget.diagram.titles.items]
    assert titles[1] == "h1 (8)"  # "hidden 1 (8)" would run into its neighbours
    metrics = pg.QtGui.QFontMetricsF(widget.diagram.titles.font)
    column_px = 1.0 / widget.diagram.getViewBox().viewPixelSize()[0]
    assert max(metrics.horizontalAdvance(t) for t in titles) < column_px

    def inside(view) -> bool:  # (the tab widget's frame may reach 2 px past the edge)
        return view.mapTo(window, view.rect().topRight()).x() <= window.width() + 2

    assert inside(widget.diagram) and inside(widget.data_view)  # nothing cut at the right
    widget.side.setCurrentIndex(1)
    qtbot.waitUntil(lambda: widget.gradients.isVisible() and widget.gradients.height() > 100)
    assert inside(widget.gradients) and inside(widget.curves)
    window.resize(1600, 960)
    qtbot.waitUntil(lambda: not narrow.narrow, timeout=5_000)
    assert widget.side.indexOf(widget.curves.parentWidget()) == -1
    titles = [item.textItem.toPlainText() for item in widget.diagram.titles.items]
    column_px = 1.0 / widget.diagram.getViewBox().viewPixelSize()[0]
    assert max(metrics.horizontalAdvance(t) for t in titles) < column_px
    widget.diagram.titles.fit(1000.0)  # room for the long names: they come back
    assert widget.diagram.titles.items[1].textItem.toPlainText() == "hidden 1 (8)"


def test_dark_theme_reaches_the_network_views(window, qtbot):
    from gui.shell import theme, window_memory

    space = _open(window, qtbot, "xor-needs-a-hidden-layer")
    widget = space.widget
    try:
        window_memory.set_theme(window, "dark")  # View > Theme > Dark
        ground, ink = theme.plot_colors().background, theme.plot_colors().foreground
        for view in (widget.diagram, widget.data_view, widget.gradients, widget.curves.loss):
            assert view.backgroundBrush().color().getRgb()[:3] == ground
        assert widget.diagram.titles.items[0].color.getRgb()[:3] == ink
        assert widget.data_view.curve.opts["pen"].color().getRgb()[:3] == ink
        space.controls.shown_run.setCurrentIndex(1)  # a new strip title in the theme's ink
        assert "one hidden layer" in widget.gradients.plot.titleLabel.text
        assert widget.gradients.plot.titleLabel.opts["color"] in (ink, pg.mkColor(ink))
    finally:
        window_memory.set_theme(window, "light")
