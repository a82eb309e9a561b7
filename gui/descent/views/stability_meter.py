"""How large a step the local curvature allows: lambda_max, 2/lambda_max and a gauge.

On a quadratic with curvature ``lam`` along some direction, gradient descent multiplies
the distance to the minimum along it by ``(1 - lr * lam)`` each step: it creeps for
``lr < 1/lam``, zig-zags but converges for ``1/lam < lr < 2/lam`` and grows without limit
for ``lr > 2/lam``. Near any point a smooth surface looks like such a quadratic with
``lam`` up to the Hessian's largest eigenvalue, so ``2/lambda_max`` is the critical
learning rate here. Where ``lambda_max <= 0`` the surface does not curve upward in any
direction and no step is too large for the curvature.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from gui.shell import colors as palette
from gui.widgets.text_strip import TextStrip

SAFE_COLOR = (0, 158, 115)
ZIGZAG_COLOR = (230, 159, 0)
UNSTABLE_COLOR = palette.DIVERGED_COLOR


def critical_lr(lambda_max):
    """The largest stable learning rate of gradient descent, ``2 / lambda_max``.

    ``inf`` where ``lambda_max <= 0`` (or is not finite): no upward curvature, no limit.
    Works on scalars and arrays.
    """
    lam = np.asarray(lambda_max, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(np.isfinite(lam) & (lam > 0), 2.0 / lam, np.inf)
    return float(out) if out.ndim == 0 else out


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def stability_sentence(lr: float, lambda_max: float, diverged_at: int = -1) -> str:
    """One plain sentence on whether ``lr`` suits the curvature ``lambda_max`` here."""
    limit = critical_lr(lambda_max)
    if diverged_at >= 0:
        if np.isfinite(limit) and lr > limit:
            return (
                f"Diverged at step {diverged_at}: the learning rate {_fmt(lr)} is above "
                f"2/λmax = {_fmt(limit)}, so every step overshot further than the last."
            )
        return (
            f"Diverged at step {diverged_at}: the curvature along the way was steeper than "
            f"at the point where it stopped, or momentum made the steps longer than lr alone."
        )
    if not np.isfinite(limit):
        return (
            f"Here the surface curves downward or is flat (λmax = {_fmt(lambda_max)}): "
            "no step is too large for it, the path can only speed up."
        )
    if lr < limit / 2:
        return (
            f"Stable: the learning rate {_fmt(lr)} is below 1/λmax = {_fmt(limit / 2)}, "
            "so each step moves steadily downhill."
        )
    if lr < limit:
        return (
            f"Zig-zag: {_fmt(lr)} lies between 1/λmax and 2/λmax = {_fmt(limit)}, so each "
            "step overshoots the valley floor, but the swings shrink."
        )
    return (
        f"Too large here: {_fmt(lr)} is above 2/λmax = {_fmt(limit)}, so across the steepest "
        "direction each step overshoots more than the last: the run is thrown out to "
        "flatter ground, or blows up."
    )


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
        painter.setPen(QtGui.QColor(*palette.FOREGROUND))
        for decade in range(int(np.ceil(lo)), int(np.floor(hi)) + 1):
            x = x_of(10.0**decade)
            painter.drawLine(QtCore.QPointF(x, top + bar_h), QtCore.QPointF(x, top + bar_h + 4))
            painter.drawText(
                QtCore.QRectF(x - 40, top + bar_h + 4, 80, 16),
                QtCore.Qt.AlignmentFlag.AlignHCenter,
                f"{10.0**decade:g}",
            )
        if np.isfinite(self.lr) and self.lr > 0:
            x = x_of(self.lr)
            pen = QtGui.QPen(QtGui.QColor(*palette.FOREGROUND), 3)
            painter.setPen(pen)
            painter.drawLine(QtCore.QPointF(x, top - 4), QtCore.QPointF(x, top + bar_h + 4))
            tri = QtGui.QPolygonF(
                [
                    QtCore.QPointF(x - 6, top - 6),
                    QtCore.QPointF(x + 6, top - 6),
                    QtCore.QPointF(x, top + 2),
                ]
            )
            painter.setBrush(QtGui.QColor(*palette.FOREGROUND))
            painter.drawPolygon(tri)
        painter.end()


def values_text(lam: float, limit: float, rate: float) -> str:
    """The meter's line of numbers (rich text): lambda_max, 2/lambda_max and the lr."""
    limit_text = f"{limit:.3g}" if np.isfinite(limit) else "no limit"
    return (
        f"λ<sub>max</sub> = <b>{lam:.3g}</b> &nbsp; critical lr 2/λ<sub>max</sub> = "
        f"<b>{limit_text}</b> &nbsp; lr = <b>{rate:.3g}</b>"
    )


def _longest_texts() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Numbers line and sentences with the widest numbers: the meter reserves room for them
    so that its height does not change from frame to frame."""
    wide = -1.23e-100
    values = (values_text(wide, wide, wide),)
    sentences = tuple(
        stability_sentence(lr, lam, diverged_at)
        for lr, lam, diverged_at in (
            (1.23e-100, 1.23e100, 10**9),  # diverged above the limit
            (1.23e-100, -1.23e-100, 10**9),  # diverged below it
            (1.23e-100, -1.23e-100, -1),  # no limit
            (1.23e-100, 1.23e-100, -1),  # stable
            (1.23e-100, 1.23e100, -1),  # too large
        )
    )
    return values, sentences


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

    def set_run(self, index: int) -> None:
        """Which run the meter follows (the selected one; default the first)."""
        self.run_index = max(int(index), 0)

    def show_state(self, frame, lr=None) -> None:
        """Update for ``frame``; ``lr`` is the learning rate (scalar or per run; default:
        the rate of the step just taken, ``frame.lr``)."""
        lam_all = np.asarray(frame.lambda_max, float).reshape(-1)
        if lam_all.size == 0:
            return
        k = min(self.run_index, lam_all.size - 1)
        rates = np.asarray(frame.lr if lr is None else lr, float).reshape(-1)
        rate = float(rates[k] if rates.size > k else rates[0]) if rates.size else float("nan")
        if frame.step == 0 and lr is None:
            rate = float("nan")  # no step taken yet: frame.lr holds no rate
        lam = float(lam_all[k])
        limit = critical_lr(lam)
        diverged_at = int(np.asarray(frame.diverged_at).reshape(-1)[k])
        self.values.setText(values_text(lam, limit, rate))
        self.gauge.set_values(rate, limit)
        if np.isfinite(rate):
            self.sentence.setText(stability_sentence(rate, lam, diverged_at))

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
