"""Status bar: run state, training steps per second, messages."""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from gui.shell import theme
from gui.widgets.steady_label import SteadyLabel

STATUS_TEXT = {
    "playing": "▶ playing",
    "paused": "‖ paused",
    "stopped": "■ stopped",
    "finished": "✓ finished",
    "error": "error",
}


class RunStatusBar(QStatusBar):
    """Shows the run's state and its training steps per second (twice a second).

    Drawn frames are counted (`frames_per_second`, for the benchmark) but not shown: a
    learner has no use for a developer's number.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state_label = QLabel(STATUS_TEXT["stopped"])
        # twice a second while a run plays: a label of fixed size, repainted alone
        self.rate_label = SteadyLabel("0 steps/s", widest="10,000,000 steps/s")
        self.rate_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.message = QLabel()
        self.message.setMinimumWidth(200)
        self.addWidget(self.message, 1)
        self.rate_label.setToolTip("Descent or training steps computed per second")
        for label in (self.state_label, self.rate_label):
            self.addPermanentWidget(label)
        self._draw_times: deque[float] = deque(maxlen=240)
        self._steps_per_second = 0.0
        self._refresh = QTimer(self, interval=500)
        self._refresh.timeout.connect(self._update_rates)
        self._refresh.start()

    def count_state(self, state) -> None:
        self._steps_per_second = state.steps_per_second

    def count_draw(self) -> None:
        self._draw_times.append(time.perf_counter())

    def frames_per_second(self) -> float:
        now = time.perf_counter()
        recent = [t for t in self._draw_times if now - t <= 1.0]
        return float(len(recent))

    def _update_rates(self) -> None:
        if self.state_label.text() != STATUS_TEXT["playing"]:
            self._steps_per_second = 0.0
        self.rate_label.setText(f"{self._steps_per_second:,.0f} steps/s")

    def show_status(self, status: str) -> None:
        self.state_label.setText(STATUS_TEXT.get(status, status))

    def show_message(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)

    def show_error(self, text: str) -> None:
        """Errors stay on screen (in red) until the next message."""
        self.message.setStyleSheet(f"color: {theme.ERROR};")
        self.message.setText(text)

    def stop(self) -> None:
        self._refresh.stop()
