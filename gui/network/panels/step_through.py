"""Backprop by hand: Previous / Next through the phases of one sample's step, numbers written out.

The text is the `core.nn.step_through.Phase` the controller hands over: its title and its
lines with the values substituted. Nothing is computed here.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from gui.network.panels.fields import int_box
from gui.network.tooltips import tip
from gui.network.walker import NEXT_HINT


class StepThroughPanel(QWidget):
    """Implements `gui.network.protocols.StepThroughDisplay`."""

    next_clicked = Signal()
    previous_clicked = Signal()
    sample_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("<b>Backprop by hand</b>")
        self.sample = int_box(0, 0, 0, "sample")
        self.previous_button = QPushButton("◂ Previous")
        self.previous_button.setToolTip(tip("previous_phase"))
        self.next_button = QPushButton("Next ▸")
        self.next_button.setToolTip(tip("next_phase"))
        for button in (self.previous_button, self.next_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.phase_label = QLabel("")
        self.phase_label.setWordWrap(True)
        self.text = QTextEdit()
        self.text.setReadOnly(True)
        font = QFont(self.text.font())
        font.setPointSizeF(font.pointSizeF() * 0.95)
        self.text.setFont(font)
        self.text.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        row = QHBoxLayout()
        row.addWidget(QLabel("sample"))
        row.addWidget(self.sample)
        row.addStretch(1)
        row.addWidget(self.previous_button)
        row.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.heading)
        layout.addLayout(row)
        layout.addWidget(self.phase_label)
        layout.addWidget(self.text, 1)
        self.next_button.clicked.connect(self.next_clicked)
        self.previous_button.clicked.connect(self.previous_clicked)
        self.sample.valueChanged.connect(self.sample_changed)
        self.clear(NEXT_HINT)

    def set_sample_count(self, n: int) -> None:
        self.sample.blockSignals(True)
        self.sample.setRange(0, max(n - 1, 0))
        self.sample.blockSignals(False)

    def set_sample(self, index: int) -> None:
        self.sample.blockSignals(True)
        self.sample.setValue(index)
        self.sample.blockSignals(False)

    def show_phase(self, walk, index: int) -> None:
        phase = walk.phases[index]
        self.phase_label.setText(
            f"Step {walk.step}, sample {walk.trace.index}: phase {index + 1} of "
            f"{len(walk.phases)}: <b>{html.escape(phase.title)}</b>"
        )
        self.text.setPlainText("\n".join(phase.lines))

    def clear(self, message: str) -> None:
        self.phase_label.setText(message)
        self.text.clear()

    def shown_text(self) -> str:
        """The numbers on screen (for tests and screenshots)."""
        return self.text.toPlainText()
