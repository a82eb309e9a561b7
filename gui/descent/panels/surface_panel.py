"""Choose the loss landscape: a built-in surface (with its parameters) or a typed formula."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from core.surfaces.surface import expression_surface, get_surface, surface_names
from gui.shell.tooltips import tip
from gui.widgets.spin_boxes import float_spin, int_spin

EXPR = "expr"
DEFAULT_FORMULA = "x**2 + 3*y**2"
PARAM_TIPS = {
    "condition": "condition",
    "n": "linreg_n",
    "noise": "linreg_noise",
    "seed": "linreg_seed",
}
PARAM_LABELS = {
    "condition": "Condition",
    "n": "Data points",
    "noise": "Data noise",
    "seed": "Data seed",
}


class SurfacePanel(QWidget):
    """Surface chooser; ``changed`` fires when the chosen (valid) surface changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._last_good_formula = DEFAULT_FORMULA
        self.combo = QComboBox()
        self.combo.setToolTip(tip("surface"))
        for name in surface_names():
            self.combo.addItem(get_surface(name).display_name, name)
        self.combo.addItem("Your formula…", EXPR)
        self.formula = QLineEdit(DEFAULT_FORMULA)
        self.formula.setToolTip(tip("formula"))
        self.formula.setPlaceholderText("a formula in x and y, e.g. x**2 + 3*y**2")
        self.formula_error = QLabel()
        self.formula_error.setObjectName("inlineError")
        self.formula_error.setWordWrap(True)
        self.formula_error.hide()
        self.description = QLabel()
        self.description.setObjectName("inlineNote")
        self.description.setWordWrap(True)
        self._param_form = QFormLayout()
        self._param_widgets: dict[str, QWidget] = {}
        self._build_layout()
        self._formula_timer = QTimer(self, singleShot=True, interval=350)
        self._formula_timer.timeout.connect(self._check_formula)
        self.formula.textEdited.connect(lambda _text: self._formula_timer.start())
        self.formula.returnPressed.connect(self._check_formula)
        self.combo.currentIndexChanged.connect(self._on_surface_chosen)
        self._build_params(self.surface_name, {})
        self._show_rows()

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.description)
        layout.addWidget(self.formula)
        layout.addWidget(self.formula_error)
        layout.addLayout(self._param_form)

    def _build_params(self, name: str, values: dict[str, float]) -> None:
        """One bounded spin box per parameter of the surface (bowl condition, linreg data)."""
        while self._param_form.rowCount():
            self._param_form.removeRow(0)
        self._param_widgets = {}
        if name == EXPR:
            return
        for spec in get_surface(name).parameters:
            key = PARAM_TIPS.get(spec.name)
            value = values.get(spec.name, spec.default)
            if spec.integer:
                box = int_spin(int(spec.low), int(min(spec.high, 2**31 - 1)), int(value), "seed")
            else:
                box = float_spin(spec.low, spec.high, float(value), "seed", step=0.1, decimals=2)
            box.setToolTip(tip(key) if key else spec.help)
            box.valueChanged.connect(lambda _v: self.changed.emit())
            self._param_widgets[spec.name] = box
            self._param_form.addRow(PARAM_LABELS.get(spec.name, spec.name), box)

    # -- state ---------------------------------------------------------------------
    @property
    def surface_name(self) -> str:
        return self.combo.currentData()

    @property
    def formula_text(self) -> str:
        """The last formula that parsed (what the runs use)."""
        return self._last_good_formula

    def fields(self) -> dict:
        """``surface``, ``expr`` and ``surface_params`` for a `DescentConfig`."""
        name = self.surface_name
        params = tuple((key, box.value()) for key, box in self._param_widgets.items())
        expr = self._last_good_formula if name == EXPR else ""
        return {"surface": name, "expr": expr, "surface_params": params}

    def set_fields(self, surface: str, expr: str, surface_params) -> None:
        """Show a configuration's surface (no ``changed`` signal)."""
        index = self.combo.findData(surface)
        if index < 0:
            raise ValueError(f"surface {surface!r} is not one of {', '.join(surface_names())}")
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        if surface == EXPR:
            self._last_good_formula = expr
            self.formula.setText(expr)
            self._set_error("")
        self._build_params(surface, dict(surface_params))
        self._show_rows()

    # -- reactions -----------------------------------------------------------------
    def _show_rows(self) -> None:
        name = self.surface_name
        self.formula.setVisible(name == EXPR)
        self.formula_error.setVisible(name == EXPR and bool(self.formula_error.text()))
        if name == EXPR:
            self.description.setText("Your own loss; x and y are the two parameters.")
        else:
            self.description.setText(get_surface(name).description)

    def _on_surface_chosen(self) -> None:
        self._build_params(self.surface_name, {})
        self._show_rows()
        self.changed.emit()

    def _set_error(self, message: str) -> None:
        self.formula_error.setText(message)
        self.formula_error.setVisible(bool(message))

    def _check_formula(self) -> None:
        """Parse the typed formula; keep the last good one when it does not parse."""
        self._formula_timer.stop()
        text = self.formula.text().strip()
        try:
            expression_surface(text)
        except ValueError as exc:
            self._set_error(f"{exc} (still showing: {self._last_good_formula})")
            return
        self._set_error("")
        if text != self._last_good_formula:
            self._last_good_formula = text
            if self.surface_name == EXPR:
                self.changed.emit()
