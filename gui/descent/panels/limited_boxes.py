"""Spin boxes whose range is core's (`core.descent.limits.LIMITS`), for the descent panels.

A session the loader accepts holds only values within those limits, so the controls can
show every one of them: no value is clamped by a widget on its way to the screen.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox

from core.descent.limits import LIMITS
from gui.widgets.spin_boxes import float_spin, int_spin


def limit_range(key: str) -> tuple[float, float]:
    """``(low, high)`` of the field ``key`` (a dotted path such as ``"schedule.t_max"``)."""
    limit = LIMITS[key]
    return limit.low, limit.high


def int_box(key: str, value: int, tip_key: str, step: int = 1) -> QSpinBox:
    low, high = limit_range(key)
    return int_spin(int(low), int(high), value, tip_key, step=step)


def float_box(
    key: str, value: float, tip_key: str, step: float = 0.1, decimals: int = 3
) -> QDoubleSpinBox:
    low, high = limit_range(key)
    return float_spin(low, high, value, tip_key, step=step, decimals=decimals)
