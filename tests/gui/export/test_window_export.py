"""The window's export: File → Export… opens the dialog; a figure equals ``render``'s
pixel for pixel; an animation runs from a timer with a progress dialog and Cancel."""

from __future__ import annotations

import argparse
import io

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtWidgets import QPushButton

from gui.export.export_dialog import ExportDialog
from gui.export.headless import run_render
from gui.export.window_export import AnimationExport, animate_from_window, export_from_window
from gui.shell.main_window import MainWindow

pytest.importorskip("imageio")
PRESET = "optimizer-race-beale"
LAST = 60


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


def _played_to(w: MainWindow, qtbot, step: int) -> None:
    w.load_preset_name(PRESET)
    w.controller.play()
    qtbot.waitUntil(
        lambda: w.controller.shown is not None and w.controller.shown.frame.step >= step,
        timeout=30_000,
    )
    w.controller.runner.pause()


def _render_args(out, **more) -> argparse.Namespace:
    args = dict(preset=PRESET, session=None, out=str(out), view="landscape", width=640)
    args.update(height=360, style="slide", steps=(0, LAST), fps=30.0)
    args.update(more)
    return argparse.Namespace(**args)


def test_ctrl_e_opens_the_export_dialog(window, qtbot):
    action = next(a for a in window.actions() if a.shortcut() == QKeySequence("Ctrl+E"))
    assert action.text() == "Export…"
    action.trigger()
    dialogs = window.findChildren(ExportDialog)
    assert len(dialogs) == 1
    dialogs[0].close()


@pytest.mark.parametrize("view", ["landscape", "final-loss"])
def test_render_equals_the_windows_export_pixel_for_pixel(window, qtbot, tmp_path, view):
    _played_to(window, qtbot, LAST)
    assert export_from_window(window, view, tmp_path / "window.png", 640, 360, "slide", (0, LAST))
    out, err = io.StringIO(), io.StringIO()
    assert run_render(_render_args(tmp_path / "cli.png", view=view), out, err) == 0, err.getvalue()
    mine, theirs = QImage(str(tmp_path / "window.png")), QImage(str(tmp_path / "cli.png"))
    assert mine.size() == theirs.size() and mine.width() == 640
    assert mine == theirs


def test_the_dialog_writes_a_slide_without_changing_the_screen(window, qtbot, tmp_path):
    _played_to(window, qtbot, 5)
    before = window.descent.landscape.grab().toImage()
    dialog = ExportDialog(window)
    dialog.path.setText(str(tmp_path / "slide"))  # no extension: the format's own
    dialog.width_box.setValue(800)
    dialog.height_box.setValue(450)
    assert dialog.export() is True
    image = QImage(str(tmp_path / "slide.png"))
    assert (image.width(), image.height()) == (800, 450)
    assert window.descent.landscape.grab().toImage() == before
    dialog.close()


def test_export_without_a_run_is_reported_and_writes_nothing(window, tmp_path):
    window.controller.shown = None
    assert not export_from_window(window, "loss", tmp_path / "x.png", 320, 180)
    assert list(tmp_path.iterdir()) == []


def test_an_animation_from_the_window_is_written_in_the_background(window, qtbot, tmp_path):
    _played_to(window, qtbot, 20)
    export = animate_from_window(
        window, "loss", tmp_path / "run.gif", 320, 180, "slide", (0, 20), 10
    )
    assert isinstance(export, AnimationExport)
    with qtbot.waitSignal(export.finished, timeout=60_000) as signal:
        pass
    assert signal.args == [True]
    import imageio.v2 as imageio

    assert len(imageio.mimread(tmp_path / "run.gif")) == 21


def test_cancelling_an_animation_leaves_no_file(window, qtbot, tmp_path):
    _played_to(window, qtbot, LAST)
    export = animate_from_window(
        window, "landscape", tmp_path / "run.mp4", 320, 176, "slide", (0, LAST), 10
    )
    qtbot.waitUntil(lambda: export.job.done >= 2, timeout=30_000)  # mid-way
    cancel = export.progress.findChild(QPushButton)
    with qtbot.waitSignal(export.finished, timeout=30_000) as signal:
        cancel.click()
    assert signal.args == [False]
    assert list(tmp_path.iterdir()) == []


def test_copy_puts_the_slide_figure_on_the_clipboard(window, qtbot):
    from PySide6.QtWidgets import QApplication

    from gui.export.window_export import copy_figure

    _played_to(window, qtbot, 5)
    assert copy_figure(window, "loss", 640, 360)
    image = QApplication.clipboard().image()
    assert (image.width(), image.height()) == (640, 360)
