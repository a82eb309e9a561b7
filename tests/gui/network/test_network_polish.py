"""What the lead saw in a real window, fixed: δ labels only once δ has arrived, single
points on the curves, a diverging run not flattening the others, the regression map's
colour bar, the variants switch, landscape presets that play, tabs that fit, presentation
mode and shutdown reaching the inside parts."""

from __future__ import annotations

import numpy as np
import pytest

from gui.network.workspace import SIDE_SHARE
from gui.shell.main_window import MainWindow


def _open(w: MainWindow, qtbot, name: str):
    w.load_preset_name(name)
    space = w.network_space
    qtbot.waitUntil(lambda: space.controller.shown is not None, timeout=10_000)
    return space


def _label_kinds(diagram) -> list[str]:
    """Per diagram layer: 'δ' if its labels show δ, 'a' if numbers, '' if blank."""
    layout, kinds = diagram.layout_, []
    for layer in range(len(layout.sizes)):
        text = diagram.labels[layout.node_index(layer, 0)].toPlainText()
        kinds.append("δ" if text.startswith("δ") else ("a" if text else ""))
    return kinds


def test_step_through_labels_show_delta_only_on_layers_it_has_reached(window, qtbot):
    space = _open(window, qtbot, "backprop-by-hand")
    panel, diagram = space.widget.step_through, space.widget.diagram
    seen = []
    for _ in range(6):
        panel.next_button.click()
        seen.append(_label_kinds(diagram))
        if len(seen) == 5:
            assert diagram.labels[diagram.layout_.node_index(1, 0)].toPlainText() == "δ 0.00877"
    assert seen == [
        ["a", "a", ""],  # forward, layer 1
        ["a", "a", "a"],  # forward, layer 2
        ["a", "a", "δ"],  # loss: the output layer's δ
        ["a", "a", "δ"],  # backward, layer 2: dW₂ from δ of the output; hidden δ not yet
        ["a", "δ", "δ"],  # backward, layer 1: the hidden δ by the chain rule
        ["a", "a", "a"],  # update
    ]


def _x_range(plot) -> tuple[float, float]:
    return tuple(plot.getViewBox().viewRange()[0])


def test_curves_at_step_0_show_a_dot_and_a_sensible_x_range(window, qtbot):
    space = _open(window, qtbot, "backprop-by-hand")
    curves, strip = space.widget.curves, space.widget.gradients
    train = curves.lines[0]["train_loss"]
    assert len(train.xData) == 1 and train.opts["symbol"] == "o"  # one point, drawn as a dot
    assert all(line.opts["symbol"] == "o" for line in strip.lines)
    for plot in (curves.loss, strip.plot):
        lo, hi = _x_range(plot)
        assert lo <= 0.0 and hi >= 1.0  # epoch (step) 0..1, not 2e-10 .. 8e-10
    space.controller.step()
    qtbot.waitUntil(lambda: len(train.xData) == 2, timeout=10_000)
    assert train.opts["symbol"] is None  # a line again once there are two points


def test_a_diverging_run_leaves_the_loss_plot_at_a_mark_without_flattening_the_others(
    window, qtbot
):
    space = _open(window, qtbot, "learning-rate-on-a-network")
    space.controls.training.flat_out.setChecked(True)
    space.controller.play()
    qtbot.waitUntil(lambda: space.worker.status == "finished", timeout=120_000)
    qtbot.waitUntil(lambda: space.up_to_date, timeout=5_000)
    curves = space.widget.curves
    losses = [lines["train_loss"].points[1] for lines in curves.lines]
    assert losses[2].max() > 1e6  # lr 0.3 blew up
    calm = max(float(losses[0].max()), float(losses[1].max()))
    tests = [lines["test_loss"].points[1] for lines in curves.lines[:2]]
    calm = max([calm] + [float(t.max()) for t in tests if t.size])
    assert curves.cap == pytest.approx(10 * calm)
    top = curves.loss.getViewBox().viewRange()[1][1]  # log10 on the log axis
    assert top < np.log10(curves.cap) + 1.0  # not up at 1e8: the others keep their room
    assert [0 if m.xData is None else len(m.xData) for m in curves.exits] == [0, 0, 1]
    assert float(curves.exits[2].yData[0]) == pytest.approx(curves.cap)
    assert "off the plot, up to" in curves.legend.text()


def test_regression_with_two_outputs_says_which_it_draws_and_has_a_colour_bar(window, qtbot):
    space = _open(window, qtbot, "backprop-by-hand")
    view = space.widget.data_view
    space.widget.show_view("data")
    qtbot.waitUntil(lambda: view.grid is not None and view.grid.kind == "surface", timeout=10_000)
    assert view.plot.titleLabel.text.endswith("output 1 of 2")
    assert view.bar.isVisible() and view.bar.scene() is view.scene()
    values = view.grid.values
    assert view.bar.levels() == pytest.approx((values.min(), values.max()))
    assert view.surface.lut is not None  # a colour ramp, not grey
    _open(window, qtbot, "xor-needs-a-hidden-layer")  # classification: regions, no bar
    qtbot.waitUntil(lambda: view.grid is not None and view.grid.kind == "regions", timeout=10_000)
    assert not view.bar.isVisible()
    assert "1 of" not in view.plot.titleLabel.text


