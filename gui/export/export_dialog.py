"""File → Export… (Ctrl+E): one dialog for every figure and animation of the window.

What (a view of the workspace on screen, or the whole window), the format (PNG, SVG,
PDF, GIF, MP4), the pixel size (1920x1080, 3840x2160, 1280x720 or the view's own
aspect), the style (slide or screen: the screen itself never changes), the step range
and the frame rate. The file is written by `gui.export.window_export`, as ``python
main.py render`` writes it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from gui.descent.views.surface3d_view import gl_available
from gui.export.widget_figure import NO_GL_EXPORT
from gui.export.window_export import (
    SURFACE_3D,
    WHOLE_WINDOW,
    animate_from_window,
    export_from_window,
    views_of,
)

SIZE_PRESETS = (("1920 x 1080 (16:9)", 1920, 1080), ("3840 x 2160 (4K)", 3840, 2160))
FORMATS = (
    ("png", "PNG picture"),
    ("svg", "SVG vectors (2-D views)"),
    ("pdf", "PDF vectors (2-D views)"),
    ("gif", "GIF animation"),
    ("mp4", "MP4 video (H.264)"),
)


def _spin(lo: int, hi: int, value: int, suffix: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setValue(value)
    box.setSuffix(suffix)
    return box


class ExportDialog(QDialog):
    """The export dialog (see the module docstring); ``export()`` writes what it shows."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.setWindowTitle("Export")
        self.view = QComboBox()
        for key, title in views_of(window).items():  # the shown workspace's views
            self.view.addItem(title, key)
        self.view.addItem("The whole window (PNG)", WHOLE_WINDOW)
        self.format = QComboBox()
        for key, title in FORMATS:
            self.format.addItem(title, key)
        self.size = QComboBox()
        for title, w, h in SIZE_PRESETS:
            self.size.addItem(title, (w, h))
        self.size.addItem("The view's own aspect, 1920 wide", None)
        self.size.currentIndexChanged.connect(self._size_chosen)
        self.width_box, self.height_box = _spin(16, 8192, 1920, " px"), _spin(16, 8192, 1080, " px")
        self.style = QComboBox()
        self.style.addItem("Slide: light, large fonts, thick lines, title", "slide")
        self.style.addItem("Screen: light, the window's proportions", "screen")
        last = self._last_step()
        self.first_step, self.last_step = _spin(0, last, 0), _spin(0, last, last)
        self.fps = _spin(1, 60, 30, " frames/s")
        self.path = QLineEdit("slope-figure")
        self.note = QLabel("")  # one sentence when the chosen view cannot be exported here
        self.note.setWordWrap(True)
        self.note.setObjectName("inlineError")
        self.view.currentIndexChanged.connect(self._view_chosen)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self._build_form(browse)

    def _build_form(self, browse: QPushButton) -> None:
        form = QFormLayout(self)
        size = QHBoxLayout()
        size.addWidget(self.width_box)
        size.addWidget(self.height_box)
        steps = QHBoxLayout()
        steps.addWidget(self.first_step)
        steps.addWidget(self.last_step)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path)
        file_row.addWidget(browse)
        for label, item in (
            ("What", self.view), ("Format", self.format), ("Size", self.size),
            ("Width, height", size), ("Style", self.style),
            ("Steps (first, last)", steps), ("Frame rate", self.fps), ("File", file_row),
        ):  # fmt: skip
            form.addRow(label, item if isinstance(item, QWidget) else _boxed(item))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(self.note)
        form.addRow(buttons)
        self.first_step.setToolTip("An animation shows the steps from first to last")
        self.last_step.setToolTip("A picture shows the run as it was at the last step")

    def _last_step(self) -> int:
        shown = self.window.active.controller.shown
        return 0 if shown is None else int(shown.frame.step)

    def _view_chosen(self, _index: int) -> None:
        no_gl = self.view.currentData() == SURFACE_3D and not gl_available()
        self.note.setText(f"Note: {NO_GL_EXPORT}." if no_gl else "")

    def _size_chosen(self, index: int) -> None:
        size = self.size.itemData(index)
        if size is None:  # the view's own aspect on screen
            widget = self._shown_widget(self.view.currentData())
            w, h = max(widget.width(), 1), max(widget.height(), 1)
            size = (1920, max(16, min(8192, round(1920 * h / w))))
        self.width_box.setValue(size[0])
        self.height_box.setValue(size[1])

    def _shown_widget(self, view: str):
        """The widget on screen whose aspect the view's own size follows."""
        space = self.window.active
        if view == WHOLE_WINDOW:
            return self.window
        if space.workspace == "network":
            return space.export_views().get(view, space.widget)
        return (
            self.window.descent.surface3d if view == SURFACE_3D else self.window.descent.landscape
        )

    def _browse(self) -> None:
        fmt = self.format.currentData()
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text(), f"*.{fmt}")
        if path:
            self.path.setText(path)

    def _accept(self) -> None:
        if self.export() is not False:
            self.accept()

    def export(self):
        """Write the file the dialog describes: True/False for a figure, the running
        `AnimationExport` (or None) for an animation."""
        fmt, path = self.format.currentData(), self.path.text().strip()
        if path and "." not in path.rsplit("/", 1)[-1]:
            path = f"{path}.{fmt}"  # a name without an extension gets the format's own
        view, style = self.view.currentData(), self.style.currentData()
        size = (self.width_box.value(), self.height_box.value())
        steps = (self.first_step.value(), self.last_step.value())
        if steps[0] > steps[1]:
            self.window.status.show_error("Could not export: the first step is after the last")
            return False
        if fmt in ("gif", "mp4"):
            return animate_from_window(
                self.window, view, path, *size, style, steps, self.fps.value()
            )
        return export_from_window(self.window, view, path, *size, style, steps)


def _boxed(layout) -> QWidget:
    holder = QWidget()
    layout.setContentsMargins(0, 0, 0, 0)
    holder.setLayout(layout)
    return holder


def show_export_dialog(window) -> ExportDialog:
    """Open the export dialog over ``window`` (not modal: the run goes on behind it)."""
    dialog = ExportDialog(window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dialog.show()
    return dialog
