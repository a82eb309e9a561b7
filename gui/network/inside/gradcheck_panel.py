"""The gradient-check tab beside the diagram: a button, the verdict, a layer x (W, b) table.

`GradientCheckPanel` only shows what core's `FrameGradCheck` says (verdicts, relative
errors, the one-line summary and the note on what was checked) and asks for a check
through `check_clicked`; `gui.network.inside.gradcheck.GradientCheck` decides.
`install_gradient_check` adds the tab to a network space and wires it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from core.nn.gradcheck_frame import FAIL_ABOVE, PASS_BELOW, FrameGradCheck
from gui.network.inside.gradcheck import GradientCheck
from gui.shell import theme

IDLE_TEXT = "Press Check gradients to compare backprop with finite differences at this step."
BUTTON_TIP = (
    "Recomputes every gradient a second way, by nudging one parameter at a time by ±ε and "
    "watching the loss, and compares the two on the shown step's batch: if backprop's "
    "chain rule were wrong anywhere, the two would disagree there."
)
TABLE_TIP = (
    f"Relative error |g_backprop − g_numeric| / (|g_backprop| + |g_numeric|) per array: "
    f"green at or below {PASS_BELOW:.0e} (they agree), amber up to {FAIL_ABOVE:.0e}, "
    f"red above (a formula is wrong)."
)
ROUNDING_TEXT = "(within rounding)"  # a ratio of two differences both at rounding level


def verdict_color(verdict: str) -> QtGui.QColor:
    """Green, amber or red for pass, suspicious or fail, readable on both themes."""
    current = theme.current()
    green = "#66bb6a" if current.name == "dark" else "#2e7d32"
    return QtGui.QColor({"pass": green, "suspicious": current.warning}.get(verdict, current.error))


class GradientCheckPanel(QtWidgets.QWidget):
    """Button, busy line, verdict line, the table, a stale line and the note."""

    check_clicked = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("gradient-check")
        self._available = self._busy = False
        self.button = QtWidgets.QPushButton("Check gradients")
        self.button.setToolTip(BUTTON_TIP)
        self.button.clicked.connect(self.check_clicked)
        self.busy_label = QtWidgets.QLabel("")
        self.busy_label.setObjectName("inlineNote")
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.button)
        row.addWidget(self.busy_label, 1)
        self.verdict = QtWidgets.QLabel(IDLE_TEXT)
        self.verdict.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, 2)
        self.table.setToolTip(TABLE_TIP)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.stale = QtWidgets.QLabel("")
        self.stale.setObjectName("inlineNote")
        self.stale.setWordWrap(True)
        self.note = QtWidgets.QLabel("")
        self.note.setObjectName("inlineNote")
        self.note.setWordWrap(True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(row)
        for widget, stretch in ((self.verdict, 0), (self.table, 1), (self.stale, 0)):
            layout.addWidget(widget, stretch)
        layout.addWidget(self.note)

    # -- GradientCheckView ---------------------------------------------------------------
    def set_available(self, on: bool) -> None:
        self._available = on
        self.button.setEnabled(on and not self._busy)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.button.setEnabled(self._available and not busy)
        self.busy_label.setText("checking: one loss evaluation per nudge…" if busy else "")

    def show_check(self, check: FrameGradCheck, layers: tuple[int, ...]) -> None:
        self.verdict.setText(check.summary)
        self.verdict.setStyleSheet(f"color: {verdict_color(check.verdict).name()};")
        norm = any(name.startswith("γ") for name in check.names)
        headers = ["W", "b", "γ (batch norm)", "β (batch norm)"] if norm else ["W", "b"]
        rows = check.layer_rows()
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(rows))
        labels = [f"layer {k + 1} ({layers[k]} → {layers[k + 1]})" for k in range(len(rows))]
        self.table.setVerticalHeaderLabels(labels)
        first_norm = 2 * len(rows)
        for k, (w, b) in enumerate(rows):
            cells = [w, b]
            if norm and k < len(rows) - 1:  # the output layer has no batch norm
                cells += [first_norm + 2 * k, first_norm + 2 * k + 1]
            for column, index in enumerate(cells):
                self.table.setItem(k, column, self._cell(check, index))
        self.note.setText(check.note)

    def show_stale(self, text: str) -> None:
        self.stale.setText(text)

    def show_error(self, message: str) -> None:
        self.busy_label.setText(message)

    # -- what the table holds ------------------------------------------------------------
    def _cell(self, check: FrameGradCheck, index: int) -> QtWidgets.QTableWidgetItem:
        verdict, relative = check.verdicts[index], float(check.relative[index])
        rounding = f" {ROUNDING_TEXT}" if check.tiny[index] else ""
        item = QtWidgets.QTableWidgetItem(f"{relative:.1e}  {verdict}{rounding}")
        item.setData(QtCore.Qt.ItemDataRole.UserRole, verdict)
        item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        color = verdict_color(verdict)
        item.setForeground(QtGui.QBrush(color))
        tint = QtGui.QColor(color)
        tint.setAlpha(40)
        item.setBackground(QtGui.QBrush(tint))
        item.setToolTip(f"{check.names[index]}: relative error {relative:.3e} ({verdict})")
        return item

    def verdict_of_cell(self, row: int, column: int) -> str | None:
        """The verdict a table cell shows (None: an empty cell)."""
        item = self.table.item(row, column)
        return None if item is None else item.data(QtCore.Qt.ItemDataRole.UserRole)


@dataclass(eq=False)
class GradientCheckPart:
    """The tab and its logic, as the network space keeps them."""

    panel: GradientCheckPanel
    check: GradientCheck
    export_view: tuple[str, QtWidgets.QWidget]

    def on_shown_changed(self) -> None:
        self.check.on_shown_changed()

    def close(self) -> None:
        self.check.close()

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: the theme has enlarged the table's font; its rows grow to
        fit it (and shrink back; the columns stretch over the tab already)."""
        self.panel.table.resizeRowsToContents()


def install_gradient_check(space: Any) -> GradientCheckPart:
    """The "gradient-check" tab beside the diagram of ``space`` (a `NetworkSpace`), wired
    to its controller (``listeners``, ``shown_run``) and background jobs."""
    panel = GradientCheckPanel()
    check = GradientCheck(panel, space.controller, space.jobs)
    panel.check_clicked.connect(check.request)
    panel.destroyed.connect(lambda *_: check.close())  # a late result finds no widget
    space.controller.listeners.append(check.on_shown_changed)
    space.widget.side.addTab(panel, "Gradient check")
    return GradientCheckPart(panel, check, ("gradient check", panel))
