"""Classic polynomial test functions (valleys, plateaus, basins), analytic gradient and Hessian.

Standard forms as in the optimization literature (e.g. Jamil & Yang 2013, "A literature
survey of benchmark functions for global optimization problems").  Each class documents
f and its known minima; ``_gradient`` returns (f_x, f_y) and ``_hessian`` (f_xx, f_xy, f_yy).
"""

from __future__ import annotations

from core.surfaces.surface import Surface


class Rosenbrock(Surface):
    """f = (1 - x)^2 + 100 (y - x^2)^2; minimum f(1, 1) = 0."""

    name, display_name = "rosenbrock", "Rosenbrock"
    description = (
        "A long, curved, almost flat valley: reaching the valley is quick, "
        "following it to the minimum at (1, 1) is slow."
    )
    bounds, start, log_scale = (-2.0, 2.0, -1.0, 3.0), (-1.2, 1.0), True
    known_minima = ((1.0, 1.0),)

    def _value(self, x, y):
        return (1.0 - x) ** 2 + 100.0 * (y - x * x) ** 2

    def _gradient(self, x, y):
        r = y - x * x
        return -2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r

    def _hessian(self, x, y):
        return 2.0 - 400.0 * y + 1200.0 * x * x, -400.0 * x, 200.0


class Beale(Surface):
    """f = sum_i (c_i - x + x y^i)^2, c = (1.5, 2.25, 2.625); minimum f(3, 0.5) = 0."""

    name, display_name = "beale", "Beale"
    description = (
        "Flat plateaus bounded by steep walls: a step size that is safe on the plateau "
        "overshoots wildly near the walls."
    )
    bounds, start, log_scale = (-4.5, 4.5, -4.5, 4.5), (1.0, 1.5), True
    known_minima = ((3.0, 0.5),)

    @staticmethod
    def _terms(x, y):
        y2, y3 = y * y, y**3
        return y2, y3, 1.5 - x + x * y, 2.25 - x + x * y2, 2.625 - x + x * y3

    def _value(self, x, y):
        _, _, u1, u2, u3 = self._terms(x, y)
        return u1 * u1 + u2 * u2 + u3 * u3

    def _gradient(self, x, y):  # du_i/dx = y^i - 1, du_i/dy = i x y^(i-1)
        y2, y3, u1, u2, u3 = self._terms(x, y)
        gx = 2.0 * (u1 * (y - 1.0) + u2 * (y2 - 1.0) + u3 * (y3 - 1.0))
        return gx, 2.0 * x * (u1 + 2.0 * y * u2 + 3.0 * y2 * u3)

    def _hessian(self, x, y):  # sum_i 2 (grad u_i grad u_i^T + u_i hess u_i)
        y2, y3, u1, u2, u3 = self._terms(x, y)
        hxx = 2.0 * ((y - 1.0) ** 2 + (y2 - 1.0) ** 2 + (y3 - 1.0) ** 2)
        hxy = 2.0 * ((y - 1.0) * x + u1 + (y2 - 1.0) * 2.0 * x * y + 2.0 * y * u2)
        hxy = hxy + 2.0 * ((y3 - 1.0) * 3.0 * x * y2 + 3.0 * y2 * u3)
        x2 = x * x
        hyy = 2.0 * (x2 + 4.0 * x2 * y2 + 9.0 * x2 * y2 * y2 + 2.0 * x * u2 + 6.0 * x * y * u3)
        return hxx, hxy, hyy


