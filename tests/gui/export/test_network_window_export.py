"""The window's export of the network workspace: equal to ``render`` pixel for pixel, the
screen untouched, views registered by inside parts, the theme left out of the slide, and
the 3-D view's one sentence where there is no OpenGL."""

from __future__ import annotations

import argparse
import io
import types
import xml.etree.ElementTree as ET

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QImage

from gui.descent.views.surface3d_view import gl_available
from gui.export.export_dialog import ExportDialog
from gui.export.headless import run_render
from gui.export.widget_figure import NO_GL_EXPORT
from gui.export.window_export import export_from_window, views_of
from gui.shell.main_window import MainWindow

pytest.importorskip("imageio")
PRESET = "xor-needs-a-hidden-layer"
LAST = 30


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    yield w
    w.close()
    assert not w.worker.is_running() and not w.network_space.worker.is_running()
    assert QThreadPool.globalInstance().waitForDone(2000)


def _trained_to(w: MainWindow, qtbot, step: int) -> None:
    w.load_preset_name(PRESET)
    controller = w.network_space.controller
    controller.play()
    qtbot.waitUntil(
        lambda: controller.shown is not None and controller.shown.frame.step >= step,
        timeout=30_000,
    )
    w.pause()


@pytest.mark.parametrize("view", ["diagram", "curves"])
def test_render_equals_the_windows_export_pixel_for_pixel(window, qtbot, tmp_path, view):
    _trained_to(window, qtbot, LAST + 5)
    mine = tmp_path / "window.png"
    assert export_from_window(window, view, mine, 640, 360, "slide", (0, LAST))
    args = dict(preset=PRESET, session=None, out=str(tmp_path / "cli.png"), view=view)
    args.update(width=640, height=360, style="slide", steps=(0, LAST), fps=30.0)
    err = io.StringIO()
    assert run_render(argparse.Namespace(**args), io.StringIO(), err) == 0, err.getvalue()
    theirs = QImage(str(tmp_path / "cli.png"))
    assert QImage(str(mine)) == theirs and theirs.width() == 640


def test_the_dialog_offers_the_network_views_and_leaves_the_screen_alone(window, qtbot, tmp_path):
    _trained_to(window, qtbot, 5)
    before = window.network_space.widget.diagram.grab().toImage()
    dialog = ExportDialog(window)
    keys = [dialog.view.itemData(i) for i in range(dialog.view.count())]
    assert keys[:4] == ["diagram", "data", "curves", "gradients"] and keys[-1] == "window"
    dialog.view.setCurrentIndex(keys.index("gradients"))
    dialog.path.setText(str(tmp_path / "strip"))
    dialog.width_box.setValue(800)
    dialog.height_box.setValue(450)
    assert dialog.export() is True
    image = QImage(str(tmp_path / "strip.png"))
    assert (image.width(), image.height()) == (800, 450)
    assert window.network_space.widget.diagram.grab().toImage() == before
    dialog.close()


def test_a_view_an_inside_part_registers_exports_without_code_of_its_own(window, qtbot, tmp_path):
    _trained_to(window, qtbot, 2)
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)  # closed and deleted at teardown, not by the garbage collector
    plot.plot([0, 1, 2, 3], [3, 1, 2, 0])
    part = types.SimpleNamespace(export_view=("my view", plot))
    window.network_space.inside.append(part)
    try:
        _export_registered(window, tmp_path)
    finally:
        window.network_space.inside.remove(part)


def _export_registered(window, tmp_path) -> None:
    assert "my view" in views_of(window)
    out = tmp_path / "mine.svg"
    assert export_from_window(window, "my view", out, 640, 360)
    root = ET.parse(out).getroot()
    assert sum(1 for e in root.iter() if e.tag.endswith("path")) >= 2
    assert not export_from_window(window, "my view", tmp_path / "mine.gif", 320, 180)
    assert "png, svg, pdf" in window.status.message.text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.svg"]


def test_the_slide_stays_light_in_the_dark_theme(window, qtbot, tmp_path):
    _trained_to(window, qtbot, 2)
    window.window_actions.themes["dark"].trigger()
    try:
        assert export_from_window(window, "data", tmp_path / "d.png", 320, 180)
        assert QImage(str(tmp_path / "d.png")).pixelColor(2, 2).name() == "#ffffff"
    finally:
        window.window_actions.themes["light"].trigger()


def test_the_3d_view_without_opengl_says_so_in_one_sentence(window, tmp_path):
    if gl_available():
        pytest.skip("OpenGL works here: the 3-D export is checked under Xvfb")
    window.show_space_of("descent")
    assert not export_from_window(window, "surface3d", tmp_path / "s.png", 320, 180)
    assert NO_GL_EXPORT in window.status.message.text()
    assert list(tmp_path.iterdir()) == []


def test_the_training_animates_from_the_window_in_the_background(window, qtbot, tmp_path):
    from gui.export.window_export import AnimationExport, animate_from_window

    _trained_to(window, qtbot, 12)
    export = animate_from_window(
        window, "diagram", tmp_path / "t.gif", 320, 180, "slide", (0, 9), 10
    )
    assert isinstance(export, AnimationExport)
    with qtbot.waitSignal(export.finished, timeout=60_000) as signal:
        pass
    assert signal.args == [True]
    import imageio.v2 as imageio

    assert len(imageio.mimread(tmp_path / "t.gif")) == 10


def test_the_3d_view_exports_its_gl_frame_buffer_where_opengl_works(window, qtbot, tmp_path):
    if not gl_available():
        pytest.skip("no OpenGL on this platform (offscreen): see the one-sentence test")
    window.load_preset_name("saddle-escape")
    window.descent.show_3d(True)
    qtbot.waitUntil(lambda: window.grid_ready, timeout=10_000)
    out = tmp_path / "s.png"
    assert export_from_window(window, "surface3d", out, 640, 360), window.status.message.text()
    image = QImage(str(out))
    assert (image.width(), image.height()) == (640, 360)
    colours = {image.pixel(x, y) for x in range(0, 640, 16) for y in range(60, 360, 16)}
    assert len(colours) > 20  # a shaded surface, not a blank frame


def test_the_dialog_says_in_one_sentence_when_the_3d_view_cannot_be_exported(window):
    if gl_available():
        pytest.skip("OpenGL works here: the 3-D view exports")
    window.show_space_of("descent")
    dialog = ExportDialog(window)
    keys = [dialog.view.itemData(i) for i in range(dialog.view.count())]
    assert dialog.note.text() == ""
    dialog.view.setCurrentIndex(keys.index("surface3d"))
    assert dialog.note.text() == f"Note: {NO_GL_EXPORT}."
    dialog.view.setCurrentIndex(keys.index("landscape"))
    assert dialog.note.text() == ""
    dialog.close()


def test_the_views_own_aspect_follows_the_chosen_network_view(window, qtbot):
    _trained_to(window, qtbot, 1)
    dialog = ExportDialog(window)
    keys = [dialog.view.itemData(i) for i in range(dialog.view.count())]
    dialog.view.setCurrentIndex(keys.index("gradients"))
    dialog.size.setCurrentIndex(dialog.size.count() - 1)  # the view's own aspect
    strip = window.network_space.widget.gradients
    expected = round(1920 * strip.height() / strip.width())
    assert (dialog.width_box.value(), dialog.height_box.value()) == (1920, expected)
    dialog.close()
