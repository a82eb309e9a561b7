"""Minima found numerically, for surfaces (typed formulas) whose minima nobody wrote down.

Multi-start saddle-free Newton with Levenberg-Marquardt damping, on the surface's own
analytic gradient and Hessian, all starts at once::

    H = V diag(e) V^T,   s = -V diag(1 / (|e| + lambda)) V^T g

The absolute eigenvalues make every step a descent direction (a saddle repels instead of
attracting), ``lambda`` shrinks after a step that lowers f and grows after one that does
not. A start that ends with a vanishing gradient, a Hessian without a negative eigenvalue
and inside the box is a local minimum; nearby ones are merged. The result says it is
numerical, so a view can mark such minima differently from known ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_MINIMA = 8
_STARTS_PER_SIDE = 9
_BEST_SAMPLES = 16  # extra starts: the lowest points of a coarse grid
_ITERATIONS = 80


@dataclass(frozen=True, slots=True)
class NumericalMinima:
    """Local minima found by :func:`find_minima`, lowest first.

    Attributes
    ----------
    points : (M, 2) read-only array of (x, y).
    values : (M,) read-only array of f at ``points``.
    numerical : always True: found by descent from many starts, not known exactly.
    """

    points: np.ndarray
    values: np.ndarray
    numerical: bool = True

    def __len__(self) -> int:
        return len(self.values)

    def __repr__(self) -> str:
        return f"NumericalMinima({len(self)} found, lowest={self.values[:1].tolist()})"


def _starts(surface, bounds) -> np.ndarray:
    """Cell centres of a coarse grid, plus the lowest samples of a finer one."""
    xmin, xmax, ymin, ymax = bounds
    n = _STARTS_PER_SIDE
    cx = xmin + (np.arange(n) + 0.5) * (xmax - xmin) / n
    cy = ymin + (np.arange(n) + 0.5) * (ymax - ymin) / n
    fine = np.stack(
        np.meshgrid(np.linspace(xmin, xmax, 41), np.linspace(ymin, ymax, 41)), axis=-1
    ).reshape(-1, 2)
    f = np.where(np.isfinite(v := surface.value(fine)), v, np.inf)
    best = fine[np.argsort(f, kind="stable")[:_BEST_SAMPLES]]
    grid = np.stack(np.meshgrid(cx, cy), axis=-1).reshape(-1, 2)
    return np.concatenate([grid, best])


def _newton_step(gradient: np.ndarray, hessian: np.ndarray, damping: np.ndarray) -> np.ndarray:
    """s = -V diag(1 / (|e| + damping)) V^T g, per point (non-finite input: no step)."""
    ok = np.isfinite(gradient).all(axis=1) & np.isfinite(hessian).all(axis=(1, 2))
    h = np.where(ok[:, None, None], hessian, np.eye(2))
    e, v = np.linalg.eigh(h)
    along = np.einsum("kij,ki->kj", v, np.where(ok[:, None], gradient, 0.0))
    return -np.einsum("kij,kj->ki", v, along / (np.abs(e) + damping[:, None]))


def _descend(surface, p: np.ndarray, scale: float) -> np.ndarray:
    f = surface.value(p)
    damping = np.full(len(p), 1e-6 * scale)
    for _ in range(_ITERATIONS):
        trial = p + _newton_step(surface.gradient(p), surface.hessian(p), damping)
        f_trial = surface.value(trial)
        better = np.isfinite(f_trial) & (f_trial < f)
        p = np.where(better[:, None], trial, p)
        f = np.where(better, f_trial, f)
        damping = np.where(better, damping / 3.0, np.minimum(damping * 10.0, 1e300))
    return p


def find_minima(surface, bounds=None, max_minima: int = MAX_MINIMA) -> NumericalMinima:
    """Local minima of ``surface`` strictly inside ``bounds`` (default: its own box).

    A minimum: ``|grad f| <= 1e-6 (1 + typical |grad f| on the box)``, the smallest
    Hessian eigenvalue ``>= -1e-6 (1 + |largest|)``, finite f. Minima closer than
    ``1e-3`` box diagonals are one; at most ``max_minima``, lowest f first.
    """
    xmin, xmax, ymin, ymax = bounds if bounds is not None else surface.bounds
    box = np.array([xmin, xmax, ymin, ymax], dtype=np.float64)
    diagonal = float(np.hypot(xmax - xmin, ymax - ymin))
    with np.errstate(all="ignore"):
        starts = _starts(surface, box)
        typical = _median_finite(_norm(surface.gradient(starts)), 1.0)
        e0 = np.abs(np.linalg.eigvalsh(np.nan_to_num(surface.hessian(starts))))
        points = _descend(surface, starts, _median_finite(e0.max(axis=1), 1.0) + 1e-12)
        f = surface.value(points)
        e = np.linalg.eigvalsh(np.nan_to_num(surface.hessian(points)))
        keep = _norm(surface.gradient(points)) <= 1e-6 * (1.0 + typical)
        keep &= e[:, 0] >= -1e-6 * (1.0 + np.abs(e[:, 1]))  # no direction of descent
        keep &= (points[:, 0] > xmin) & (points[:, 0] < xmax)
        keep &= (points[:, 1] > ymin) & (points[:, 1] < ymax) & np.isfinite(f)
        keep &= _lowest_nearby(surface, points, f, 1e-4 * diagonal)
    return _merged(points[keep], f[keep], diagonal, max_minima)


def _norm(vectors: np.ndarray) -> np.ndarray:
    return np.hypot(vectors[..., 0], vectors[..., 1])  # no overflow in squaring


def _median_finite(values: np.ndarray, default: float) -> float:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else default


def _lowest_nearby(surface, points: np.ndarray, f: np.ndarray, radius: float) -> np.ndarray:
    """f(p) <= f on a small ring around p: a degenerate critical point (the monkey
    saddle's flat centre, with a zero Hessian) is a minimum only if nothing near is lower."""
    angles = np.linspace(0.0, 2.0 * np.pi, 16, endpoint=False)
    ring = np.stack([np.cos(angles), np.sin(angles)], axis=-1) * radius
    around = surface.value(points[:, None, :] + ring[None, :, :])
    slack = 1e-12 * (1.0 + np.abs(f))
    return np.all(~(around < f[:, None] - slack[:, None]), axis=1)


def _merged(points: np.ndarray, values: np.ndarray, diagonal: float, limit: int):
    chosen: list[int] = []
    for i in np.argsort(values, kind="stable"):
        if all(np.hypot(*(points[i] - points[j])) > 1e-3 * diagonal for j in chosen):
            chosen.append(int(i))
        if len(chosen) == limit:
            break
    out_points = np.array(points[chosen], dtype=np.float64).reshape(-1, 2)
    out_values = np.array(values[chosen], dtype=np.float64)
    out_points.flags.writeable = out_values.flags.writeable = False
    return NumericalMinima(out_points, out_values)
