"""Which data the network learns: a generated set (size, noise, split, seed) or a CSV file."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QFormLayout, QLabel, QPushButton, QWidget

from core.nn.csv_spec import csv_data_spec
from core.nn.data_spec import ARRAYS, DataSpec
from core.nn.datasets import DATASETS, MAX_ROWS, MIN_ROWS
from gui.network.panels.fields import choice, float_box, int_box, select, set_quietly
from gui.network.tooltips import tip

MAX_TEST_FRACTION = 0.9  # core.nn.datasets.split_dataset: test_fraction in (0, 0.9]
MAX_NOISE = 10.0  # core.nn.datasets.make_dataset: noise in [0, 10]
MAX_SEED = 2**31 - 1  # a Qt spin box holds a 32-bit int (core allows up to 2**63 - 1)


class DataPanel(QWidget):
    """``changed`` fires on an edit; ``failed(str)`` when a CSV file is refused."""

    changed = Signal()
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dataset = choice([*DATASETS, ("hand-made / CSV", ARRAYS)], "dataset")
        self.n = int_box(MIN_ROWS, MAX_ROWS, 200, "n_samples", step=50)
        self.noise = float_box(0.0, MAX_NOISE, 0.1, "data_noise", step=0.05)
        self.test_fraction = float_box(0.05, MAX_TEST_FRACTION, 0.25, "test_fraction")
        self.seed = int_box(0, MAX_SEED, 0, "data_seed")
        self.csv_button = QPushButton("Import CSV…")
        self.csv_button.setToolTip(tip("csv"))
        self.source = QLabel("")
        self.source.setWordWrap(True)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("data set", self.dataset)
        form.addRow("points", self.n)
        form.addRow("noise", self.noise)
        form.addRow("test share", self.test_fraction)
        form.addRow("data seed", self.seed)
        form.addRow(self.csv_button, self.source)
        self._arrays: DataSpec | None = None
        self.dataset.currentIndexChanged.connect(self._on_dataset)
        for box in (self.n, self.noise, self.test_fraction, self.seed):
            box.valueChanged.connect(lambda _v: self.changed.emit())
        self.csv_button.clicked.connect(self._ask_csv)

    def spec(self) -> DataSpec:
        """The data set on screen (ValueError when the values do not make one)."""
        name = self.dataset.currentData()
        if name == ARRAYS:
            if self._arrays is None:
                raise ValueError("dataset: import a CSV file or choose a generated set")
            return self._arrays
        return DataSpec(
            name=name,
            n=self.n.value(),
            noise=self.noise.value(),
            test_fraction=self.test_fraction.value(),
        )

    def data_seed(self) -> int:
        return self.seed.value()

    def set_spec(self, spec: DataSpec, seed: int) -> None:
        """Show a data set (no signal)."""
        if spec.is_arrays:
            self._arrays = spec
            self.source.setText(f"hand-made: {len(spec.X)} training points")
        else:
            set_quietly(self.n, spec.n)
            noise = DATASETS[spec.name][2] if spec.noise is None else spec.noise
            set_quietly(self.noise, noise)
            set_quietly(self.test_fraction, spec.test_fraction)
        select(self.dataset, spec.name)
        set_quietly(self.seed, min(seed, MAX_SEED))
        self._enable(spec.is_arrays)

    def _enable(self, arrays: bool) -> None:
        for box in (self.n, self.noise, self.test_fraction):
            box.setEnabled(not arrays)

    def _on_dataset(self, _index: int) -> None:
        name = self.dataset.currentData()
        if name != ARRAYS:
            set_quietly(self.noise, DATASETS[name][2])
        self._enable(name == ARRAYS)
        self.changed.emit()

    def _ask_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import points", "", "CSV (*.csv)")
        if path:
            self.import_csv(path)

    def import_csv(self, path: str) -> bool:
        """Train on the points of a CSV file; False (and ``failed``) if it is refused."""
        try:
            spec = csv_data_spec(path, self.test_fraction.value(), self.seed.value())
        except ValueError as exc:
            self.failed.emit(f"Cannot use this file: {exc}")
            return False
        self._arrays = spec
        classes = len(set(spec.y)) if spec.task == "classification" else 0
        kind = f"{classes} classes" if classes else "regression"
        self.source.setText(f"{path.split('/')[-1]}: {len(spec.X)} training points, {kind}")
        select(self.dataset, ARRAYS)
        self._enable(True)
        self.changed.emit()
        return True
