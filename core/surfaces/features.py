"""Surfaces that each show one landscape feature: ripples, uneven basins, saddles, conditioning.

Standard forms as in the optimization literature (e.g. Jamil & Yang 2013); each class
documents f and its known minima.  ``_gradient`` returns (f_x, f_y), ``_hessian``
(f_xx, f_xy, f_yy).
"""

from __future__ import annotations

import math

import numpy as np

from core.surfaces.surface import Surface, SurfaceParam

TWO_PI = 2.0 * math.pi


class Ackley(Surface):
    """f = -a exp(-b sqrt((x^2 + y^2)/2)) - exp((cos cx + cos cy)/2) + a + e, a=20, b=0.2, c=2pi.

    The cone term is not differentiable at the origin; below radius 1e-12 it is rounded off
    (gradient 0 at the tip, Hessian finite but about 3e12: the tip is infinitely sharp).
    """

    name, display_name = "ackley", "Ackley"
    description = (
        "A funnel covered in ripples: small local minima everywhere, one deep hole in the "
        "centre that only a well-tuned run reaches."
    )
    bounds, start, log_scale = (-5.0, 5.0, -5.0, 5.0), (-3.2, 2.8), False
    known_minima = ((0.0, 0.0),)
    RATE = 0.2 / math.sqrt(2.0)  # the cone term is -20 exp(-RATE * rho), rho = |p|

    def _parts(self, x, y):
        rho = np.maximum(np.hypot(x, y), 1e-12)  # the rounded-off tip, for the derivatives
        cone = 20.0 * self.RATE * np.exp(-self.RATE * rho)  # d(cone term)/d(rho)
        ripple = np.exp(0.5 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y)))
        return rho, cone, ripple

    def _value(self, x, y):
        ripple = np.exp(0.5 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y)))
        return -20.0 * np.exp(-self.RATE * np.hypot(x, y)) - ripple + 20.0 + math.e

    def _gradient(self, x, y):
        rho, cone, ripple = self._parts(x, y)
        return (
            cone * x / rho + math.pi * np.sin(TWO_PI * x) * ripple,
            cone * y / rho + math.pi * np.sin(TWO_PI * y) * ripple,
        )

    def _hessian(self, x, y):
        rho, cone, ripple = self._parts(x, y)
        ux, uy = x / rho, y / rho  # cone: h'' u u^T + (h'/rho)(I - u u^T), h'' = -RATE h'
        radial, tangential = -self.RATE * cone, cone / rho
        sx, sy = np.sin(TWO_PI * x), np.sin(TWO_PI * y)
        pi2 = math.pi**2
        return (
            radial * ux * ux
            + tangential * (1.0 - ux * ux)
            + pi2 * (2.0 * np.cos(TWO_PI * x) - sx * sx) * ripple,
            (radial - tangential) * ux * uy - pi2 * sx * sy * ripple,
            radial * uy * uy
            + tangential * (1.0 - uy * uy)
            + pi2 * (2.0 * np.cos(TWO_PI * y) - sy * sy) * ripple,
        )


class Rastrigin(Surface):
    """f = 20 + sum_i (x_i^2 - 10 cos(2 pi x_i)); minimum f(0, 0) = 0."""

    name, display_name = "rastrigin", "Rastrigin"
    description = (
        "A regular grid of local minima laid over a bowl: plain descent stops in the nearest "
        "dip, far from the centre."
    )
    bounds, start, log_scale = (-5.12, 5.12, -5.12, 5.12), (-3.2, 2.3), False
    known_minima = ((0.0, 0.0),)

    def _value(self, x, y):
        return 20.0 + x * x + y * y - 10.0 * (np.cos(TWO_PI * x) + np.cos(TWO_PI * y))

    def _gradient(self, x, y):
        return 2.0 * x + 20.0 * math.pi * np.sin(TWO_PI * x), 2.0 * y + 20.0 * math.pi * np.sin(
            TWO_PI * y
        )

    def _hessian(self, x, y):
        k = 40.0 * math.pi**2
        return 2.0 + k * np.cos(TWO_PI * x), 0.0, 2.0 + k * np.cos(TWO_PI * y)


