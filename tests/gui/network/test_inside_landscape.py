"""The landscape tab in the window: a preset opening on it computes its slice at the first
rest, with core's numbers; a click previews exactly those weights and Back returns; Cancel
stops the job and leaves nothing running; bad input is said and changes nothing; a hidden
tab does no work; without OpenGL the 3-D toggle says so."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt, QThreadPool

from gui.descent.views.surface3d_view import NO_GL_MESSAGE, gl_available
from gui.network.inside.landscape import LandscapePart
from gui.network.inside.landscape_plots import path_tip
from gui.shell.main_window import MainWindow

PRESET = "loss-landscape-of-a-network"  # opens on the landscape tab
XOR = "xor-needs-a-hidden-layer"  # opens on the data tab


@pytest.fixture
def open_preset(qtbot):
    """``open_preset(name)``: the window on a network preset; returns (space, part)."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1300, 850)
    window.show()
    window.show_space_of("network")

    def open_(name: str):
        window.load_preset_name(name)
        space = window.network_space
        qtbot.waitUntil(lambda: space.controller.shown is not None, timeout=10_000)
        return space, next(p for p in space.inside if isinstance(p, LandscapePart))

    yield open_
    window.close()
    assert QThreadPool.globalInstance().waitForDone(2000)


def _train_then_rest(space, qtbot, steps: int = 30) -> None:
    space.controller.play()
    qtbot.waitUntil(lambda: space.controller.shown_run()[1].step >= steps, timeout=20_000)
    space.worker.pause()
    qtbot.waitUntil(lambda: space.worker.status != "playing", timeout=5_000)
    qtbot.waitUntil(lambda: space.up_to_date, timeout=5_000)


def _slice_of_the_step_on_screen(space, part, qtbot) -> None:
    def arrived() -> bool:
        shown = part.view.shown
        return (
            not part.busy
            and shown is not None
            and space.up_to_date
            and (shown.step == space.controller.shown_run()[1].step)
        )

    qtbot.waitUntil(arrived, timeout=20_000)


def test_a_preset_opening_on_the_tab_computes_at_the_first_rest(open_preset, qtbot):
    space, part = open_preset(PRESET)
    assert space.widget.side.currentWidget() is part.view
    assert part.export_view == ("landscape", part.view)
    assert part.view.shown is None and part.generation == 0  # step 0: no path yet
    _train_then_rest(space, qtbot)
    _slice_of_the_step_on_screen(space, part, qtbot)
    result = part.view.shown
    _run, frame, history = space.controller.shown_run()
    assert result.step == frame.step and result.spec.directions == "pca"
    centre = len(result.alphas) // 2
    assert result.loss[centre, centre] == pytest.approx(frame.train_loss, rel=1e-5)
    rows = [history.index_of_step(int(s)) for s in result.path.steps]
    np.testing.assert_allclose(result.path.true_loss, history.train_loss[rows], rtol=1e-9)
    assert "step" in part.view.sentence.text() and "not" in part.view.sentence.text()
    # each point's distance from the plane: in its hover text and in the side plot
    path = result.path
    tip = path_tip(path, 0)
    assert f"{path.distance[0]:.3g}" in tip and f"{path.relative_distance[0]:.0%}" in tip
    assert f"{path.true_loss[0]:.4g}" in tip and f"{path.slice_loss[0]:.4g}" in tip
    x, y = part.view.path_plots.distance_curve.getData()
    np.testing.assert_allclose(x, path.steps)
    np.testing.assert_allclose(y, 100 * path.relative_distance)
    _, true_y = part.view.path_plots.true_curve.getData()
    np.testing.assert_allclose(true_y, path.true_loss)
    assert not part.view.progress.isVisible() and not part.timer.isActive()


