"""Learning rate(s): one value, or a sweep from min to max (log or linear spacing)."""

from __future__ import annotations

import math

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from core.descent.engine import lr_sweep
from core.descent.limits import LIMITS
from core.descent.preset_view import PresetView
from gui.shell.tooltips import tip
from gui.widgets.spin_boxes import ScientificSpinBox, int_spin
from gui.widgets.text_strip import TextStrip

LR_MIN, LR_MAX = LIMITS["learning_rates"].low, LIMITS["learning_rates"].high
SWEEP_COUNT = LIMITS["view.sweep.count"]


class LearningRatePanel(QWidget):
    """``changed`` fires when the list of learning rates changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.single_button = QRadioButton("One rate")
        self.sweep_button = QRadioButton("Sweep")
        for button in (self.single_button, self.sweep_button):
            button.setToolTip(tip("lr_mode"))
        self._mode = QButtonGroup(self)
        self._mode.addButton(self.single_button)
        self._mode.addButton(self.sweep_button)
        self.single_button.setChecked(True)
        self.lr = ScientificSpinBox(LR_MIN, LR_MAX, 1e-3, "lr")
        self.lr_min = ScientificSpinBox(LR_MIN, LR_MAX, 1e-4, "lr_min")
        self.lr_max = ScientificSpinBox(LR_MIN, LR_MAX, 1e-2, "lr_max")
        self.count = int_spin(SWEEP_COUNT.low, SWEEP_COUNT.high, 7, "lr_count")
        self.log = QCheckBox("log spacing")
        self.log.setChecked(True)
        self.log.setToolTip(tip("lr_log"))
        # a painted strip of steady height: a new number every frame repaints it alone
        # (a QLabel would lay out the whole dock again each time)
        self.critical = TextStrip("", samples=(_WIDEST,))
        self.critical.setObjectName("inlineNote")
        self.critical.setToolTip(tip("critical_lr"))
        self.error = QLabel()
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self.error.hide()
        self._build_layout()
        self._last_good = self._compute()
        for box in (self.lr, self.lr_min, self.lr_max, self.count):
            box.valueChanged.connect(self._on_edit)
        self.log.toggled.connect(self._on_edit)
        self.sweep_button.toggled.connect(self._on_mode)
        self._on_mode()

    def _build_layout(self) -> None:
        modes = QHBoxLayout()
        modes.addWidget(self.single_button)
        modes.addWidget(self.sweep_button)
        modes.addStretch(1)
        self._form = QFormLayout()
        self._form.addRow("Learning rate", self.lr)
        self._form.addRow("From", self.lr_min)
        self._form.addRow("To", self.lr_max)
        self._form.addRow("Runs", self.count)
        self._form.addRow("", self.log)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(modes)
        layout.addLayout(self._form)
        layout.addWidget(self.error)
        layout.addWidget(self.critical)

    @property
    def is_sweep(self) -> bool:
        return self.sweep_button.isChecked()

    def _compute(self) -> tuple[float, ...]:
        if not self.is_sweep:
            return (self.lr.value(),)
        lo, hi = self.lr_min.value(), self.lr_max.value()
        if lo > hi:
            raise ValueError(f"the sweep's 'from' ({lo:g}) must not exceed its 'to' ({hi:g})")
        return lr_sweep(lo, hi, self.count.value(), log=self.log.isChecked())

    def _on_mode(self) -> None:
        sweep = self.is_sweep
        self._form.setRowVisible(self.lr, not sweep)
        for widget in (self.lr_min, self.lr_max, self.count, self.log):
            self._form.setRowVisible(widget, sweep)
        self._on_edit()

    def _on_edit(self) -> None:
        try:
            rates = self._compute()
        except ValueError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.error.hide()
        if rates != self._last_good:
            self._last_good = rates
            self.changed.emit()

    def learning_rates(self) -> tuple[float, ...]:
        """The last valid learning rates."""
        return self._last_good

    def view_fields(self) -> dict:
        sweep = {
            "min": self.lr_min.value(),
            "max": self.lr_max.value(),
            "count": self.count.value(),
            "log": self.log.isChecked(),
        }
        return {"lr_mode": "sweep" if self.is_sweep else "single", "sweep": sweep}

    def set_rates(self, rates: tuple[float, ...], view: PresetView) -> None:
        """Show a configuration's learning rates and the view's sweep control (no
        ``changed`` signal)."""
        widgets = (self.lr, self.lr_min, self.lr_max, self.count, self.log, self.sweep_button)
        for w in widgets:
            w.blockSignals(True)
        try:
            is_sweep = view.lr_mode == "sweep"
            self.sweep_button.setChecked(is_sweep)
            self.single_button.setChecked(not is_sweep)
            self.lr.setValue(rates[0])
            self.lr_min.setValue(view.sweep.low)
            self.lr_max.setValue(view.sweep.high)
            self.count.setValue(view.sweep.count)
            self.log.setChecked(view.sweep.log)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._on_mode()
        self._last_good = tuple(rates)  # exactly what the configuration says

    def show_report(self, report) -> None:
        """Show the critical rate of a `core.descent.stability.StabilityReport` (the same
        report the stability meter shows, so both always name the same run and number)."""
        self.critical.setText(critical_text(report))


def critical_text(report) -> str:
    """One line on the critical rate at the followed run's point (empty without a run)."""
    if report is None:
        return ""
    if not math.isfinite(report.critical_lr):
        return f"At {report.label}'s point the surface does not curve up: no rate limit there."
    if report.rates > 1:
        verdict = f"{report.rates_above} of {report.rates} rates above it"
    else:
        verdict = "above it: expect divergence" if report.rates_above else "below it"
    return f"Critical rate at {report.label}'s point: 2/λmax = {report.critical_lr:.3g} ({verdict})"


_WIDEST = (
    "Critical rate at momentum (nesterov), lr=1.23e-100's point: 2/λmax = 1.23e-100 "
    "(100 of 100 rates above it)"
)
