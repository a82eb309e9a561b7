"""Bounded inputs with their one-sentence tooltip, for the network panels."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox

from gui.network.tooltips import tip
from gui.widgets.spin_boxes import ScientificSpinBox, float_spin, int_spin


def int_box(low: int, high: int, value: int, key: str, step: int = 1) -> QSpinBox:
    return int_spin(low, high, value, key, step=step, tooltip=tip(key))


def float_box(
    low: float, high: float, value: float, key: str, step: float = 0.05, decimals: int = 3
) -> QDoubleSpinBox:
    return float_spin(low, high, value, key, step=step, decimals=decimals, tooltip=tip(key))


def rate_box(low: float, high: float, value: float, key: str) -> ScientificSpinBox:
    box = ScientificSpinBox(low, high, value, "lr")
    box.setToolTip(tip(key))
    return box


def choice(items, key: str) -> QComboBox:
    box = QComboBox()
    for item in items:
        text, data = item if isinstance(item, tuple) else (item, item)
        box.addItem(text, data)
    box.setToolTip(tip(key))
    return box


def check(text: str, key: str) -> QCheckBox:
    box = QCheckBox(text)
    box.setToolTip(tip(key))
    return box


def select(box: QComboBox, data) -> None:
    """Select the item holding ``data`` (no signal)."""
    index = box.findData(data)
    box.blockSignals(True)
    if index >= 0:
        box.setCurrentIndex(index)
    box.blockSignals(False)


def set_quietly(box, value) -> None:
    box.blockSignals(True)
    if isinstance(box, QCheckBox):
        box.setChecked(bool(value))
    else:
        box.setValue(value)
    box.blockSignals(False)
