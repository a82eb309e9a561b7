"""How the descent window shows a preset or session: typed, validated view settings.

`PresetView` carries everything the window restores besides the `DescentConfig`: the
learning-rate mode and the sweep's range, the start grid, the pace, the arrows and the
3-D tab. Numbers are within `core.descent.limits.LIMITS` (``view.*`` entries), so the
window's controls can show every value a loaded session holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from core.descent.limits import LIMITS, describe

MAX_TITLE = 200  # characters of a preset's title (the headline)
MAX_IDEA = 2000  # characters of its idea (the banner)
DEFAULT_SPEED = 200.0  # steps per second when a file does not say
LR_MODES = ("single", "sweep")


def check_text(name: str, value: object, longest: int | None = None) -> str:
    """``value`` if it is a string of at most ``longest`` characters, else ValueError."""
    longest = longest or {"title": MAX_TITLE, "idea": MAX_IDEA}.get(name, MAX_IDEA)
    if not isinstance(value, str) or len(value) > longest:
        raise ValueError(
            f"{name} must be text of at most {longest} characters, got {describe(value)}"
        )
    return value


def _flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {describe(value)}")
    return value


def _object(name: str, value: object, known: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be a JSON object, got {describe(value)}")
    unknown = sorted(set(value) - known, key=str)
    if unknown:
        key = unknown[0]
        where = f"{name}.{key}" if str(key).isidentifier() else f"{name} {describe(key)}"
        raise ValueError(f"{where} is not a known setting ({', '.join(sorted(known))})")
    return value


@dataclass(frozen=True, slots=True)
class ArrowOptions:
    """Which arrows the landscape draws at each run's point."""

    gradient: bool = True
    velocity: bool = False
    update: bool = False

    def __post_init__(self) -> None:
        for f in fields(self):
            _flag(f"view.arrows.{f.name}", getattr(self, f.name))

    def to_dict(self) -> dict[str, bool]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: object) -> ArrowOptions:
        return cls(**_object("view.arrows", data, {f.name for f in fields(cls)}))


@dataclass(frozen=True, slots=True)
class SweepView:
    """The learning-rate sweep control: ``count`` rates from ``low`` to ``high``.

    JSON keys ``min``, ``max``, ``count``, ``log``; a log sweep needs ``low > 0``.
    """

    low: float = 1e-4
    high: float = 1e-2
    count: int = 7
    log: bool = True

    def __post_init__(self) -> None:
        low = LIMITS["view.sweep.min"].check("view.sweep.min", self.low)
        high = LIMITS["view.sweep.max"].check("view.sweep.max", self.high)
        LIMITS["view.sweep.count"].check("view.sweep.count", self.count)
        _flag("view.sweep.log", self.log)
        if low > high:
            raise ValueError(f"view.sweep.min ({low:g}) must not exceed view.sweep.max ({high:g})")
        if self.log and low <= 0:
            raise ValueError("view.sweep.min must be > 0 for a log-spaced sweep, got 0")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    def to_dict(self) -> dict[str, Any]:
        return {"min": self.low, "max": self.high, "count": self.count, "log": self.log}

    @classmethod
    def from_dict(cls, data: object, rates: tuple[float, ...] = ()) -> SweepView:
        """From JSON; keys left out come from `around` ``rates``."""
        data = _object("view.sweep", data, {"min", "max", "count", "log"})
        default = cls.around(rates) if rates else cls()
        return cls(
            data.get("min", default.low),
            data.get("max", default.high),
            data.get("count", default.count),
            data.get("log", default.log),
        )

    @classmethod
    def around(cls, rates: tuple[float, ...]) -> SweepView:
        """The sweep a configuration's rates suggest: their range, or two decades around
        a single rate (offered when the user switches to a sweep)."""
        limit = LIMITS["view.sweep.max"]
        count_limit = LIMITS["view.sweep.count"]
        if len(rates) > 1:
            low, high = min(rates), max(rates)
            count = min(max(len(rates), count_limit.low), count_limit.high)
            return cls(low, high, int(count), log=low > 0)
        rate = rates[0]
        if rate <= 0:
            return cls()
        low = rate / 10 if rate / 10 > 0 else rate  # a subnormal rate has no tenth
        return cls(low, min(rate * 10, limit.high), 7, True)


@dataclass(frozen=True, slots=True)
class PresetView:
    """The window's view settings saved with a session (all validated).

    lr_mode : "single" or "sweep" (the learning-rate control shows one rate or a sweep)
    sweep : the sweep control's range (kept in single mode, for switching over)
    start_grid : n of an n x n grid of start points; 0 = no grid
    speed : steps per second; None = flat out
    arrows : which arrows the landscape draws
    view3d : whether the 3-D tab is shown
    """

    lr_mode: str = "single"
    sweep: SweepView = field(default_factory=SweepView)
    start_grid: int = 0
    speed: float | None = DEFAULT_SPEED
    arrows: ArrowOptions = field(default_factory=ArrowOptions)
    view3d: bool = False

    def __post_init__(self) -> None:
        if self.lr_mode not in LR_MODES:
            raise ValueError(
                f"view.lr_mode must be 'single' or 'sweep', got {describe(self.lr_mode)}"
            )
        if not isinstance(self.sweep, SweepView) or not isinstance(self.arrows, ArrowOptions):
            raise ValueError("view.sweep and view.arrows must be a SweepView and ArrowOptions")
        LIMITS["view.start_grid"].check("view.start_grid", self.start_grid)
        if self.speed is not None:
            speed = LIMITS["view.speed"].check("view.speed", self.speed)
            if not speed.is_integer():
                raise ValueError(f"view.speed must be whole steps per second, got {speed!r}")
            object.__setattr__(self, "speed", speed)
        _flag("view.view3d", self.view3d)

    def to_dict(self) -> dict[str, Any]:
        return {
            "lr_mode": self.lr_mode,
            "sweep": self.sweep.to_dict(),
            "start_grid": self.start_grid,
            "speed": self.speed,
            "arrows": self.arrows.to_dict(),
            "view3d": self.view3d,
        }

    @classmethod
    def from_dict(cls, data: object, rates: tuple[float, ...] = ()) -> PresetView:
        """From JSON; left-out keys take their defaults, except that the learning-rate
        mode and sweep follow ``rates`` (a sweep when there are several)."""
        data = _object("view", data, {f.name for f in fields(cls)})
        mode = "sweep" if len(rates) > 1 else "single"
        return cls(
            lr_mode=data.get("lr_mode", mode),
            sweep=SweepView.from_dict(data.get("sweep", {}), rates),
            start_grid=data.get("start_grid", 0),
            speed=data.get("speed", DEFAULT_SPEED),
            arrows=ArrowOptions.from_dict(data.get("arrows", {})),
            view3d=data.get("view3d", False),
        )