class Himmelblau(Surface):
    """f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2; four minima with f = 0."""

    name, display_name = "himmelblau", "Himmelblau"
    description = (
        "Four equally deep minima: which one a run reaches depends only on where it starts "
        "and how the optimizer moves."
    )
    bounds, start, log_scale = (-5.0, 5.0, -5.0, 5.0), (0.0, 0.0), True
    known_minima = (
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.283185991286169),
        (3.5844283403304917, -1.8481265269644036),
    )

    def _value(self, x, y):
        return (x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2

    def _gradient(self, x, y):
        a, b = x * x + y - 11.0, x + y * y - 7.0
        return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b

    def _hessian(self, x, y):
        return 12.0 * x * x + 4.0 * y - 42.0, 4.0 * (x + y), 4.0 * x + 12.0 * y * y - 26.0


class Booth(Surface):
    """f = (x + 2y - 7)^2 + (2x + y - 5)^2; minimum f(1, 3) = 0; Hessian [[10, 8], [8, 10]]."""

    name, display_name = "booth", "Booth"
    description = (
        "A tilted quadratic bowl with the same curvature everywhere (eigenvalues 18 and 2): "
        "the easy case every optimizer should solve."
    )
    bounds, start, log_scale = (-10.0, 10.0, -10.0, 10.0), (-8.0, -6.0), False
    known_minima = ((1.0, 3.0),)

    def _value(self, x, y):
        return (x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2

    def _gradient(self, x, y):
        a, b = x + 2.0 * y - 7.0, 2.0 * x + y - 5.0
        return 2.0 * a + 4.0 * b, 4.0 * a + 2.0 * b

    def _hessian(self, x, y):
        return 10.0, 8.0, 10.0


class GoldsteinPrice(Surface):
    """f = A(u) B(t) with u = x + y, t = 2x - 3y (the standard form, factored).

    A = 1 + (u + 1)^2 (19 - 14u + 3u^2) = 3u^4 - 8u^3 - 6u^2 + 24u + 20 and
    B = 30 + t^2 (18 - 16t + 3t^2); both are positive, so the minima sit where A and B
    have theirs: u in {-1, 2}, t in {3, 0}.  Global f(0, -1) = 3; local f(-0.6, -0.4) = 30,
    f(1.8, 0.2) = 84, f(1.2, 0.8) = 840.
    """

    name, display_name = "goldstein_price", "Goldstein-Price"
    description = (
        "Values spanning six orders of magnitude and four minima: a test of how an optimizer "
        "copes with huge gradients and misleading local dips."
    )
    bounds, start, log_scale = (-2.0, 2.0, -2.0, 2.0), (1.0, 0.0), True
    known_minima = ((0.0, -1.0), (-0.6, -0.4), (1.8, 0.2), (1.2, 0.8))

    @staticmethod
    def _factors(x, y):
        u, t = x + y, 2.0 * x - 3.0 * y
        a = (((3.0 * u - 8.0) * u - 6.0) * u + 24.0) * u + 20.0
        b = 30.0 + t * t * (18.0 + t * (3.0 * t - 16.0))
        da, db = 12.0 * (((u - 2.0) * u - 1.0) * u + 2.0), 12.0 * t * ((t - 4.0) * t + 3.0)
        d2a, d2b = 36.0 * u * u - 48.0 * u - 12.0, 36.0 * t * t - 96.0 * t + 36.0
        return a, b, da, db, d2a, d2b

    def _value(self, x, y):
        a, b, *_ = self._factors(x, y)
        return a * b

    def _gradient(self, x, y):  # du/dx = 1, du/dy = 1, dt/dx = 2, dt/dy = -3
        a, b, da, db, _, _ = self._factors(x, y)
        return da * b + 2.0 * a * db, da * b - 3.0 * a * db

    def _hessian(self, x, y):  # J^T [[A''B, A'B'], [A'B', AB'']] J with J = [[1, 1], [2, -3]]
        a, b, da, db, d2a, d2b = self._factors(x, y)
        uu, ut, tt = d2a * b, da * db, a * d2b
        return uu + 4.0 * ut + 4.0 * tt, uu - ut - 6.0 * tt, uu - 6.0 * ut + 9.0 * tt


class SixHumpCamel(Surface):
    """f = (4 - 2.1x^2 + x^4/3) x^2 + xy + (4y^2 - 4) y^2.

    Global minima f(±0.0898, ∓0.7127) = -1.0316; local f(∓1.7036, ±0.7961) = -0.2155 and
    f(±1.6071, ±0.5687) = 2.1043.
    """

    name, display_name = "six_hump_camel", "Six-hump camel"
    description = (
        "Six valleys of three different depths, two of them the deepest: a run settles in "
        "whichever basin it starts in."
    )
    bounds, start, log_scale = (-2.2, 2.2, -1.2, 1.2), (-1.0, 1.0), False
    known_minima = (
        (0.08984201310031807, -0.7126564030207396),
        (-0.08984201310031807, 0.7126564030207396),
        (-1.7036067149699807, 0.7960835686726251),
        (1.7036067149699807, -0.7960835686726251),
        (1.6071047529201972, 0.5686514548841314),
        (-1.6071047529201972, -0.5686514548841314),
    )

    def _value(self, x, y):
        x2, y2 = x * x, y * y
        return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (4.0 * y2 - 4.0) * y2

    def _gradient(self, x, y):
        x2 = x * x
        return x * (8.0 - 8.4 * x2 + 2.0 * x2 * x2) + y, x - 8.0 * y + 16.0 * y**3

    def _hessian(self, x, y):
        x2 = x * x
        return 8.0 - 25.2 * x2 + 10.0 * x2 * x2, 1.0, 48.0 * y * y - 8.0


class ThreeHumpCamel(Surface):
    """f = 2x^2 - 1.05x^4 + x^6/6 + xy + y^2; minimum f(0, 0) = 0, local f(±1.7476, ∓0.8738)."""

    name, display_name = "three_hump_camel", "Three-hump camel"
    description = (
        "One global minimum between two shallow side dips that catch runs started far out."
    )
    bounds, start, log_scale = (-2.5, 2.5, -2.5, 2.5), (-2.0, 2.0), True
    known_minima = (
        (0.0, 0.0),
        (1.7475523458302888, -0.8737761729151444),
        (-1.7475523458302888, 0.8737761729151444),
    )

    def _value(self, x, y):
        x2 = x * x
        return x2 * (2.0 - 1.05 * x2 + x2 * x2 / 6.0) + x * y + y * y

    def _gradient(self, x, y):
        x2 = x * x
        return x * (4.0 - 4.2 * x2 + x2 * x2) + y, x + 2.0 * y

    def _hessian(self, x, y):
        x2 = x * x
        return 4.0 - 12.6 * x2 + 5.0 * x2 * x2, 1.0, 2.0


class Matyas(Surface):
    """f = 0.26 (x^2 + y^2) - 0.48 xy; minimum f(0, 0) = 0; Hessian eigenvalues 1 and 0.04."""

    name, display_name = "matyas", "Matyas"
    description = (
        "A shallow, stretched bowl: along its diagonal valley the slope is 25 times gentler "
        "than across it, so plain gradient descent crawls."
    )
    bounds, start, log_scale = (-10.0, 10.0, -10.0, 10.0), (-8.0, -4.0), False
    known_minima = ((0.0, 0.0),)

    def _value(self, x, y):
        return 0.26 * (x * x + y * y) - 0.48 * x * y

    def _gradient(self, x, y):
        return 0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x

    def _hessian(self, x, y):
        return 0.52, -0.48, 0.52


CLASSICS = (
    Rosenbrock,
    Beale,
    Himmelblau,
    Booth,
    GoldsteinPrice,
    SixHumpCamel,
    ThreeHumpCamel,
    Matyas,
)
