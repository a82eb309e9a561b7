"""Small bounded input widgets shared by the control panels."""

from __future__ import annotations

import math

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox, QWidget

from gui.shell.tooltips import tip

_LADDER = (1.0, 2.0, 5.0)  # a 1-2-5 sequence per decade: 0.001, 0.002, 0.005, 0.01, ...


def _ladder_neighbour(value: float, up: bool) -> float:
    """The next 1-2-5 value above (or below) ``value``."""
    decade = math.floor(math.log10(value))
    candidates = [m * 10.0**d for d in (decade - 1, decade, decade + 1) for m in _LADDER]
    if up:
        return min(c for c in candidates if c > value * (1 + 1e-9))
    return max(c for c in candidates if c < value * (1 - 1e-9))


class ScientificSpinBox(QDoubleSpinBox):
    """A positive number shown as ``%g`` (1e-05, 0.003, 2.5); arrows walk 1-2-5 steps."""

    def __init__(
        self, minimum: float, maximum: float, value: float, key: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setDecimals(12)
        self.setRange(minimum, maximum)
        self.setValue(value)
        self.setKeyboardTracking(False)
        self.setToolTip(tip(key))
        self.setMinimumWidth(90)

    def textFromValue(self, value: float) -> str:
        return f"{value:.4g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        stripped = text.strip()
        try:
            value = float(stripped)
        except ValueError:
            partial = all(c in "0123456789.eE+-" for c in stripped)
            state = QValidator.State.Intermediate if partial else QValidator.State.Invalid
            return state, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def stepBy(self, steps: int) -> None:
        value = max(self.value(), self.minimum(), 1e-300)
        for _ in range(abs(steps)):
            value = _ladder_neighbour(value, steps > 0)
        self.setValue(min(max(value, self.minimum()), self.maximum()))


def int_spin(
    minimum: int, maximum: int, value: int, key: str, step: int = 1, tooltip: str | None = None
) -> QSpinBox:
    """A bounded integer spin box with its tooltip (the shell's ``key``, or ``tooltip``
    given by a workspace); emits only when editing is done."""
    box = QSpinBox()
    box.setRange(minimum, maximum)
    box.setSingleStep(step)
    box.setValue(value)
    box.setKeyboardTracking(False)
    box.setToolTip(tip(key) if tooltip is None else tooltip)
    return box


def float_spin(
    minimum: float,
    maximum: float,
    value: float,
    key: str,
    step: float = 0.1,
    decimals: int = 3,
    tooltip: str | None = None,
) -> QDoubleSpinBox:
    """A bounded decimal spin box with its tooltip (as `int_spin`); emits only when editing
    is done."""
    box = QDoubleSpinBox()
    box.setRange(minimum, maximum)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setValue(value)
    box.setKeyboardTracking(False)
    box.setToolTip(tip(key) if tooltip is None else tooltip)
    return box
