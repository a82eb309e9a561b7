"""The descent configuration: a frozen, self-validating, JSON-friendly dataclass."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field, fields

import numpy as np

from core.optim.optimizers import ClipSpec, ScheduleSpec, make_optimizer

MAX_RUNS = 20_000
MAX_STEPS = 10_000_000


@dataclass(frozen=True, slots=True)
class OptimizerSpec:
    """One optimizer of a race: a registered name, its hyperparameters and a legend label."""

    name: str
    hyper: tuple[tuple[str, float], ...] = ()
    label: str = ""
    batch: int | None = None  # linreg: None = the config's batch, 0 = full batch, B >= 1

    def __post_init__(self) -> None:
        hyper = tuple((str(k), float(v)) for k, v in dict(self.hyper).items())
        object.__setattr__(self, "hyper", hyper)
        make_optimizer(self.name, 1, **dict(hyper))  # raises ValueError naming the field
        if self.batch is not None:
            _integer("optimizer batch", self.batch, 0, 10**7)

    def batch_size(self, default: int | None) -> int | None:
        """This optimizer's mini-batch size: None for the full batch."""
        if self.batch is None:
            return default
        return self.batch or None

    @property
    def display_label(self) -> str:
        return self.label or self.name

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "hyper": dict(self.hyper),
            "label": self.label,
            "batch": self.batch,
        }


@dataclass(frozen=True, slots=True)
class DescentConfig:
    """Everything that defines a set of descent runs.

    Runs are ordered optimizer-major: for each optimizer, for each learning rate, for each
    start point, for each sampling seed (K = product of the four counts).
    """

    surface: str = "rosenbrock"
    expr: str = ""
    surface_params: tuple[tuple[str, float], ...] = ()
    bounds: tuple[float, float, float, float] | None = None
    optimizers: tuple[OptimizerSpec, ...] = (OptimizerSpec("gd"),)
    learning_rates: tuple[float, ...] = (1e-3,)
    starts: tuple[tuple[float, float], ...] = ()
    seeds: int = 1
    steps: int = 500
    batch: int | None = None
    noise: float = 0.0
    seed: int = 0
    schedule: ScheduleSpec = field(default_factory=ScheduleSpec)
    clip: ClipSpec = field(default_factory=ClipSpec)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(
            self, "surface_params", tuple((str(k), v) for k, v in dict(self.surface_params).items())
        )
        set_(
            self, "learning_rates", tuple(_number("learning_rates", v) for v in self.learning_rates)
        )
        set_(self, "starts", tuple(_point("starts", p) for p in self.starts))
        set_(self, "optimizers", tuple(self.optimizers))
        if self.bounds is not None:
            set_(self, "bounds", tuple(_number("bounds", v) for v in self.bounds))
        self.validate()

    def validate(self) -> None:
        """Raise ValueError naming the first field that is out of range."""
        if not self.surface:
            raise ValueError("surface must be a surface name or 'expr'")
        if self.surface == "expr" and not self.expr.strip():
            raise ValueError("expr must be a formula in x and y when surface is 'expr'")
        if not self.optimizers:
            raise ValueError("optimizers must name at least one optimizer")
        if not self.learning_rates:
            raise ValueError("learning_rates must hold at least one learning rate")
        if any(lr < 0 for lr in self.learning_rates):
            bad = min(self.learning_rates)
            raise ValueError(f"learning_rates must be >= 0, got {bad!r}")
        _integer("steps", self.steps, 0, MAX_STEPS)
        _integer("seeds", self.seeds, 1, 1000)
        _integer("seed", self.seed, 0, 2**32 - 1)
        if self.batch is not None:
            _integer("batch", self.batch, 1, 10**7)
        if not (math.isfinite(self.noise) and self.noise >= 0):
            raise ValueError(f"noise must be a finite number >= 0, got {self.noise!r}")
        if self.bounds is not None:
            _check_bounds(self.bounds)
        if self.n_runs > MAX_RUNS:
            raise ValueError(f"too many runs: {self.n_runs} (at most {MAX_RUNS})")

    @property
    def n_runs(self) -> int:
        starts = max(len(self.starts), 1)
        return len(self.optimizers) * len(self.learning_rates) * starts * self.seeds

    def replace(self, **changes) -> DescentConfig:
        """A copy with some fields changed (validated)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Plain JSON-serializable data."""
        return {
            "surface": self.surface,
            "expr": self.expr,
            "surface_params": dict(self.surface_params),
            "bounds": list(self.bounds) if self.bounds is not None else None,
            "optimizers": [o.to_dict() for o in self.optimizers],
            "learning_rates": list(self.learning_rates),
            "starts": [list(p) for p in self.starts],
            "seeds": self.seeds,
            "steps": self.steps,
            "batch": self.batch,
            "noise": self.noise,
            "seed": self.seed,
            "schedule": self.schedule.to_dict(),
            "clip": self.clip.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict) -> DescentConfig:
        """Build from :meth:`to_dict` output (e.g. parsed JSON); ValueError on bad data."""
        if not isinstance(data, dict):
            raise ValueError(f"a descent configuration must be a JSON object, got {data!r}")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown configuration field {unknown[0]!r}")
        kwargs = dict(data)
        try:
            if "optimizers" in kwargs:
                kwargs["optimizers"] = tuple(_optimizer_from(o) for o in kwargs["optimizers"])
            for key, spec in (("schedule", ScheduleSpec), ("clip", ClipSpec)):
                if key in kwargs:
                    kwargs[key] = spec(**_mapping(key, kwargs[key]))
            if "surface_params" in kwargs:
                kwargs["surface_params"] = tuple(
                    _mapping("surface_params", kwargs["surface_params"]).items()
                )
            for key in ("learning_rates", "starts", "bounds"):
                if kwargs.get(key) is not None:
                    kwargs[key] = tuple(_sequence(key, kwargs[key]))
            return cls(**kwargs)
        except TypeError as exc:
            raise ValueError(f"malformed configuration: {exc}") from None


