"""Transport bar: play/pause, step, reset, and a scrubber over the recorded steps."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSlider, QWidget

from gui.shell.tooltips import tip


class StepLabel(QLabel):
    """ "step 12,345" in a label of fixed size, with room for the largest step count.

    Its text changes with every drawn frame. A label of variable size asks the whole
    window for a new layout at each ``setText``; a widget whose minimum and maximum sizes
    are equal does not, so the frame repaints this label only.
    """

    WIDEST = "step 1,000,000,000"

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._fix_size()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fix_size()

    def _fix_size(self) -> None:
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self.WIDEST) + margins.left() + margins.right()
        height = self.fontMetrics().height() + margins.top() + margins.bottom()
        self.setFixedSize(width + 2 * self.margin(), height + 2 * self.margin())


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
        self.slider = QSlider(Qt.Orientation.Horizontal)
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
        if self.slider.maximum() != max(rows - 1, 0):
            self.slider.setRange(0, max(rows - 1, 0))
        if self._following:
            if self.slider.value() != self.slider.maximum():
                self.slider.setValue(self.slider.maximum())
            self.step_label.setText(f"step {step:,}")
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
