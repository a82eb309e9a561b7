"""The window's side of the export: its runs as figure data, files, animations, clipboard.

The descent views and the network's diagram, data view, curves and gradient strip come
from their controller's shown state (configuration, title and the recorded history),
never from grabbing a view, through `export_file`, the path ``python main.py render``
takes too. Any other view a space lists in ``export_views()`` (the views inside the
network) is painted as it is on screen (`WidgetFigure`), the 3-D view from its OpenGL
frame buffer, and "the whole window" is a picture of the screen. Every failure is
reported in the window's status bar; nothing is left half-written.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6 import QtCore, QtGui
from PySide6.QtWidgets import QApplication, QProgressDialog

from gui.export.exporter import animation_job, export_file, make_figure
from gui.export.figure_data import DescentFigureData, descent_grid, figure_data
from gui.export.figure_files import target_path, write_atomically, write_figure
from gui.export.figures import VIEWS
from gui.export.network_figure_data import window_network_data
from gui.export.network_figures import NETWORK_VIEWS
from gui.export.widget_figure import WidgetFigure, gl_picture
from gui.shell import colors as palette

WHOLE_WINDOW = "window"
SURFACE_3D = "surface3d"
MAIN_VIEW = {"descent": "landscape", "network": "diagram"}  # what Edit → Copy pictures


def views_of(window) -> dict[str, str]:
    """The views the shown workspace exports, name -> what the dialog calls them."""
    space = window.active
    if space.workspace == "descent":
        return {**VIEWS, SURFACE_3D: "3-D surface (PNG, needs OpenGL)"}
    named = dict(NETWORK_VIEWS)
    for name in space.export_views():
        named.setdefault(name, f"{name[:1].upper()}{name[1:]} (as on screen)")
    return named


def _data_of(window, view: str):
    """The recorded run ``view`` draws (ValueError when none is shown yet)."""
    if view in NETWORK_VIEWS:
        return window_network_data(window.network_space)
    return window_figure_data(window)


def _live_figure(window, view: str, width: int, height: int, style: str):
    """A figure of a view as it is on screen (None for a view drawn from data)."""
    if view == SURFACE_3D:
        surface = window.descent.surface3d
        return WidgetFigure(surface, window.controller.title, width, height, style,
                            picture=gl_picture(surface))  # fmt: skip
    if view in VIEWS or view in NETWORK_VIEWS:
        return None
    views = window.network_space.export_views()
    if view not in views:
        raise ValueError(f"view must be one of {', '.join(views_of(window))}, got {view!r}")
    return WidgetFigure(views[view], window.network_space.controller.title, width, height, style)


def window_figure(window, view: str, width: int, height: int, style="slide", steps=None):
    """The figure of ``view`` the window exports (close it after use)."""
    figure = _live_figure(window, view, width, height, style)
    if figure is not None:
        return figure
    data = _data_of(window, view)
    if steps is not None:
        data = data.upto(steps[1])
    return make_figure(data, view, width, height, style)


FRAME_BUDGET_MS = 40  # painting per timer tick: the window answers between ticks


def window_figure_data(window) -> DescentFigureData:
    """The descent run on screen as figure data; ValueError when no step is shown yet."""
    controller = window.controller
    if controller.config is None or controller.shown is None:
        raise ValueError("there is no run to export yet: press Step or Play first")
    config = controller.config
    return figure_data(controller.title, config, controller.shown.history, descent_grid(config))


def export_window_picture(window, path, width: int, height: int) -> Path:
    """The whole window, scaled into ``width`` x ``height`` (PNG; white margins keep its
    aspect)."""
    target, fmt = target_path(path)
    if fmt != "png":
        raise ValueError("the whole window is exported as PNG only (it is a picture)")
    shot = window.grab().toImage()
    canvas = QtGui.QImage(width, height, QtGui.QImage.Format.Format_RGB32)
    canvas.fill(QtGui.QColor(*palette.BACKGROUND))
    scaled = shot.scaled(
        width, height, QtCore.Qt.AspectRatioMode.KeepAspectRatio,
        QtCore.Qt.TransformationMode.SmoothTransformation,
    )  # fmt: skip
    painter = QtGui.QPainter(canvas)
    painter.drawImage((width - scaled.width()) // 2, (height - scaled.height()) // 2, scaled)
    painter.end()

    def save(partial: Path) -> None:
        if not canvas.save(str(partial), "PNG"):
            raise OSError(f"could not write {target.name}")

    return write_atomically(target, save)


def export_from_window(window, view, path, width, height, style="slide", steps=None) -> bool:
    """File → Export of a figure (PNG, SVG, PDF); True when written, else reported."""
    try:
        if view == WHOLE_WINDOW:
            written = export_window_picture(window, path, width, height)
        elif view in VIEWS or view in NETWORK_VIEWS:
            data = _data_of(window, view)
            written = export_file(data, view, path, width, height, style, steps)
        else:
            figure = _live_figure(window, view, width, height, style)
            written = write_figure(figure, path)
    except (OSError, ValueError) as exc:
        window.status.show_error(f"Could not export: {exc}")
        return False
    window.status.show_message(f"Exported {written}")
    return True


def copy_figure(window, view=None, width=1920, height=1080, style="slide") -> bool:
    """Edit → Copy: the figure of ``view`` (default: the shown workspace's main view, or
    the 3-D view when it is the one on screen) in slide style, to the clipboard."""
    if view is None:
        space = window.active
        shows_3d = space.workspace == "descent" and space.widget.shows_3d
        view = SURFACE_3D if shows_3d else MAIN_VIEW.get(space.workspace, "landscape")
    try:
        figure = window_figure(window, view, width, height, style)
    except ValueError as exc:
        window.status.show_error(f"Could not copy: {exc}")
        return False
    try:
        QApplication.clipboard().setImage(figure.image())
    finally:
        figure.close()
    window.status.show_message(f"Copied a {width}x{height} figure of the {view}")
    return True


class AnimationExport(QtCore.QObject):
    """An animation written from the window: frames painted from a timer, a progress
    dialog with Cancel, the result (or the failure) reported in the status bar."""

    finished = QtCore.Signal(bool)  # True when the file was written

    def __init__(self, window, job) -> None:
        super().__init__(window)
        self.window, self.job = window, job
        self.progress = QProgressDialog(
            f"Rendering {job.target.name}…", "Cancel", 0, job.total, window
        )
        self.progress.setWindowTitle("Export animation")
        self.progress.setMinimumDuration(0)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self.cancel)
        self.timer = QtCore.QTimer(self, interval=0)
        self.timer.timeout.connect(self._tick)
        self.written: Path | None = None

    def start(self) -> None:
        self.progress.show()
        self.timer.start()

    def _tick(self) -> None:
        clock = QtCore.QElapsedTimer()
        clock.start()
        more = True
        while more and clock.elapsed() < FRAME_BUDGET_MS:
            more = self.job.render_next()
        self.progress.setValue(self.job.done)
        if not more:
            self._finish()

    def _finish(self) -> None:
        self.timer.stop()
        try:
            self.written = self.job.finish()
        except Exception as exc:
            self.window.status.show_error(f"Could not export the animation: {exc}")
        else:
            self.window.status.show_message(f"Exported {self.written}")
        self._close(self.written is not None)

    def cancel(self) -> None:
        """Stop painting and encoding; no file is left."""
        if not self.timer.isActive():
            return
        self.timer.stop()
        self.job.cancel()
        self.window.status.show_message("Export cancelled: no file was written")
        self._close(False)

    def _close(self, ok: bool) -> None:
        self.job.figure.close()
        self.progress.canceled.disconnect(self.cancel)
        self.progress.close()
        self.progress.deleteLater()
        self.finished.emit(ok)
        self.deleteLater()


def animate_from_window(window, view, path, width, height, style, steps, fps):
    """File → Export of a GIF or MP4: starts an `AnimationExport` (None if it could not)."""
    try:
        if not (view in VIEWS or view in NETWORK_VIEWS):
            raise ValueError(f"the {view} view is exported as a picture (PNG, SVG, PDF) only")
        job = animation_job(_data_of(window, view), view, path, width, height, style, steps, fps)
    except (OSError, ValueError) as exc:
        window.status.show_error(f"Could not export: {exc}")
        return None
    export = AnimationExport(window, job)
    export.start()
    return export


def is_animation(path: str | os.PathLike, fmt: str) -> bool:
    return (Path(path).suffix.lower().lstrip(".") or fmt) in ("gif", "mp4")
