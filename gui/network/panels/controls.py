"""The network workspace's dock: data, layers and training panels, the run shown, variants.

It edits a `TrainConfig` (with its `DataSpec`): ``config_changed(config)`` fires after an
edit that makes a valid one, ``failed(message)`` names the field when it does not. Fields
no control edits (starting weights, fixed biases, the traced sample) are kept from the
config last shown, except starting weights that no longer fit the layers.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QScrollArea, QVBoxLayout, QWidget

from core.nn.train_config import TrainConfig
from gui.network.panels.data_panel import DataPanel
from gui.network.panels.fields import check, choice
from gui.network.panels.layers_panel import LayersPanel
from gui.network.panels.training_panel import TrainingPanel
from gui.network.tooltips import tip

NO_VARIANTS = "This preset has no variants to compare: it trains one network."


def _group(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 4, 6, 4)
    layout.addWidget(widget)
    return box


def output_units(dataset, output: str) -> int:
    """Units the output layer needs for a data set: its targets, 1 for two classes with a
    sigmoid, else one per class."""
    if dataset.task == "regression":
        return dataset.n_outputs
    return 1 if dataset.n_classes == 2 and output != "softmax" else dataset.n_classes


class NetworkControls(QScrollArea):
    """Implements `gui.network.protocols.BuilderDisplay`."""

    config_changed = Signal(object)
    failed = Signal(str)
    speed_changed = Signal(object)
    run_selected = Signal(int)
    variants_toggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = DataPanel()
        self.layers = LayersPanel()
        self.training = TrainingPanel()
        self.shown_run = choice([], "shown_run")
        self.variants = check("compare the preset's variants", "variants")
        self.variants.setChecked(True)
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(4, 4, 4, 4)
        runs = QWidget()
        runs_layout = QVBoxLayout(runs)
        runs_layout.setContentsMargins(0, 0, 0, 0)
        runs_layout.addWidget(self.variants)
        runs_layout.addWidget(self.shown_run)
        column.addWidget(_group("Runs", runs))
        column.addWidget(_group("Data", self.data))
        column.addWidget(_group("Network", self.layers))
        column.addWidget(_group("Training", self.training))
        column.addStretch(1)
        self.setWidget(inner)
        self.setWidgetResizable(True)
        self.setMinimumWidth(300)
        self._base = TrainConfig()
        self.data.changed.connect(self._emit)
        self.layers.changed.connect(self._emit)
        self.training.changed.connect(self._emit)
        self.data.failed.connect(self.failed)
        self.training.speed_changed.connect(self.speed_changed)
        self.shown_run.currentIndexChanged.connect(self._on_run)
        self.variants.toggled.connect(self.variants_toggled)

    def config(self) -> TrainConfig:
        """The config on screen; ValueError naming the field when it is not a valid one."""
        spec = self.data.spec()
        seed = self.data.data_seed()
        dataset = spec.build(0 if spec.is_arrays else seed)
        output, loss = self.layers.output.currentData(), self.layers.loss.currentData()
        if dataset.task == "classification" and dataset.n_classes > 2:
            output, loss = "softmax", "cross_entropy"  # the only pair for several classes
        layers = (dataset.n_features, *self.layers.hidden(), output_units(dataset, output))
        base = self._base
        kept = {"initial_weights": None, "initial_biases": None}  # they fit one shape only
        if tuple(base.layers) == layers:
            kept = {"initial_weights": base.initial_weights, "initial_biases": base.initial_biases}
        activation = self.layers.activations() if len(layers) > 2 else base.activation
        config = dataclasses.replace(
            base,
            **kept,
            **self.training.fields(),
            layers=layers,
            activation=activation,
            output=output,
            loss=loss,
            init=self.layers.init.currentData(),
            dropout=self.layers.dropout.value(),
            batch_norm=self.layers.batch_norm.isChecked(),
            data=spec,
            data_seed=seed,
        )
        config.validate()
        return config

    def _emit(self) -> None:
        try:
            config = self.config()
        except ValueError as exc:
            self.failed.emit(f"Cannot train this: {exc}")
            return
        self._base = config
        self.config_changed.emit(config)

    def set_config(self, config: TrainConfig) -> None:
        """Show ``config`` (no signal)."""
        self._base = config
        self.data.set_spec(config.data, config.data_seeds)
        hidden = list(config.layers[1:-1])
        self.layers.set_hidden(hidden, config.activation)
        self.layers.set_fields(
            config.output, config.loss, config.init, config.dropout, config.batch_norm
        )
        self.training.set_fields(config)

    def set_has_variants(self, has: bool) -> None:
        """Enable "compare the preset's variants" only for a preset that has some; the
        check itself is kept, for the next preset that has them."""
        self.variants.setEnabled(has)
        self.variants.setToolTip(tip("variants") if has else NO_VARIANTS)

    def set_run_labels(self, labels: list[str]) -> None:
        self.shown_run.blockSignals(True)
        current = self.shown_run.currentIndex()
        self.shown_run.clear()
        for label in labels:
            self.shown_run.addItem(f"show run: {label}")
        self.shown_run.setCurrentIndex(min(max(current, 0), len(labels) - 1))
        self.shown_run.blockSignals(False)
        self.shown_run.setEnabled(len(labels) > 1)

    def _on_run(self, index: int) -> None:
        if index >= 0:
            self.run_selected.emit(index)