def test_clicking_the_slice_previews_exactly_those_weights(open_preset, qtbot):
    space, part = open_preset(PRESET)
    _train_then_rest(space, qtbot)
    _slice_of_the_step_on_screen(space, part, qtbot)
    result, plot = part.view.shown, part.view.slice_plot
    steps_before = len(space.controller.shown.history[0])
    target = QPointF(0.3 * result.alphas[-1], -0.4 * result.betas[-1])
    scene = plot.getPlotItem().vb.mapViewToScene(target)
    where = plot.mapFromScene(scene)
    with qtbot.waitSignal(plot.clicked, timeout=2000) as clicked:
        qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=where)
    alpha, beta = clicked.args
    assert alpha == pytest.approx(target.x(), abs=0.02 * result.alphas[-1])
    assert beta == pytest.approx(target.y(), abs=0.02 * result.betas[-1])
    preview = space.controller.preview
    (w0, b0), ((w1, b1), (w2, b2)) = result.origin, result.directions
    for layer in range(len(w0)):
        expected = w0[layer] + alpha * w1[layer] + beta * w2[layer]
        np.testing.assert_allclose(preview.weights[layer], expected, rtol=1e-12)
        expected_b = b0[layer] + alpha * b1[layer] + beta * b2[layer]
        np.testing.assert_allclose(preview.biases[layer], expected_b, rtol=1e-12, atol=1e-15)
    assert space.controller.shown_run()[1] is preview  # the diagram and data view show it
    assert part.view.back_button.isVisible()
    assert len(space.controller.shown.history[0]) == steps_before  # the run is untouched
    qtbot.mouseClick(part.view.back_button, Qt.MouseButton.LeftButton)
    assert space.controller.preview is None and not part.view.back_button.isVisible()


def test_cancel_stops_the_job_and_leaves_nothing_running(open_preset, qtbot):
    space, part = open_preset(PRESET)
    _train_then_rest(space, qtbot)
    _slice_of_the_step_on_screen(space, part, qtbot)
    first = part.view.shown
    part.view.resolution.setValue(101)
    part.view.set_directions("random")
    qtbot.mouseClick(part.view.compute_button, Qt.MouseButton.LeftButton)
    assert part.view.progress.isVisible() and part.view.cancel_button.isVisible()
    progress = part.running
    qtbot.mouseClick(part.view.cancel_button, Qt.MouseButton.LeftButton)
    assert progress.cancel.is_set() and not part.busy
    qtbot.waitUntil(lambda: space.jobs.running == 0, timeout=10_000)
    assert progress.done < progress.total  # stopped before the end, not merely ignored
    assert part.view.shown is first  # nothing half made is drawn
    assert not part.view.progress.isVisible() and not part.timer.isActive()
    assert "Cancelled" in part.view.note.text()


def test_a_bad_resolution_is_said_and_changes_nothing(open_preset, qtbot):
    space, part = open_preset(PRESET)
    _train_then_rest(space, qtbot)
    _slice_of_the_step_on_screen(space, part, qtbot)
    first, generation = part.view.shown, part.generation
    part.view.resolution.setValue(40)  # even: the slice would have no centre sample
    part.compute()
    assert "resolution" in part.view.note.text()
    assert part.generation == generation and part.view.shown is first and not part.busy


def test_a_hidden_tab_computes_nothing(open_preset, qtbot):
    space, part = open_preset(XOR)
    assert space.widget.side.currentWidget() is not part.view
    _train_then_rest(space, qtbot, steps=10)
    qtbot.wait(200)
    assert part.generation == 0 and part.view.shown is None
    assert space.widget.show_view("landscape")
    _slice_of_the_step_on_screen(space, part, qtbot)


def test_without_opengl_the_3d_toggle_says_so(open_preset, qtbot):
    _space, part = open_preset(PRESET)
    if gl_available():
        pytest.skip("OpenGL is available here: the toggle is on offer")
    assert not part.view.three_d.isEnabled() and not part.view.three_d.isChecked()
    assert part.view.three_d.toolTip() == NO_GL_MESSAGE


def test_closing_the_window_stops_a_slice_being_computed(open_preset, qtbot):
    space, part = open_preset(PRESET)
    _train_then_rest(space, qtbot)
    _slice_of_the_step_on_screen(space, part, qtbot)
    part.view.resolution.setValue(101)
    part.compute()
    progress = part.running
    part.view.window().close()
    assert progress.cancel.is_set() and not part.timer.isActive()
    qtbot.waitUntil(lambda: space.jobs.running == 0, timeout=10_000)