def _optimizer_from(data: object) -> OptimizerSpec:
    if isinstance(data, str):
        return OptimizerSpec(data)
    data = _mapping("optimizers", data)
    hyper = _mapping("optimizers hyper", data.get("hyper", {}))
    unknown = sorted(set(data) - {"name", "hyper", "label", "batch"})
    if unknown:
        raise ValueError(f"unknown optimizer field {unknown[0]!r}")
    return OptimizerSpec(
        str(data.get("name", "")),
        tuple(hyper.items()),
        str(data.get("label", "")),
        data.get("batch"),
    )


def _mapping(name: str, value: object) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a JSON object, got {value!r}")
    return value


def _sequence(name: str, value: object) -> list:
    if not isinstance(value, list | tuple):
        raise ValueError(f"{name} must be a list, got {value!r}")
    return list(value)


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ValueError(f"{name} must hold numbers, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must hold finite numbers, got {value!r}")
    return value


def _point(name: str, value: object) -> tuple[float, float]:
    if not isinstance(value, list | tuple | np.ndarray) or len(value) != 2:
        raise ValueError(f"{name} must hold (x, y) pairs, got {value!r}")
    return (_number(name, value[0]), _number(name, value[1]))


def _integer(name: str, value: object, low: int, high: int) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or not low <= value <= high
    ):
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value!r}")


def _check_bounds(bounds: tuple[float, ...]) -> None:
    if len(bounds) != 4 or not (bounds[0] < bounds[1] and bounds[2] < bounds[3]):
        raise ValueError(f"bounds must be (xmin, xmax, ymin, ymax) with min < max, got {bounds!r}")


def lr_sweep(low: float, high: float, count: int, log: bool = True) -> tuple[float, ...]:
    """``count`` learning rates from ``low`` to ``high`` (log-spaced by default)."""
    _integer("lr sweep count", count, 1, MAX_RUNS)
    if not (math.isfinite(low) and math.isfinite(high)) or low > high or low < 0:
        raise ValueError(f"lr sweep needs 0 <= min <= max, got min={low!r} max={high!r}")
    if log and low <= 0:
        raise ValueError(f"a log-spaced lr sweep needs min > 0, got {low!r}")
    values = np.geomspace(low, high, count) if log else np.linspace(low, high, count)
    return tuple(float(v) for v in values)


def start_grid(
    bounds: tuple[float, float, float, float], n: int
) -> tuple[tuple[float, float], ...]:
    """An ``n`` x ``n`` grid of start points: the cell centres of ``bounds``, row by row."""
    _integer("start grid size", n, 1, 141)
    _check_bounds(tuple(float(b) for b in bounds))
    xmin, xmax, ymin, ymax = bounds
    xs = xmin + (np.arange(n) + 0.5) * (xmax - xmin) / n
    ys = ymin + (np.arange(n) + 0.5) * (ymax - ymin) / n
    return tuple((float(x), float(y)) for y in ys for x in xs)
