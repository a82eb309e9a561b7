"""The optimizer race: one row per optimizer, each with its own hyperparameters."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.descent.engine import OptimizerSpec
from core.descent.limits import LIMITS
from core.optim.optimizers import OPTIMIZERS
from gui.shell.tooltips import tip
from gui.widgets.spin_boxes import ScientificSpinBox, float_spin

MAX_OPTIMIZERS = 8
FLAGS = ("nesterov", "amsgrad", "centered")
# (minimum, maximum, step) of the spin box for each hyperparameter
# Hyperparameters whose useful values span decades: shown as %g, never rounded away.
SCIENTIFIC = ("eps", "weight_decay", "lr_decay", "initial_accumulator_value", "momentum_decay")
# Spin-box step per hyperparameter; the ranges are core's (core.descent.limits.LIMITS).
STEPS: dict[str, float] = {
    "momentum": 0.05,
    "dampening": 0.05,
    "weight_decay": 0.01,
    "alpha": 0.01,
    "beta1": 0.01,
    "beta2": 0.001,
    "rho": 0.01,
    "lr_decay": 0.01,
    "initial_accumulator_value": 0.1,
    "momentum_decay": 0.001,
}
# Per-optimizer batch choices on the linreg surface: (text, OptimizerSpec.batch)
BATCH_CHOICES = (
    ("batch: as under Runs", None),
    ("batch: full", 0),
    ("batch: mini (8)", 8),
    ("batch: mini (16)", 16),
    ("batch: stochastic", 1),
)
SHORT_NAMES = {"initial_accumulator_value": "initial acc.", "weight_decay": "weight decay"}


class OptimizerRow(QFrame):
    """One optimizer: its name and a spin box (or tick box) per hyperparameter."""

    changed = Signal()
    remove_requested = Signal(object)

    def __init__(self, spec: OptimizerSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name_combo = QComboBox()
        self.name_combo.addItems(list(OPTIMIZERS))
        self.name_combo.setToolTip(tip("optimizer"))
        self.remove_button = QToolButton(text="✕")
        self.remove_button.setToolTip(tip("remove_optimizer"))
        self.remove_button.clicked.connect(lambda: self.remove_requested.emit(self))
        self.batch_combo = QComboBox()
        for text, value in BATCH_CHOICES:
            self.batch_combo.addItem(text, value)
        self.batch_combo.setToolTip(tip("optimizer_batch"))
        self.batch_combo.setVisible(False)
        self.batch_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        header = QHBoxLayout()
        header.addWidget(self.name_combo, 1)
        header.addWidget(self.batch_combo)
        header.addWidget(self.remove_button)
        self._grid = QGridLayout()
        self._grid.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(header)
        layout.addLayout(self._grid)
        self._fields: dict[str, QWidget] = {}
        self.set_spec(spec)
        self.name_combo.currentTextChanged.connect(self._on_name_changed)

    def set_spec(self, spec: OptimizerSpec) -> None:
        self.label = spec.label  # a preset's own legend label, kept until the name changes
        self.name_combo.blockSignals(True)
        self.name_combo.setCurrentText(spec.name)
        self.name_combo.blockSignals(False)
        self._set_batch(spec.batch)
        self._build_fields(spec.name, dict(spec.hyper))

    def _set_batch(self, batch: int | None) -> None:
        index = self.batch_combo.findData(batch)
        if index < 0:  # a size from a preset or session that the menu does not list
            self.batch_combo.addItem(f"batch: mini ({batch})", batch)
            index = self.batch_combo.count() - 1
        self.batch_combo.blockSignals(True)
        self.batch_combo.setCurrentIndex(index)
        self.batch_combo.blockSignals(False)

    def _build_fields(self, name: str, values: dict[str, float]) -> None:
        while self._grid.count():
            self._grid.takeAt(0).widget().deleteLater()
        self._fields = {}
        defaults = OPTIMIZERS[name].defaults
        for i, (field, default) in enumerate(defaults.items()):
            value = float(values.get(field, default))
            widget = self._make_field(field, value)
            self._fields[field] = widget
            row, col = divmod(i, 2)
            if isinstance(widget, QCheckBox):
                self._grid.addWidget(widget, row, 2 * col, 1, 2)
            else:
                label = QLabel(SHORT_NAMES.get(field, field.replace("_", " ")))
                label.setToolTip(tip(field))
                self._grid.addWidget(label, row, 2 * col)
                self._grid.addWidget(widget, row, 2 * col + 1)

    def _make_field(self, field: str, value: float) -> QWidget:
        if field in FLAGS:
            box = QCheckBox(field)
            box.setChecked(bool(value))
            box.setToolTip(tip(field))
            box.toggled.connect(lambda _on: self.changed.emit())
            return box
        limit = LIMITS[f"hyper.{field}"]
        if field in SCIENTIFIC:  # small values (1e-5) must not round to 0.0000
            spin = ScientificSpinBox(limit.low, limit.high, value, field)
        else:
            spin = float_spin(limit.low, limit.high, value, field, step=STEPS[field], decimals=4)
        spin.valueChanged.connect(lambda _v: self.changed.emit())
        return spin

    def _on_name_changed(self, name: str) -> None:
        self.label = ""
        self._build_fields(name, {})
        self.changed.emit()

    def spec(self) -> OptimizerSpec:
        """The row as an `OptimizerSpec` (only non-default hyperparameters listed)."""
        name = self.name_combo.currentText()
        defaults = OPTIMIZERS[name].defaults
        hyper = []
        for field, widget in self._fields.items():
            value = float(widget.isChecked()) if isinstance(widget, QCheckBox) else widget.value()
            if value != defaults[field]:
                hyper.append((field, value))
        return OptimizerSpec(name, tuple(hyper), self.label, self.batch_combo.currentData())


class OptimizerEditor(QWidget):
    """A list of `OptimizerRow`; ``changed`` fires when the valid race changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[OptimizerRow] = []
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self.add_button = QPushButton("+ Add optimizer")
        self.add_button.setToolTip(tip("add_optimizer"))
        self.add_button.clicked.connect(self._add_clicked)
        self.error = QLabel()
        self.error.setObjectName("inlineError")
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._rows_layout)
        layout.addWidget(self.error)
        layout.addWidget(self.add_button)
        self._batch_visible = False
        self._last_good: tuple[OptimizerSpec, ...] = (OptimizerSpec("gd"),)
        self.set_specs(self._last_good)

    def set_specs(self, specs: tuple[OptimizerSpec, ...]) -> None:
        """Show ``specs`` (no ``changed`` signal)."""
        for row in self._rows:
            row.setParent(None)
            row.deleteLater()
        self._rows = []
        for spec in specs:
            self._append_row(spec)
        self._last_good = tuple(specs)
        self._set_error("")
        self._update_buttons()

    def _append_row(self, spec: OptimizerSpec) -> None:
        row = OptimizerRow(spec)
        row.batch_combo.setVisible(self._batch_visible)
        row.changed.connect(self._on_row_changed)
        row.remove_requested.connect(self._remove_row)
        self._rows.append(row)
        self._rows_layout.addWidget(row)

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(len(self._rows) < MAX_OPTIMIZERS)
        for row in self._rows:
            row.remove_button.setEnabled(len(self._rows) > 1)

    def _add_clicked(self) -> None:
        used = {row.name_combo.currentText() for row in self._rows}
        name = next((n for n in ("momentum", "adam", "rmsprop", "nesterov") if n not in used), "gd")
        self._append_row(OptimizerSpec(name))
        self._update_buttons()
        self._on_row_changed()

    def _remove_row(self, row: OptimizerRow) -> None:
        if len(self._rows) > 1:
            self._rows.remove(row)
            row.setParent(None)
            row.deleteLater()
            self._update_buttons()
            self._on_row_changed()

    def _set_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def _on_row_changed(self) -> None:
        try:
            specs = self._collect()
        except ValueError as exc:
            self._set_error(f"{exc} (the race keeps its last valid settings)")
            return
        self._set_error("")
        if specs != self._last_good:
            self._last_good = specs
            self.changed.emit()

    def _collect(self) -> tuple[OptimizerSpec, ...]:
        specs = [row.spec() for row in self._rows]
        names = [s.name for s in specs]
        labelled = []
        for spec in specs:
            label = spec.label
            if (
                not label and names.count(spec.name) > 1
            ):  # two of a kind: tell them apart in the legend
                detail = ", ".join(f"{k}={v:g}" for k, v in spec.hyper) or "defaults"
                label = f"{spec.name} ({detail})"
            labelled.append(OptimizerSpec(spec.name, spec.hyper, label, spec.batch))
        return tuple(labelled)

    def specs(self) -> tuple[OptimizerSpec, ...]:
        """The last valid race."""
        return self._last_good

    def set_batch_visible(self, visible: bool) -> None:
        """Per-optimizer batch sizes only mean something on the linreg surface."""
        self._batch_visible = visible
        for row in self._rows:
            row.batch_combo.setVisible(visible)
