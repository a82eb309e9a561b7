"""Learning rate(s): one value, or a sweep from min to max (log or linear spacing)."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
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
from gui.shell.tooltips import tip
from gui.widgets.spin_boxes import ScientificSpinBox, int_spin

LR_MIN, LR_MAX = 1e-6, 100.0
MAX_SWEEP = 200


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
        self.count = int_spin(2, MAX_SWEEP, 7, "lr_count")
        self.log = QCheckBox("log spacing")
        self.log.setChecked(True)
        self.log.setToolTip(tip("lr_log"))
        self.critical = QLabel()
        self.critical.setObjectName("inlineNote")
        self.critical.setToolTip(tip("critical_lr"))
        self.critical.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self.error.hide()
        self._build_layout()
        self._last_good = self._compute()
        self._critical_shown_at = 0.0
        self._pending_lam: float | None = None
        self._critical_timer = QTimer(self, singleShot=True, interval=260)
        self._critical_timer.timeout.connect(lambda: self.show_critical(self._pending_lam))
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

    def set_rates(self, rates: tuple[float, ...], view: dict) -> None:
        """Show a configuration's learning rates (no ``changed`` signal)."""
        widgets = (self.lr, self.lr_min, self.lr_max, self.count, self.log, self.sweep_button)
        for w in widgets:
            w.blockSignals(True)
        try:
            sweep = view.get("sweep") or {}
            is_sweep = view.get("lr_mode", "sweep" if len(rates) > 1 else "single") == "sweep"
            self.sweep_button.setChecked(is_sweep)
            self.single_button.setChecked(not is_sweep)
            self.lr.setValue(rates[0])
            # a single rate: offer a sweep of two decades around it when the user switches
            low, high = (
                (min(rates), max(rates)) if len(rates) > 1 else (rates[0] / 10, rates[0] * 10)
            )
            self.lr_min.setValue(float(sweep.get("min", low)))
            self.lr_max.setValue(float(sweep.get("max", high)))
            self.count.setValue(int(sweep.get("count", len(rates) if len(rates) > 1 else 7)))
            self.log.setChecked(bool(sweep.get("log", True)))
        finally:
            for w in widgets:
                w.blockSignals(False)
        self._on_mode()
        self._last_good = tuple(rates)  # exactly what the configuration says

    def show_critical(self, lam: float | None) -> None:
        """Mark the critical step 2 / lambda_max at the current point (None hides it).

        Updated at most four times a second: a label that changes its text re-lays out
        the whole dock, which is too costly for every frame of a run.
        """
        self._pending_lam = lam
        now = time.perf_counter()
        if now - self._critical_shown_at < 0.25:
            if not self._critical_timer.isActive():  # the last value still gets shown
                self._critical_timer.start()
            return
        self._critical_shown_at = now
        if lam is None or not lam > 0:
            text = "Curvature at the point ≤ 0: no step-size limit there."
        else:
            critical = 2.0 / lam
            rates = self._last_good
            over = sum(lr > critical for lr in rates)
            if len(rates) > 1:
                verdict = f"{over} of {len(rates)} rates above it"
            else:
                verdict = "above it: expect divergence" if over else "below it: stable here"
            text = f"Critical rate here: 2/λmax = {critical:.3g} ({verdict})"
        if text != self.critical.text():
            self.critical.setText(text)
