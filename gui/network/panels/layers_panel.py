"""The network's shape: hidden layers (add, remove, units, activation each or one for all),
output function and loss, initialization, batch norm and dropout."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from core.nn.activations import HIDDEN_ACTIVATIONS, INITS, OUTPUT_ACTIVATIONS
from core.nn.losses import LOSSES
from core.nn.network_size import MAX_LAYERS
from gui.network.panels.fields import check, choice, float_box, int_box, select, set_quietly
from gui.network.tooltips import tip

MAX_UNITS = 512  # per hidden layer in the window (core limits the parameter count)
MAX_DROPOUT = 0.95  # core: dropout in [0, 1)


class LayersPanel(QWidget):
    """``changed`` fires on every edit (an architecture edit restarts the run)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.activation_all = choice(HIDDEN_ACTIVATIONS, "activation_all")
        self.add_button = QPushButton("+ layer")
        self.add_button.setToolTip(tip("add_layer"))
        self.remove_button = QPushButton("− layer")
        self.remove_button.setToolTip(tip("remove_layer"))
        self.output = choice(OUTPUT_ACTIVATIONS, "output")
        self.loss = choice(LOSSES, "loss")
        self.init = choice(INITS, "init")
        self.batch_norm = check("batch norm", "batch_norm")
        self.dropout = float_box(0.0, MAX_DROPOUT, 0.0, "dropout", step=0.05, decimals=2)
        self.rows: list[tuple] = []
        self.rows_box = QVBoxLayout()
        self.rows_box.setContentsMargins(0, 0, 0, 0)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("all hidden", self.activation_all)
        form.addRow(self.rows_box)
        form.addRow(buttons)
        form.addRow("output", self.output)
        form.addRow("loss", self.loss)
        form.addRow("init", self.init)
        form.addRow("dropout", self.dropout)
        form.addRow(self.batch_norm)
        self.add_button.clicked.connect(self._add_clicked)
        self.remove_button.clicked.connect(self._remove_clicked)
        self.activation_all.currentIndexChanged.connect(self._on_activation_all)
        for box in (self.output, self.loss, self.init):
            box.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.dropout.valueChanged.connect(lambda _v: self.changed.emit())
        self.batch_norm.toggled.connect(lambda _v: self.changed.emit())
        self.set_hidden([8, 8], "tanh")

    # -- hidden layers ---------------------------------------------------------------
    def hidden(self) -> list[int]:
        return [units.value() for units, _, _ in self.rows]

    def activations(self) -> str | tuple[str, ...]:
        """One name when every hidden layer uses it, else one per layer."""
        names = tuple(box.currentData() for _, box, _ in self.rows)
        return names[0] if len(set(names)) == 1 else names

    def set_hidden(self, units: list[int], activation) -> None:
        """Show hidden layers ``units`` with ``activation`` (a name or one per layer)."""
        while self.rows:
            self._pop_row()
        names = [activation] * len(units) if isinstance(activation, str) else list(activation)
        for n, name in zip(units, names):
            self._push_row(n, name)
        common = names[0] if names and len(set(names)) == 1 else None
        if common:
            select(self.activation_all, common)
        self._update_buttons()

    def _push_row(self, n: int, activation: str) -> None:
        units = int_box(1, MAX_UNITS, n, "hidden_units")
        box = choice(HIDDEN_ACTIVATIONS, "activation_layer")
        select(box, activation)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(units)
        line.addWidget(box, 1)
        units.valueChanged.connect(lambda _v: self.changed.emit())
        box.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.rows_box.addWidget(row)
        self.rows.append((units, box, row))

    def _pop_row(self) -> None:
        _, _, row = self.rows.pop()
        self.rows_box.removeWidget(row)
        row.hide()
        row.setParent(None)
        row.deleteLater()

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(len(self.rows) < MAX_LAYERS - 2)
        self.remove_button.setEnabled(len(self.rows) > 0)

    def _add_clicked(self) -> None:
        last = self.rows[-1] if self.rows else None
        n = last[0].value() if last else 4
        name = last[1].currentData() if last else self.activation_all.currentData()
        self._push_row(n, name)
        self._update_buttons()
        self.changed.emit()

    def _remove_clicked(self) -> None:
        if self.rows:
            self._pop_row()
            self._update_buttons()
            self.changed.emit()

    def _on_activation_all(self, _index: int) -> None:
        for _, box, _ in self.rows:
            select(box, self.activation_all.currentData())
        self.changed.emit()

    # -- the rest ------------------------------------------------------------------------
    def set_fields(self, output: str, loss: str, init: str, dropout: float, bn: bool) -> None:
        select(self.output, output)
        select(self.loss, loss)
        select(self.init, init)
        set_quietly(self.dropout, dropout)
        set_quietly(self.batch_norm, bn)