def test_a_new_run_starts_its_x_axes_a_little_left_of_0_so_the_first_dot_shows(window, qtbot):
    space = _open(window, qtbot, "backprop-by-hand")
    for plot in (space.widget.curves.loss, space.widget.gradients.plot):
        assert _x_range(plot)[0] < 0.0


def test_variants_switch_is_disabled_with_a_reason_for_a_preset_without_variants(window, qtbot):
    space = _open(window, qtbot, "backprop-by-hand")
    box = space.controls.variants
    assert not box.isEnabled() and "no variants" in box.toolTip()
    _open(window, qtbot, "xor-needs-a-hidden-layer")
    assert box.isEnabled() and "no variants" not in box.toolTip()


def test_a_preset_opening_on_the_landscape_plays_and_another_does_not(window, qtbot):
    space = _open(window, qtbot, "loss-landscape-of-a-network")
    assert space.widget.side.currentWidget().objectName() == "landscape"
    qtbot.waitUntil(lambda: space.worker.status in ("playing", "finished"), timeout=5_000)
    space.worker.pause()
    qtbot.waitUntil(lambda: space.worker.status != "playing", timeout=5_000)
    space = _open(window, qtbot, "xor-needs-a-hidden-layer")
    qtbot.wait(300)
    assert space.worker.status not in ("playing", "finished")
    assert space.controller.shown.frame.step == 0


def test_every_view_a_preset_may_open_is_a_tab(window, qtbot):
    from core.nn.presets import OPENS

    space = window.network_space
    for name in OPENS[1:]:
        assert space.widget.show_view(name), name
        assert space.widget.side.currentWidget().objectName() == name


class _Part:
    """An inside part that records the calls the space makes."""

    def __init__(self, calls: list) -> None:
        self.calls = calls

    def set_presentation(self, on: bool) -> None:
        self.calls.append(("presentation", on))

    def close(self) -> None:
        self.calls.append(("close",))


def test_presentation_reaches_the_inside_tabs_plots(window, qtbot):
    space = window.network_space
    neurons = space.inside[0]
    space.widget.show_view("landscape")
    slice_plot = next(p for p in space.inside if p.export_view[0] == "landscape").view.slice_plot
    axis = slice_plot.getPlotItem().getAxis("bottom")

    def tick_pt() -> float:
        font = axis.style["tickFont"]
        return font.pointSizeF() if font is not None else 0.0

    before = tick_pt()
    calls: list = []
    space.inside.append(_Part(calls))
    window.toggle_presentation()
    assert tick_pt() > before and neurons.presenting
    window.toggle_presentation()
    assert tick_pt() == before and not neurons.presenting
    assert calls == [("presentation", True), ("presentation", False)]
    space.inside.pop()


def test_shutdown_closes_every_inside_part_before_waiting(window, qtbot):
    space = window.network_space
    calls: list = []
    space.inside.append(_Part(calls))
    landscape = next(p for p in space.inside if p.export_view[0] == "landscape")
    landscape.timer.start()
    assert space.shutdown(5_000)
    assert calls == [("close",)] and not landscape.timer.isActive()


def _tabs_fit(side) -> bool:
    bar = side.tabBar()
    need = sum(bar.tabRect(i).width() for i in range(bar.count()))
    return need <= side.width()  # else the last tabs hide behind scroll arrows


def test_all_side_tabs_fit_and_picture_tabs_widen_the_side_column(window, qtbot):
    widget = window.network_space.widget
    window.resize(1600, 960)
    qtbot.waitUntil(lambda: widget.width() > 1100 and not widget.narrow_layout.narrow)
    side = widget.side
    texts = [side.tabText(i) for i in range(side.count())]
    assert texts == ["Data", "By hand", "Neurons", "Weights", "Landscape", "Grad check"]
    assert "finite differences" in side.tabToolTip(5)
    qtbot.waitUntil(lambda: _tabs_fit(side))
    usual = side.width()
    widget.show_view("landscape")
    qtbot.waitUntil(lambda: side.width() > usual + 50)
    widget.show_view("weights")  # back to the usual share
    qtbot.waitUntil(lambda: abs(widget.top.sizes()[1] - SIDE_SHARE * sum(widget.top.sizes())) < 2)
    assert _tabs_fit(side)
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: widget.narrow_layout.narrow, timeout=5_000)
    qtbot.waitUntil(lambda: _tabs_fit(side))


def test_a_landscape_preset_opened_before_the_window_shows_keeps_its_tabs(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1600, 960)
    w.load_preset_name("loss-landscape-of-a-network")  # as `main.py --preset` does
    w.show()
    widget = w.network_space.widget
    qtbot.waitUntil(lambda: widget.side.width() > 0.5 * widget.top.width(), timeout=5_000)
    w.close()
