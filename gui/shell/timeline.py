"""Transport bar: play/pause, step, reset, and a scrubber over the recorded steps."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSlider, QStyle, QWidget

from gui.shell.tooltips import tip
from gui.widgets.steady_label import SteadyLabel


class StepLabel(SteadyLabel):
    """ "step 12,345", with room for the largest step count (see `SteadyLabel`)."""

    WIDEST = "step 1,000,000,000"


class RowSlider(QSlider):
    """A horizontal slider whose range can grow with the handle held at its end, without
    a repaint when the handle stays where it was drawn.

    While a run plays and the timeline follows it, the rows grow every frame and the
    handle stays at the right end: a plain slider repaints at each `setRange` and
    `setValue` (with the step label, about half a millisecond a frame) to draw the same
    pixels.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._quiet = False

    def set_end(self, maximum: int) -> None:
        """Range ``0 .. maximum`` with the handle at ``maximum``; repaint only if the handle
        moved (e.g. from an empty range) and signals as the caller set them."""
        before = self._handle_position()
        self._quiet = True
        try:
            self.setRange(0, maximum)
            self.setValue(maximum)
        finally:
            self._quiet = False
        if self._handle_position() != before:
            self.update()

    def _handle_position(self) -> int:
        return QStyle.sliderPositionFromValue(
            self.minimum(), self.maximum(), self.value(), max(self.width(), 1)
        )

    def sliderChange(self, change: QSlider.SliderChange) -> None:
        if not self._quiet:  # QAbstractSlider's own: a repaint
            super().sliderChange(change)


class Timeline(QWidget):
    """Buttons and a slider over history rows.

    The slider runs over the rows of the newest history. At its right end it follows the
    live run (``scrubbed(-1)``); anywhere else it pins that row (``scrubbed(row)``).
    """

    play_clicked = Signal()
    step_clicked = Signal()
    reset_clicked = Signal()
    scrubbed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.play_button = QPushButton("▶ Play")
        self.play_button.setToolTip(tip("play"))
        self.step_button = QPushButton("Step ▸|")
        self.step_button.setToolTip(tip("step"))
        self.reset_button = QPushButton("⟲ Reset")
        self.reset_button.setToolTip(tip("reset"))
        self.slider = RowSlider()
        self.slider.setToolTip(tip("timeline"))
        self.slider.setRange(0, 0)
        self.step_label = StepLabel("step 0")
        self.step_label.setObjectName("stepLabel")
        self.step_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for button in (self.play_button, self.step_button, self.reset_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep Space for the window
            layout.addWidget(button)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.step_label)
        self.play_button.clicked.connect(self.play_clicked)
        self.step_button.clicked.connect(self.step_clicked)
        self.reset_button.clicked.connect(self.reset_clicked)
        self.slider.valueChanged.connect(self._on_slider)
        self._following = True

    @property
    def following(self) -> bool:
        """True while the slider sits at the newest step (the views show the live run)."""
        return self._following

    def set_playing(self, playing: bool) -> None:
        self.play_button.setText("‖ Pause" if playing else "▶ Play")

    def set_rows(self, rows: int, step: int) -> None:
        """The history now has ``rows`` rows; the newest is ``step``."""
        self.slider.blockSignals(True)
        if self._following:
            self.slider.set_end(max(rows - 1, 0))  # no repaint: the handle stays at the end
            self.step_label.setText(f"step {step:,}")
        elif self.slider.maximum() != max(rows - 1, 0):
            self.slider.setRange(0, max(rows - 1, 0))
        self.slider.blockSignals(False)

    def show_row(self, row: int, step: int) -> None:
        """The views show history row ``row`` (step ``step``): put the handle there."""
        self.slider.blockSignals(True)
        self.slider.setValue(row)
        self.slider.blockSignals(False)
        self.step_label.setText(f"step {step:,}")

    def follow_live(self) -> None:
        self._following = True
        self.slider.blockSignals(True)
        self.slider.setValue(self.slider.maximum())
        self.slider.blockSignals(False)

    def _on_slider(self, value: int) -> None:
        self._following = value >= self.slider.maximum()
        self.scrubbed.emit(-1 if self._following else value)
