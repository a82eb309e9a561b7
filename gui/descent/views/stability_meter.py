"""How large a step the local curvature allows: lambda_max, 2/lambda_max and a gauge.

Everything shown here comes from one `core.descent.stability.StabilityReport` (the
controller hands the same report to the learning-rate panel), so the meter never
computes a critical rate or a verdict of its own.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from core.descent.stability import widest_sentences
from gui.shell import colors as palette
from gui.shell.theme import plot_colors
from gui.widgets.text_strip import TextStrip

SAFE_COLOR = (0, 158, 115)
ZIGZAG_COLOR = (230, 159, 0)
UNSTABLE_COLOR = palette.DIVERGED_COLOR


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def _close(a: float, b: float, rel: float = 1e-3) -> bool:
    """Equal, or finite, positive and within ``rel`` of each other (nan is never close)."""
    if a == b:
        return True
    return a > 0 and b > 0 and np.isfinite(a) and np.isfinite(b) and abs(a - b) <= rel * b


class StabilityGauge(QtWidgets.QWidget):
    """A log-scale bar: green below 1/λ, amber up to 2/λ, red beyond, a mark at the lr."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.lr = float("nan")
        self.limit = float("inf")
        self.font_size = 9.0
        self.setMinimumHeight(54)
        self.setAutoFillBackground(True)  # opaque: a repaint leaves the widgets under it be
        self.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Fixed
        )

    def set_values(self, lr: float, limit: float) -> None:
        lr, limit = float(lr), float(limit)
        if _close(lr, self.lr) and _close(limit, self.limit):
            return  # moved less than a tenth of a pixel on the log scale: no repaint
        self.lr, self.limit = lr, limit
        self.update()

    def _span(self) -> tuple[float, float]:
        """log10 range shown: two decades below the limit to one above (or around the lr)."""
        centre = self.limit if np.isfinite(self.limit) else self.lr
        if not (np.isfinite(centre) and centre > 0):
            centre = 1e-2
        c = np.log10(centre)
        return c - 2.0, c + 1.0

    def paintEvent(self, event) -> None:
        painter = QtGui.QPainter(self)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        font = painter.font()
        font.setPointSizeF(self.font_size)
        painter.setFont(font)
        w = self.width()
        left, right, top, bar_h = 8.0, w - 8.0, 6.0, 16.0
        lo, hi = self._span()

        def x_of(value: float) -> float:
            t = (np.log10(max(value, 1e-300)) - lo) / (hi - lo)
            return left + float(np.clip(t, 0.0, 1.0)) * (right - left)

        zones = [
            (SAFE_COLOR, 10**lo, self.limit / 2, "steady"),
            (ZIGZAG_COLOR, self.limit / 2, self.limit, "zig-zag"),
            (UNSTABLE_COLOR, self.limit, 10**hi, "diverges"),
        ]
        if not np.isfinite(self.limit):
            zones = [(SAFE_COLOR, 10**lo, 10**hi, "no limit here")]
        metrics = painter.fontMetrics()
        for rgb, a, b, text in zones:
            rect = QtCore.QRectF(x_of(a), top, x_of(b) - x_of(a), bar_h)
            painter.fillRect(rect, QtGui.QColor(*rgb))
            if metrics.horizontalAdvance(text) + 6 < rect.width():
                painter.setPen(QtGui.QColor(255, 255, 255))
                painter.drawText(rect, QtCore.Qt.AlignmentFlag.AlignCenter, text)
        ink = QtGui.QColor(*plot_colors().foreground)  # the theme's, read at each paint
        painter.setPen(ink)
        for decade in range(int(np.ceil(lo)), int(np.floor(hi)) + 1):
            x = x_of(10.0**decade)
            painter.drawLine(QtCore.QPointF(x, top + bar_h), QtCore.QPointF(x, top + bar_h + 4))
            text = f"{10.0**decade:g}"
            width = metrics.horizontalAdvance(text) + 2.0
            left_edge = label_left(x, width, w)
            painter.drawText(
                QtCore.QRectF(left_edge, top + bar_h + 4, width, 16),
                QtCore.Qt.AlignmentFlag.AlignHCenter,
                text,
            )
        if np.isfinite(self.lr) and self.lr > 0:
            x = x_of(self.lr)
            pen = QtGui.QPen(ink, 3)
            painter.setPen(pen)
            painter.drawLine(QtCore.QPointF(x, top - 4), QtCore.QPointF(x, top + bar_h + 4))
            tri = QtGui.QPolygonF(
                [
                    QtCore.QPointF(x - 6, top - 6),
                    QtCore.QPointF(x + 6, top - 6),
                    QtCore.QPointF(x, top + 2),
                ]
            )
            painter.setBrush(ink)
            painter.drawPolygon(tri)
        painter.end()


