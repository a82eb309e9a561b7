"""How the runs go: steps, start point(s), batch and noise, seeds, speed."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QWidget

from gui.descent.panels.limited_boxes import float_box, int_box
from gui.shell.tooltips import tip

BATCH_MODES = (("Full batch", "full"), ("Mini-batch", "mini"), ("Stochastic (1)", "single"))


class RunPanel(QWidget):
    """``changed`` fires on a change that needs a new run; ``speed_changed`` on the pace."""

    changed = Signal()
    start_edited = Signal()
    speed_changed = Signal(object)  # float steps per second, or None for flat out

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.steps = int_box("steps", 500, "steps", step=100)
        self.start_x = float_box("starts", 0.0, "start", step=0.1)
        self.start_y = float_box("starts", 0.0, "start", step=0.1)
        self.start_grid = int_box("view.start_grid", 0, "start_grid")
        self.batch_mode = QComboBox()
        for text, data in BATCH_MODES:
            self.batch_mode.addItem(text, data)
        self.batch_mode.setToolTip(tip("batch"))
        self.batch_size = int_box("batch", 8, "batch_size")
        self.noise = float_box("noise", 0.0, "noise", step=0.1)
        self.seeds = int_box("seeds", 1, "seeds")
        self.seed = int_box("seed", 0, "seed")
        self.speed = int_box("view.speed", 200, "speed", step=50)
        self.speed.setSuffix(" steps/s")
        self.flat_out = QCheckBox("flat out")
        self.flat_out.setToolTip(tip("flat_out"))
        self._build_layout()
        for box in (
            self.steps,
            self.start_grid,
            self.batch_size,
            self.noise,
            self.seeds,
            self.seed,
        ):
            box.valueChanged.connect(lambda _v: self.changed.emit())
        for box in (self.start_x, self.start_y):
            box.valueChanged.connect(lambda _v: self.start_edited.emit())
        self.batch_mode.currentIndexChanged.connect(self._on_batch_mode)
        self.speed.valueChanged.connect(lambda _v: self.speed_changed.emit(self.speed_value()))
        self.flat_out.toggled.connect(self._on_flat_out)
        self.set_linreg(False)

    def _build_layout(self) -> None:
        start = QHBoxLayout()
        start.addWidget(self.start_x)
        start.addWidget(self.start_y)
        speed = QHBoxLayout()
        speed.addWidget(self.speed, 1)
        speed.addWidget(self.flat_out)
        self._form = form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Steps", self.steps)
        form.addRow("Start (x, y)", start)
        form.addRow("Start grid n×n", self.start_grid)
        form.addRow("Batch", self.batch_mode)
        form.addRow("Batch size", self.batch_size)
        form.addRow("Gradient noise σ", self.noise)
        form.addRow("Seeds per run", self.seeds)
        form.addRow("Random seed", self.seed)
        form.addRow("Speed", speed)

    def set_linreg(self, linreg: bool) -> None:
        """Batch settings only mean something for the linear-regression surface."""
        self._form.setRowVisible(self.batch_mode, linreg)
        self._form.setRowVisible(
            self.batch_size, linreg and self.batch_mode.currentData() == "mini"
        )

    def _on_batch_mode(self) -> None:
        self.set_linreg(True)
        self.changed.emit()

    def _on_flat_out(self, on: bool) -> None:
        self.speed.setEnabled(not on)
        self.speed_changed.emit(self.speed_value())

    def speed_value(self) -> float | None:
        return None if self.flat_out.isChecked() else float(self.speed.value())

    def set_start(self, x: float, y: float) -> None:
        """Move the single start point (e.g. from a click in the landscape)."""
        for box, value in ((self.start_x, x), (self.start_y, y)):
            box.blockSignals(True)
            box.setValue(value)
            box.blockSignals(False)
        self.start_grid.blockSignals(True)
        self.start_grid.setValue(0)
        self.start_grid.blockSignals(False)
        self.start_edited.emit()

    def fields(self, linreg: bool) -> dict:
        """steps, batch, noise, seeds, seed for a `DescentConfig` (starts come separately)."""
        batch = None
        if linreg and self.batch_mode.currentData() == "mini":
            batch = self.batch_size.value()
        elif linreg and self.batch_mode.currentData() == "single":
            batch = 1
        return {
            "steps": self.steps.value(),
            "batch": batch,
            "noise": self.noise.value(),
            "seeds": self.seeds.value(),
            "seed": self.seed.value(),
        }

    def start_point(self) -> tuple[float, float]:
        return (self.start_x.value(), self.start_y.value())

    def set_fields(
        self, config, start: tuple[float, float], grid_n: int, speed: float | None
    ) -> None:
        """Show a configuration (no signals)."""
        widgets = (
            self.steps,
            self.start_x,
            self.start_y,
            self.start_grid,
            self.batch_mode,
            self.batch_size,
            self.noise,
            self.seeds,
            self.seed,
            self.speed,
            self.flat_out,
        )
        for w in widgets:
            w.blockSignals(True)
        try:
            self.steps.setValue(config.steps)
            self.start_x.setValue(start[0])
            self.start_y.setValue(start[1])
            self.start_grid.setValue(grid_n)
            mode = "full" if config.batch is None else ("single" if config.batch == 1 else "mini")
            self.batch_mode.setCurrentIndex(self.batch_mode.findData(mode))
            if config.batch is not None and config.batch > 1:
                self.batch_size.setValue(config.batch)
            self.noise.setValue(config.noise)
            self.seeds.setValue(config.seeds)
            self.seed.setValue(config.seed)
            self.flat_out.setChecked(speed is None)
            self.speed.setEnabled(speed is not None)
            if speed is not None:
                self.speed.setValue(round(speed))
        finally:
            for w in widgets:
                w.blockSignals(False)
