"""2-D loss landscapes: value, analytic gradient and Hessian for many points at once.

Every surface maps points ``p`` of shape ``(..., 2)`` (usually ``(K, 2)``: one row per run)
to values ``(...)``, gradients ``(..., 2)`` and Hessians ``(..., 2, 2)``.  Built-in surfaces
live in :mod:`core.surfaces.classic` (classic test functions), :mod:`core.surfaces.features`
(ripples, saddles, conditioning) and :mod:`core.surfaces.linreg` (a line fit with mini-batches);
this module holds the base class, the registry and surfaces from typed formulas.
Evaluation never emits NumPy warnings: off the domain the result is NaN or inf.
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from core.surfaces.formula import Formula

Bounds = tuple[float, float, float, float]


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True, slots=True)
class SurfaceParam:
    """One adjustable parameter of a surface: default and allowed range ``[low, high]``."""

    name: str
    default: float
    low: float
    high: float
    integer: bool = False
    help: str = ""

    def check(self, value: object) -> float | int:
        """``value`` as a float (or int), or ValueError naming the field and the range."""
        kind = "an integer" if self.integer else "a number"
        span = f"[{_number_text(self.low)}, {_number_text(self.high)}]"
        message = f"{self.name} must be {kind} in {span}, got {value!r}"
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(message)
        number = float(value)
        if not self.low <= number <= self.high or (self.integer and not number.is_integer()):
            raise ValueError(message)
        return int(number) if self.integer else number


class Surface(ABC):
    """A 2-D loss landscape f(x, y); immutable after construction.

    Attributes
    ----------
    name, display_name, description : str
        Registry key, label, and one sentence on what the landscape teaches.
    bounds : (xmin, xmax, ymin, ymax)
        Default view box.
    start : (x, y)
        A start point that shows the landscape's lesson.
    minima : ndarray, shape (M, 2)
        Known minima (global first, then notable local ones), read-only; may be empty.
    log_scale : bool
        Whether a logarithmic colour scale suits the value range.
    parameters : tuple of SurfaceParam
        Adjustable parameters (defaults and ranges, for validation and for the controls).
    params : tuple of (name, value)
        This instance's parameter values, checked (the shape of ``DescentConfig.surface_params``).
    n_samples : int or None
        Size of the data set for data-driven surfaces (mini-batches possible), else None.
    """

    name = ""
    display_name = ""
    description = ""
    bounds: Bounds = (-3.0, 3.0, -3.0, 3.0)
    start: tuple[float, float] = (0.0, 0.0)
    log_scale = False
    parameters: tuple[SurfaceParam, ...] = ()
    known_minima: tuple[tuple[float, float], ...] = ()
    n_samples: int | None = None

    def __init__(self, **params: object) -> None:
        allowed = {spec.name: spec for spec in self.parameters}
        for key in params:
            if key not in allowed:
                names = ", ".join(allowed) or "none"
                raise ValueError(f"unknown parameter {key!r} for surface {self.name!r}: {names}")
        checked = {k: spec.check(params.get(k, spec.default)) for k, spec in allowed.items()}
        self._set("params", tuple(checked.items()))
        self._configure(**checked)
        minima = np.array(self._minima(), dtype=np.float64).reshape(-1, 2)
        minima.flags.writeable = False
        self._set("minima", minima)

    def _set(self, key: str, value: object) -> None:
        object.__setattr__(self, key, value)

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError(f"surfaces are immutable: cannot set {key!r}; build a new one")

    def __delattr__(self, key: str) -> None:
        raise AttributeError(f"surfaces are immutable: cannot delete {key!r}")

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params)
        return f"Surface({self.name!r}{args})"

    def _configure(self, **params: float) -> None:
        """Hook for subclasses: derive constants from checked parameters (via ``_set``).

        Most surfaces have no parameters, so the default derives nothing.
        """
        return None

    def _minima(self) -> tuple[tuple[float, float], ...]:
        return self.known_minima

    def value(self, p: np.ndarray) -> np.ndarray:
        """f at points ``p`` of shape (..., 2); returns shape (...)."""
        x, y = _coordinates(p)
        with np.errstate(all="ignore"):
            return self.value_at(x, y)

    def value_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """f at coordinates ``x``, ``y`` (float arrays of one shape), a new array of it.

        Unchecked, for a loop that checks its points once (the descent engine): the caller
        holds ``np.errstate(all="ignore")``, as :meth:`value` does, or NumPy may warn.
        """
        out = np.empty(x.shape)
        out[...] = self._value(x, y)
        return out

    def value_with_domain(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """f at ``p`` (..., 2) and why it is undefined there: int8 codes of shape (...).

        Code 0: defined (a finite value, or one that merely overflowed float64); code
        ``c >= 1``: undefined because of ``core.surfaces.domain.DOMAIN_REASONS[c - 1]``
        (division by zero, log of a negative number, ...). The built-in surfaces are
        defined everywhere; formulas trace their operations.
        """
        value = self.value(p)
        return value, np.zeros(value.shape, dtype=np.int8)

    def undefined_reasons(self, p: np.ndarray) -> np.ndarray:
        """Per point, the domain reason code (0 = defined); see :meth:`value_with_domain`."""
        return self.value_with_domain(p)[1]

    def undefined_at(self, p: np.ndarray) -> np.ndarray:
        """Per point of ``p`` (..., 2): True where the surface has no value (``1/0``,
        ``log(-1)``), False where it is finite or merely too large for a float."""
        return self.undefined_reasons(p) != 0

    def gradient(self, p: np.ndarray) -> np.ndarray:
        """Analytic gradient (df/dx, df/dy) at ``p`` (..., 2); returns shape (..., 2)."""
        x, y = _coordinates(p)
        with np.errstate(all="ignore"):
            return self.gradient_at(x, y)

    def gradient_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The gradient at coordinates ``x``, ``y``, unchecked (see :meth:`value_at`)."""
        out = np.empty((*x.shape, 2))
        out[..., 0], out[..., 1] = self._gradient(x, y)
        return out

    def hessian(self, p: np.ndarray) -> np.ndarray:
        """Analytic Hessian [[f_xx, f_xy], [f_xy, f_yy]] at ``p``; returns (..., 2, 2)."""
        x, y = _coordinates(p)
        with np.errstate(all="ignore"):
            return self.hessian_at(x, y)

    def hessian_at(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The Hessian at coordinates ``x``, ``y``, unchecked (see :meth:`value_at`)."""
        out = np.empty((*x.shape, 2, 2))
        out[..., 0, 0], out[..., 0, 1], out[..., 1, 1] = self._hessian(x, y)
        out[..., 1, 0] = out[..., 0, 1]
        return out

    def value_grid(self, resolution: int, bounds: Bounds | None = None) -> tuple[np.ndarray, ...]:
        """Values on a square grid: (xs, ys, z) with z[i, j] = f(xs[j], ys[i]) (row-major)."""
        if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral):
            raise ValueError(f"resolution must be an integer in [2, 4096], got {resolution!r}")
        if not 2 <= resolution <= 4096:
            raise ValueError(f"resolution must be an integer in [2, 4096], got {resolution!r}")
        xmin, xmax, ymin, ymax = check_bounds(self.bounds if bounds is None else bounds)
        xs, ys = np.linspace(xmin, xmax, resolution), np.linspace(ymin, ymax, resolution)
        grid = np.stack(np.meshgrid(xs, ys), axis=-1)
        return xs, ys, self.value(grid)

    def gradient_stream(
        self, n_runs: int, seed: int | np.ndarray = 0, batch: int | None = None
    ) -> Callable[[np.ndarray], np.ndarray]:
        """A gradient function for ``n_runs`` runs: grad(p (n_runs, 2)) -> (n_runs, 2).

        Surfaces without a data set have one exact gradient, so ``seed`` and ``batch`` only
        get checked here; :class:`LinearRegression` samples mini-batches.
        """
        n_runs = check_stream_args(n_runs, seed, batch)

        def gradient(p: np.ndarray) -> np.ndarray:
            return self.gradient(check_run_points(p, n_runs))

        return gradient

    @abstractmethod
    def _value(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """f(x, y), elementwise."""

    @abstractmethod
    def _gradient(self, x: np.ndarray, y: np.ndarray) -> tuple:
        """(f_x, f_y), elementwise."""

    @abstractmethod
    def _hessian(self, x: np.ndarray, y: np.ndarray) -> tuple:
        """(f_xx, f_xy, f_yy), elementwise."""


def _coordinates(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(p, dtype=np.float64)
    if p.ndim == 0 or p.shape[-1] != 2:
        raise ValueError(f"points must have shape (K, 2), got shape {p.shape}")
    return p[..., 0], p[..., 1]


def check_run_points(p: np.ndarray, n_runs: int) -> np.ndarray:
    """``p`` as a float array of shape (n_runs, 2), or ValueError."""
    p = np.asarray(p, dtype=np.float64)
    if p.shape != (n_runs, 2):
        raise ValueError(f"points must have shape ({n_runs}, 2), got shape {p.shape}")
    return p


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_stream_args(n_runs: object, seed: object, batch: object) -> int:
    """Validate :meth:`Surface.gradient_stream` arguments; returns ``n_runs`` as an int."""
    if not _is_int(n_runs) or n_runs < 1:
        raise ValueError(f"n_runs must be an integer >= 1, got {n_runs!r}")
    seeds = np.asarray(seed)
    if not (seeds.shape in ((), (n_runs,)) and all(_is_int(s) and s >= 0 for s in seeds.flat)):
        raise ValueError(f"seed must be an integer >= 0 or {n_runs} of them, got {seed!r}")
    if batch is not None and (not _is_int(batch) or batch < 1):
        raise ValueError(f"batch must be None (full batch) or an integer >= 1, got {batch!r}")
    return int(n_runs)


def check_bounds(bounds: object) -> Bounds:
    """``bounds`` as four floats (xmin, xmax, ymin, ymax), or ValueError."""
    message = f"bounds must be (xmin, xmax, ymin, ymax), finite, min < max; got {bounds!r}"
    try:
        xmin, xmax, ymin, ymax = (float(v) for v in bounds)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    values = (xmin, xmax, ymin, ymax)
    if not (all(map(math.isfinite, values)) and xmin < xmax and ymin < ymax):
        raise ValueError(message)
    # spans and centres must be floats too, or every later width (np.ptp) overflows
    derived = (xmax - xmin, ymax - ymin, xmax + xmin, ymax + ymin)
    if not all(map(math.isfinite, derived)):
        raise ValueError(f"bounds are too large: their widths overflow float64; got {bounds!r}")
    return values


class ExpressionSurface(Surface):
    """A surface from a user's formula; gradient and Hessian by exact symbolic derivation."""

    name = "expr"
    display_name = "Custom formula"

    def __init__(self, formula: str, bounds: Bounds = (-3.0, 3.0, -3.0, 3.0)) -> None:
        parsed = Formula(formula)
        bounds = check_bounds(bounds)
        super().__init__()
        self._set("formula", parsed)
        self._set("bounds", bounds)
        self._set("description", f"Your own landscape f(x, y) = {formula.strip()}.")
        # Off-centre: the centre of a box is often a critical point of a typed formula.
        xmin, xmax, ymin, ymax = bounds
        self._set("start", (xmin + 0.25 * (xmax - xmin), ymin + 0.8 * (ymax - ymin)))

    def __repr__(self) -> str:
        return f"ExpressionSurface({self.formula.text!r}, bounds={self.bounds!r})"

    def _value(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return self.formula.value(x, y)

    def value_with_domain(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = _coordinates(p)
        return self.formula.value_with_domain(x, y)

    def _gradient(self, x: np.ndarray, y: np.ndarray) -> tuple:
        return self.formula.gradient(x, y)

    def _hessian(self, x: np.ndarray, y: np.ndarray) -> tuple:
        return self.formula.hessian(x, y)


def expression_surface(formula: str, bounds: Bounds = (-3.0, 3.0, -3.0, 3.0)) -> Surface:
    """A surface from a formula in x and y, e.g. ``"x**2 + 3*sin(y) + exp(-x*y)"``.

    See :class:`core.surfaces.formula.Formula` for what is accepted; a bad formula or bounds raise
    ValueError saying what and where (1-based column), e.g. ``unknown name 'z' at column 7``.
    """
    return ExpressionSurface(formula, bounds)


def _registry() -> dict[str, type[Surface]]:
    # Imported here because those modules subclass Surface from this one.
    from core.surfaces.classic import CLASSICS
    from core.surfaces.features import FEATURES
    from core.surfaces.linreg import LinearRegression

    return {cls.name: cls for cls in (*CLASSICS, *FEATURES, LinearRegression)}


def surface_names() -> list[str]:
    """Registered surface names, in display order."""
    return list(_registry())


def get_surface(name: str, **params: float) -> Surface:
    """The registered surface ``name`` built with ``params``, e.g. ``condition=50.0`` for bowl.

    Raises ValueError for an unknown name, an unknown parameter, or a value out of range.
    """
    registry = _registry()
    if not isinstance(name, str) or name not in registry:
        raise ValueError(f"unknown surface {name!r}; choose one of: {', '.join(registry)}")
    return registry[name](**params)
