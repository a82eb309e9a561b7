"""Learning-rate schedule and gradient clipping."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QWidget

from core.optim.optimizers import ClipSpec, ScheduleSpec
from gui.descent.panels.limited_boxes import float_box, int_box, limit_range
from gui.shell.tooltips import tip
from gui.widgets.spin_boxes import ScientificSpinBox

SCHEDULE_NAMES = (
    ("Constant", "constant"),
    ("Step decay", "step"),
    ("Exponential decay", "exponential"),
    ("Cosine", "cosine"),
    ("Warm-up + cosine", "warmup_cosine"),
)
# which parameters each schedule uses
SCHEDULE_FIELDS = {
    "constant": (),
    "step": ("step_size", "gamma"),
    "exponential": ("gamma",),
    "cosine": ("t_max", "eta_min"),
    "warmup_cosine": ("warmup", "t_max", "eta_min"),
}
CLIP_NAMES = (("No clipping", "none"), ("Clip each value", "value"), ("Clip the norm", "norm"))


class SchedulePanel(QWidget):
    """``changed`` fires when the (valid) schedule or clipping changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = QComboBox()
        for text, data in SCHEDULE_NAMES:
            self.kind.addItem(text, data)
        self.kind.setToolTip(tip("schedule"))
        self.params = {
            "step_size": int_box("schedule.step_size", 100, "step_size", step=10),
            "gamma": float_box("schedule.gamma", 0.5, "gamma", step=0.05, decimals=4),
            "t_max": int_box("schedule.t_max", 1000, "t_max", step=100),
            "warmup": int_box("schedule.warmup", 50, "warmup", step=10),
            "eta_min": ScientificSpinBox(*limit_range("schedule.eta_min"), 0.0, "eta_min"),
        }
        self.clip_mode = QComboBox()
        for text, data in CLIP_NAMES:
            self.clip_mode.addItem(text, data)
        self.clip_mode.setToolTip(tip("clip"))
        self.threshold = float_box("clip.threshold", 1.0, "clip_threshold", step=0.5)
        self.error = QLabel()
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self._form = form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Schedule", self.kind)
        labels = {
            "step_size": "Every (steps)",
            "gamma": "Factor γ",
            "t_max": "Over (steps)",
            "warmup": "Warm-up (steps)",
            "eta_min": "Lowest rate",
        }
        for name, widget in self.params.items():
            form.addRow(labels[name], widget)
            widget.valueChanged.connect(self._on_edit)
        form.addRow("Clipping", self.clip_mode)
        form.addRow("Threshold", self.threshold)
        form.addRow(self.error)
        self.kind.currentIndexChanged.connect(self._on_edit)
        self.clip_mode.currentIndexChanged.connect(self._on_edit)
        self.threshold.valueChanged.connect(self._on_edit)
        self._last_good = (ScheduleSpec(), ClipSpec())
        self._show_rows()

    def _show_rows(self) -> None:
        used = SCHEDULE_FIELDS[self.kind.currentData()]
        for name, widget in self.params.items():
            self._form.setRowVisible(widget, name in used)
        self._form.setRowVisible(self.threshold, self.clip_mode.currentData() != "none")
        self._form.setRowVisible(self.error, bool(self.error.text()))

    def _build(self) -> tuple[ScheduleSpec, ClipSpec]:
        p = self.params
        schedule = ScheduleSpec(
            kind=self.kind.currentData(),
            step_size=p["step_size"].value(),
            gamma=p["gamma"].value(),
            t_max=p["t_max"].value(),
            warmup=p["warmup"].value(),
            eta_min=p["eta_min"].value(),
        )
        return schedule, ClipSpec(self.clip_mode.currentData(), self.threshold.value())

    def _on_edit(self) -> None:
        try:
            specs = self._build()
            self.error.setText("")
        except ValueError as exc:
            self.error.setText(str(exc))
            specs = None
        self._show_rows()
        if specs is not None and specs != self._last_good:
            self._last_good = specs
            self.changed.emit()

    def specs(self) -> tuple[ScheduleSpec, ClipSpec]:
        """The last valid (schedule, clip)."""
        return self._last_good

    def set_specs(self, schedule: ScheduleSpec, clip: ClipSpec) -> None:
        """Show a configuration's schedule and clipping (no ``changed`` signal)."""
        widgets = (self.kind, self.clip_mode, self.threshold, *self.params.values())
        for w in widgets:
            w.blockSignals(True)
        try:
            self.kind.setCurrentIndex(self.kind.findData(schedule.kind))
            for name, widget in self.params.items():
                widget.setValue(getattr(schedule, name))
            self.clip_mode.setCurrentIndex(self.clip_mode.findData(clip.mode))
            self.threshold.setValue(clip.threshold)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self.error.setText("")
        self._last_good = (schedule, clip)
        self._show_rows()