def label_left(x: float, width: float, total: float) -> float:
    """Left edge of a label ``width`` wide centred under a tick at ``x``, moved inwards so
    that it stays whole within ``0 .. total`` (a decade at the gauge's very end)."""
    return min(max(x - width / 2, 0.0), total - width)


def values_text(label: str, lam: float, limit: float, rate: float) -> str:
    """The meter's line of numbers (rich text): which run, lambda_max, 2/lambda_max, lr."""
    limit_text = _fmt(limit) if np.isfinite(limit) else "no limit"
    # each "name = value" wraps as a whole: never "lr =" at a line's end, its value below
    return (
        f"<b>{label}</b> &nbsp; λ<sub>max</sub>&nbsp;=&nbsp;<b>{_fmt(lam)}</b> &nbsp; critical "
        f"lr 2/λ<sub>max</sub>&nbsp;=&nbsp;<b>{limit_text}</b> &nbsp; lr&nbsp;=&nbsp;"
        f"<b>{_fmt(rate)}</b>"
    )


def _longest_texts() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Numbers line and sentences with the widest numbers: the meter reserves room for them
    so that its height does not change from frame to frame."""
    wide = -1.23e-100
    values = (values_text("momentum (nesterov), lr=1.23e-100", wide, wide, wide),)
    return values, widest_sentences()


class StabilityMeter(QtWidgets.QWidget):
    """Curvature and critical learning rate at the current point of one run, in words."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_index = 0
        self.title = QtWidgets.QLabel("Stability of the step")
        # the numbers and the sentence change every frame: painted strips of a steady
        # height, so a frame repaints them and never lays out the window again
        values, sentences = _longest_texts()
        self.values = TextStrip("", rich=True, samples=values)
        self.gauge = StabilityGauge()
        self.sentence = TextStrip(
            "Start a run to see how large a step the curvature allows.", samples=sentences
        )
        self.setToolTip(
            "λmax is how sharply the surface bends at the current point (the largest "
            "eigenvalue of the Hessian). Plain gradient descent is stable only while "
            "the learning rate stays below 2/λmax."
        )
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        for widget in (self.title, self.values, self.gauge, self.sentence):
            layout.addWidget(widget)
        self.set_presentation(False)

    def show_report(self, report) -> None:
        """Show a `core.descent.stability.StabilityReport` (numbers, gauge, sentence)."""
        self.run_index = report.run
        self.values.setText(
            values_text(report.label, report.lambda_max, report.critical_lr, report.lr)
        )
        self.gauge.set_values(report.lr, report.critical_lr)
        self.sentence.setText(report.sentence)

    def set_presentation(self, on: bool) -> None:
        size = 14.0 if on else 9.5
        for label in (self.values, self.sentence):
            font = label.font()
            font.setPointSizeF(size)
            label.setFont(font)
        font = self.title.font()
        font.setPointSizeF(size + 1)
        font.setBold(True)
        self.title.setFont(font)
        self.gauge.font_size = size - 1
        self.gauge.setMinimumHeight(int(54 * (1.4 if on else 1.0)))
        self.gauge.update()
