"""How the network is trained: optimizer and its hyperparameters, learning rate, epochs,
batch mode, L1/L2, schedule, clipping, weight seed, and the pace of the animation."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QWidget

from core.nn.train_config import MODES
from core.optim.optimizers import OPTIMIZERS, optimizer_names
from core.optim.schedules import CLIP_MODES, SCHEDULES, ClipSpec, ScheduleSpec
from gui.network.panels.fields import (
    check,
    choice,
    float_box,
    int_box,
    rate_box,
    select,
    set_quietly,
)
from gui.widgets.spin_boxes import ScientificSpinBox

MAX_EPOCHS = 10**7  # TrainConfig.validate: epochs in [1, 10**7]
MAX_BATCH = 10**6  # TrainConfig.validate: batch_size in [1, 10**6]
MAX_SEED = 2**31 - 1
BATCH_MODES = (
    ("full batch", "batch"),
    ("mini-batch of B", "minibatch"),
    ("stochastic", "stochastic"),
)


class TrainingPanel(QWidget):
    """``changed`` on an edit that needs a new run; ``speed_changed`` on the pace."""

    changed = Signal()
    speed_changed = Signal(object)  # steps per second, or None for flat out

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        assert tuple(m for _, m in BATCH_MODES) == MODES
        self.optimizer = choice(optimizer_names(), "net_optimizer")
        self.lr = rate_box(1e-6, 100.0, 0.1, "net_lr")
        self.epochs = int_box(1, MAX_EPOCHS, 100, "epochs", step=10)
        self.mode = choice(BATCH_MODES, "net_batch")
        self.batch_size = int_box(1, MAX_BATCH, 32, "net_batch_size")
        self.l1 = float_box(0.0, 10.0, 0.0, "l1", step=0.001, decimals=4)
        self.l2 = float_box(0.0, 10.0, 0.0, "l2", step=0.001, decimals=4)
        self.schedule = choice(SCHEDULES, "schedule")
        self.gamma = float_box(0.01, 1.0, 0.5, "gamma", step=0.05)
        self.step_size = int_box(1, 10**6, 100, "step_size")
        self.t_max = int_box(2, 10**7, 1000, "t_max", step=100)
        self.clip = choice(CLIP_MODES, "clip")
        self.clip_threshold = float_box(1e-3, 1e6, 1.0, "clip_threshold", step=0.5)
        self.seed = int_box(0, MAX_SEED, 0, "weight_seed")
        self.speed = float_box(0.1, 100_000.0, 1.0, "net_speed", step=0.5, decimals=1)
        self.speed.setSuffix(" steps/s")
        self.flat_out = check("flat out", "net_flat_out")
        self.hyper: dict[str, ScientificSpinBox] = {}
        self.hyper_form = QFormLayout()
        self._build()
        self._rebuild_hyper({})

    def _build(self) -> None:
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("optimizer", self.optimizer)
        form.addRow("learning rate", self.lr)
        form.addRow(self.hyper_form)
        form.addRow("epochs", self.epochs)
        form.addRow("batch", self.mode)
        form.addRow("batch size B", self.batch_size)
        form.addRow("L1", self.l1)
        form.addRow("L2", self.l2)
        form.addRow("schedule", self.schedule)
        form.addRow("gamma", self.gamma)
        form.addRow("step size", self.step_size)
        form.addRow("t max", self.t_max)
        form.addRow("clip", self.clip)
        form.addRow("clip at", self.clip_threshold)
        form.addRow("weight seed", self.seed)
        speed = QHBoxLayout()
        speed.addWidget(self.speed, 1)
        speed.addWidget(self.flat_out)
        form.addRow("speed", speed)
        self.optimizer.currentIndexChanged.connect(self._on_optimizer)
        for box in (self.mode, self.schedule, self.clip):
            box.currentIndexChanged.connect(lambda _i: self._on_changed())
        for box in (self.lr, self.epochs, self.batch_size, self.l1, self.l2, self.gamma):
            box.valueChanged.connect(lambda _v: self._on_changed())
        for box in (self.step_size, self.t_max, self.clip_threshold, self.seed):
            box.valueChanged.connect(lambda _v: self._on_changed())
        self.speed.valueChanged.connect(lambda _v: self.speed_changed.emit(self.speed_value()))
        self.flat_out.toggled.connect(self._on_flat_out)
        self._enable()

    def _on_changed(self) -> None:
        self._enable()
        self.changed.emit()

    def _enable(self) -> None:
        self.batch_size.setEnabled(self.mode.currentData() == "minibatch")
        kind = self.schedule.currentData()
        self.gamma.setEnabled(kind in ("step", "exponential"))
        self.step_size.setEnabled(kind == "step")
        self.t_max.setEnabled(kind in ("cosine", "warmup_cosine"))
        self.clip_threshold.setEnabled(self.clip.currentData() != "none")

    def _rebuild_hyper(self, values: dict) -> None:
        while self.hyper_form.rowCount():
            self.hyper_form.removeRow(0)
        self.hyper = {}
        defaults = OPTIMIZERS[self.optimizer.currentData()].defaults
        for name, default in defaults.items():
            if name == "lr":
                continue
            box = ScientificSpinBox(0.0, 1000.0, float(values.get(name, default)), name)
            box.valueChanged.connect(lambda _v: self.changed.emit())
            self.hyper_form.addRow(name.replace("_", " "), box)
            self.hyper[name] = box

    def _on_optimizer(self, _index: int) -> None:
        self._rebuild_hyper({})
        self.changed.emit()

    def _on_flat_out(self, on: bool) -> None:
        self.speed.setEnabled(not on)
        self.speed_changed.emit(self.speed_value())

    def speed_value(self) -> float | None:
        return None if self.flat_out.isChecked() else self.speed.value()

    # -- config fields ---------------------------------------------------------------
    def fields(self) -> dict:
        """The TrainConfig fields this panel edits (ValueError from a bad schedule)."""
        defaults = OPTIMIZERS[self.optimizer.currentData()].defaults
        hyper = tuple(
            (n, box.value()) for n, box in self.hyper.items() if box.value() != defaults[n]
        )
        kind = self.schedule.currentData()
        t_max = self.t_max.value()
        schedule = ScheduleSpec(
            kind, self.step_size.value(), self.gamma.value(), t_max, max(1, min(50, t_max // 10))
        )
        return {
            "optimizer": self.optimizer.currentData(),
            "hyper": hyper,
            "lr": self.lr.value(),
            "epochs": self.epochs.value(),
            "mode": self.mode.currentData(),
            "batch_size": self.batch_size.value(),
            "l1": self.l1.value(),
            "l2": self.l2.value(),
            "schedule": schedule,
            "clip": ClipSpec(self.clip.currentData(), self.clip_threshold.value()),
            "weight_seed": self.seed.value(),
        }

    def set_fields(self, config) -> None:
        """Show a config's training fields (no signal)."""
        select(self.optimizer, config.optimizer)
        self._rebuild_hyper(dict(config.hyper))
        for name, value in (("lr", config.lr), ("epochs", config.epochs)):
            set_quietly(getattr(self, name), value)
        select(self.mode, config.mode)
        set_quietly(self.batch_size, config.batch_size)
        set_quietly(self.l1, config.l1)
        set_quietly(self.l2, config.l2)
        s = config.schedule
        select(self.schedule, s.kind)
        for box, value in ((self.gamma, s.gamma), (self.step_size, s.step_size)):
            set_quietly(box, value)
        set_quietly(self.t_max, max(s.t_max, 2))
        select(self.clip, config.clip.mode)
        set_quietly(self.clip_threshold, config.clip.threshold)
        set_quietly(self.seed, min(config.weight_seeds, MAX_SEED))
        self._enable()

    def set_speed(self, steps_per_second: float | None) -> None:
        set_quietly(self.flat_out, steps_per_second is None)
        self.speed.setEnabled(steps_per_second is not None)
        if steps_per_second is not None:
            set_quietly(self.speed, steps_per_second)