class StyblinskiTang(Surface):
    """f = 0.5 sum_i (x_i^4 - 16 x_i^2 + 5 x_i); minimum f(-2.903534, -2.903534) = -78.33234.

    (-39.16617 per dimension.)  Each coordinate has a second, shallower minimum at 2.746803,
    so there are four minima in all.
    """

    name, display_name = "styblinski_tang", "Styblinski-Tang"
    description = (
        "Four minima of different depths, one per quadrant: the start decides how good the end is."
    )
    bounds, start, log_scale = (-5.0, 5.0, -5.0, 5.0), (0.5, 0.5), False
    X_LOW, X_HIGH = -2.903534027771177, 2.746802770990837  # roots of 4x^3 - 32x + 5 = 0
    known_minima = ((X_LOW, X_LOW), (X_LOW, X_HIGH), (X_HIGH, X_LOW), (X_HIGH, X_HIGH))

    def _value(self, x, y):
        return 0.5 * (x**4 - 16.0 * x * x + 5.0 * x + y**4 - 16.0 * y * y + 5.0 * y)

    def _gradient(self, x, y):
        return 2.0 * x**3 - 16.0 * x + 2.5, 2.0 * y**3 - 16.0 * y + 2.5

    def _hessian(self, x, y):
        return 6.0 * x * x - 16.0, 0.0, 6.0 * y * y - 16.0


class Saddle(Surface):
    """f = x^2 - y^2: a saddle point at the origin, unbounded below, no minimum."""

    name, display_name = "saddle", "Saddle"
    description = (
        "A mountain pass: the gradient vanishes at the centre without it being a minimum, so "
        "descent stalls there before sliding off along y."
    )
    bounds, start, log_scale = (-2.0, 2.0, -2.0, 2.0), (-1.5, 0.05), False

    def _value(self, x, y):
        return x * x - y * y

    def _gradient(self, x, y):
        return 2.0 * x, -2.0 * y

    def _hessian(self, x, y):
        return 2.0, 0.0, -2.0


class MonkeySaddle(Surface):
    """f = x^3 - 3xy^2: a flat saddle at the origin with three downhill valleys."""

    name, display_name = "monkey_saddle", "Monkey saddle"
    description = (
        "A saddle so flat that gradient and curvature both vanish at its centre: descent "
        "slows to a crawl, then leaves down one of three valleys."
    )
    bounds, start, log_scale = (-2.0, 2.0, -2.0, 2.0), (1.5, 0.3), False

    def _value(self, x, y):
        return x**3 - 3.0 * x * y * y

    def _gradient(self, x, y):
        return 3.0 * (x * x - y * y), -6.0 * x * y

    def _hessian(self, x, y):
        return 6.0 * x, -6.0 * y, -6.0 * x


class Bowl(Surface):
    """f = (x^2 + condition y^2) / 2; Hessian diag(1, condition); minimum f(0, 0) = 0.

    Plain gradient descent converges only for lr < 2 / condition (the largest eigenvalue),
    and the slow direction then shrinks by (1 - lr) per step.
    """

    name, display_name = "bowl", "Ill-conditioned bowl"
    description = (
        "A quadratic bowl stretched by its condition number: descent zig-zags across it and "
        "diverges once the learning rate exceeds 2 / condition."
    )
    bounds, start, log_scale = (-3.0, 3.0, -2.0, 2.0), (-2.5, 1.5), False
    parameters = (
        SurfaceParam("condition", 10.0, 1.0, 1e4, help="largest over smallest curvature"),
    )
    known_minima = ((0.0, 0.0),)

    def _configure(self, condition: float) -> None:
        self._set("condition", condition)

    def _value(self, x, y):
        return 0.5 * (x * x + self.condition * y * y)

    def _gradient(self, x, y):
        return x, self.condition * y

    def _hessian(self, x, y):
        return 1.0, 0.0, self.condition


FEATURES = (Ackley, Rastrigin, StyblinskiTang, Saddle, MonkeySaddle, Bowl)
