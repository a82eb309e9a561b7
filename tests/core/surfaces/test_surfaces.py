"""Built-in surfaces: analytic derivatives vs finite differences, literature minima, contract."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.surfaces.surface import Surface, expression_surface, get_surface, surface_names

NAMES = surface_names()
CONTRACT_NAMES = (
    "rosenbrock beale himmelblau booth goldstein_price six_hump_camel three_hump_camel matyas "
    "ackley rastrigin styblinski_tang saddle monkey_saddle bowl linreg"
).split()
UNIT = st.floats(0.0, 1.0, allow_nan=False)
POINTS = st.lists(st.tuples(UNIT, UNIT), min_size=1, max_size=12)
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Literature values (Jamil & Yang 2013; Molga & Smutnicki 2005; Surjanovic & Bingham's
# virtual library), to the digits those sources print: (x, y, f, tolerance on x/y and f).
LITERATURE = {
    "rosenbrock": [(1.0, 1.0, 0.0, 1e-12)],
    "beale": [(3.0, 0.5, 0.0, 1e-12)],
    "himmelblau": [
        (3.0, 2.0, 0.0, 1e-12),
        (-2.805118, 3.131312, 0.0, 1e-6),
        (-3.779310, -3.283186, 0.0, 1e-6),
        (3.584428, -1.848126, 0.0, 1e-6),
    ],
    "booth": [(1.0, 3.0, 0.0, 1e-12)],
    "goldstein_price": [
        (0.0, -1.0, 3.0, 1e-12),
        (-0.6, -0.4, 30.0, 1e-9),
        (1.8, 0.2, 84.0, 1e-9),
        (1.2, 0.8, 840.0, 1e-9),
    ],
    "six_hump_camel": [
        (0.0898, -0.7126, -1.0316, 1e-4),
        (-0.0898, 0.7126, -1.0316, 1e-4),
        (-1.7036, 0.7961, -0.2155, 1e-4),
        (1.7036, -0.7961, -0.2155, 1e-4),
        (1.6071, 0.5687, 2.1043, 1e-4),
        (-1.6071, -0.5687, 2.1043, 1e-4),
    ],
    "three_hump_camel": [
        (0.0, 0.0, 0.0, 1e-12),
        (1.7476, -0.8738, 0.2986, 1e-4),
        (-1.7476, 0.8738, 0.2986, 1e-4),
    ],
    "matyas": [(0.0, 0.0, 0.0, 1e-12)],
    "ackley": [(0.0, 0.0, 0.0, 1e-12)],
    "rastrigin": [(0.0, 0.0, 0.0, 1e-12)],
    "styblinski_tang": [  # -39.16617 per dimension
        (-2.903534, -2.903534, -78.33234, 1e-5),
        (-2.903534, 2.746803, -64.19561, 1e-5),
        (2.746803, -2.903534, -64.19561, 1e-5),
        (2.746803, 2.746803, -50.05889, 1e-5),
    ],
    "saddle": [],
    "monkey_saddle": [],
    "bowl": [(0.0, 0.0, 0.0, 1e-12)],
}

# The same landscapes typed as formulas: a second, independent derivation (symbolic).
FORMULAS = {
    "rosenbrock": "(1 - x)**2 + 100*(y - x**2)**2",
    "beale": "(1.5 - x + x*y)**2 + (2.25 - x + x*y**2)**2 + (2.625 - x + x*y**3)**2",
    "himmelblau": "(x**2 + y - 11)**2 + (x + y**2 - 7)**2",
    "booth": "(x + 2*y - 7)**2 + (2*x + y - 5)**2",
    "goldstein_price": "(1 + (x + y + 1)**2*(19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2))"
    "*(30 + (2*x - 3*y)**2*(18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2))",
    "six_hump_camel": "(4 - 2.1*x**2 + x**4/3)*x**2 + x*y + (-4 + 4*y**2)*y**2",
    "three_hump_camel": "2*x**2 - 1.05*x**4 + x**6/6 + x*y + y**2",
    "matyas": "0.26*(x**2 + y**2) - 0.48*x*y",
    "ackley": "-20*exp(-0.2*sqrt(0.5*(x**2 + y**2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y)))"
    " + e + 20",
    "rastrigin": "20 + x**2 - 10*cos(2*pi*x) + y**2 - 10*cos(2*pi*y)",
    "styblinski_tang": "0.5*(x**4 - 16*x**2 + 5*x + y**4 - 16*y**2 + 5*y)",
    "saddle": "x**2 - y**2",
    "monkey_saddle": "x**3 - 3*x*y**2",
    "bowl": "0.5*(x**2 + 10*y**2)",
}


def in_box(surface: Surface, unit_points) -> np.ndarray:
    xmin, xmax, ymin, ymax = surface.bounds
    u = np.asarray(unit_points, dtype=float).reshape(-1, 2)
    return np.column_stack([xmin + u[:, 0] * (xmax - xmin), ymin + u[:, 1] * (ymax - ymin)])


def smooth_points(name: str, points: np.ndarray) -> np.ndarray:
    """Ackley's cone tip is not differentiable: finite differences need distance from it."""
    if name == "ackley":
        points = points[np.hypot(points[:, 0], points[:, 1]) > 0.05]
    return points


def central_difference(func, p: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """d func / d(x, y) stacked on a new last axis."""
    dx, dy = np.array([h, 0.0]), np.array([0.0, h])
    return np.stack(
        [(func(p + dx) - func(p - dx)) / (2 * h), (func(p + dy) - func(p - dy)) / (2 * h)], -1
    )


def test_registry_has_the_contract_names_in_order():
    assert NAMES == CONTRACT_NAMES
    for name in NAMES:
        assert get_surface(name).name == name


@pytest.mark.parametrize("name", NAMES)
def test_metadata_is_complete_and_consistent(name):
    s = get_surface(name)
    assert s.display_name and s.description.endswith(".") and s.description.count(". ") == 0
    xmin, xmax, ymin, ymax = s.bounds
    assert xmin < xmax and ymin < ymax
    assert xmin < s.start[0] < xmax and ymin < s.start[1] < ymax
    assert isinstance(s.log_scale, bool)
    assert s.minima.shape[1] == 2 and not s.minima.flags.writeable
    for mx, my in s.minima:
        assert xmin <= mx <= xmax and ymin <= my <= ymax
    assert repr(s).startswith(f"Surface({name!r}")


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(unit=POINTS)
def test_gradient_matches_central_differences(name, unit):
    s = get_surface(name)
    p = smooth_points(name, in_box(s, unit))
    g, fd = s.gradient(p), central_difference(s.value, p)
    tolerance = 1e-6 * (1 + np.abs(g)) + 1e-9 * (1 + np.abs(s.value(p)))[:, None]
    np.testing.assert_array_less(np.abs(g - fd), tolerance)


@pytest.mark.parametrize("name", NAMES)
@FAST
@given(unit=POINTS)
def test_hessian_matches_central_differences_of_the_gradient(name, unit):
    s = get_surface(name)
    p = smooth_points(name, in_box(s, unit))
    hess, fd = s.hessian(p), central_difference(s.gradient, p)
    scale = 1 + np.abs(s.gradient(p))[:, :, None]
    np.testing.assert_array_less(np.abs(hess - fd), 1e-6 * (1 + np.abs(hess)) + 1e-9 * scale)
    np.testing.assert_array_equal(hess[:, 0, 1], hess[:, 1, 0])


@pytest.mark.parametrize("name", [n for n in NAMES if n in LITERATURE])
def test_minima_match_the_literature(name):
    s = get_surface(name)
    expected = LITERATURE[name]
    assert len(s.minima) == len(expected)
    for (mx, my), (ex, ey, ef, tol) in zip(s.minima, expected, strict=True):
        assert abs(mx - ex) <= tol and abs(my - ey) <= tol
        assert abs(s.value(np.array([[mx, my]]))[0] - ef) <= max(tol, 1e-12 * abs(ef))
    if len(s.minima):
        grad = s.gradient(s.minima)
        assert np.abs(grad).max() <= 1e-9 * (1 + np.abs(s.value(s.minima)).max())
        eigenvalues = np.linalg.eigvalsh(s.hessian(s.minima))
        assert (eigenvalues > 0).all()  # true minima, not saddles


@pytest.mark.parametrize("name", NAMES)
def test_no_grid_point_lies_below_the_global_minimum(name):
    s = get_surface(name)
    _, _, z = s.value_grid(301)
    if len(s.minima) == 0:
        assert z.min() < s.value(np.zeros((1, 2)))[0] < z.max()  # unbounded below: a saddle
        return
    best = s.value(s.minima[:1])[0]
    assert z.min() >= best - 1e-12 * (1 + abs(best))
    assert (s.value(s.minima) >= best - 1e-12).all()  # the global minimum is listed first


@pytest.mark.parametrize("name", list(FORMULAS))
def test_formula_twins_agree_with_the_hand_derived_derivatives(name):
    s, twin = get_surface(name), expression_surface(FORMULAS[name], get_surface(name).bounds)
    p = smooth_points(name, in_box(s, np.random.default_rng(3).random((200, 2))))
    for method in ("value", "gradient", "hessian"):
        ours, theirs = getattr(s, method)(p), getattr(twin, method)(p)
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)


def test_saddles_have_a_critical_point_that_is_no_minimum():
    origin = np.zeros((1, 2))
    saddle, monkey = get_surface("saddle"), get_surface("monkey_saddle")
    np.testing.assert_array_equal(saddle.gradient(origin), [[0.0, 0.0]])
    np.testing.assert_array_equal(np.linalg.eigvalsh(saddle.hessian(origin))[0], [-2.0, 2.0])
    np.testing.assert_array_equal(monkey.gradient(origin), [[0.0, 0.0]])
    np.testing.assert_array_equal(monkey.hessian(origin), np.zeros((1, 2, 2)))


@pytest.mark.parametrize("condition", [1.0, 10.0, 250.0])
def test_bowl_curvatures_and_the_critical_learning_rate(condition):
    bowl = get_surface("bowl", condition=condition)
    eigenvalues = np.linalg.eigvalsh(bowl.hessian(np.array([[0.3, -1.2]])))[0]
    np.testing.assert_allclose(eigenvalues, sorted([1.0, condition]))
    lambda_max = max(1.0, condition)
    for factor, converges in ((0.95, True), (1.05, False)):
        p = np.array([[1.0, 1.0]])
        for _ in range(2000):  # plain gradient descent
            p = p - factor * 2.0 / lambda_max * bowl.gradient(p)
        assert (np.abs(p).max() < 1e-3) == converges


def test_parameters_are_validated_with_field_and_range():
    with pytest.raises(ValueError, match=r"condition must be a number in \[1, 10000\], got 0.5"):
        get_surface("bowl", condition=0.5)
    for bad in (float("nan"), "10", True, None):
        with pytest.raises(ValueError, match="condition must be a number"):
            get_surface("bowl", condition=bad)
    with pytest.raises(ValueError, match=r"n must be an integer in \[2, 10000\], got 2.5"):
        get_surface("linreg", n=2.5)
    with pytest.raises(ValueError, match="unknown parameter 'size' for surface 'bowl'"):
        get_surface("bowl", size=3)
    with pytest.raises(ValueError, match="unknown parameter 'condition' for surface 'rosenbrock'"):
        get_surface("rosenbrock", condition=3)
    with pytest.raises(ValueError, match="unknown surface 'rosenbrok'; choose one of: rosenbrock"):
        get_surface("rosenbrok")
    assert get_surface("linreg", n=20.0).n_samples == 20  # integral floats from JSON are fine
    assert get_surface("bowl", condition=np.float64(3)).params == (("condition", 3.0),)


def test_shapes_single_points_grids_and_bad_input():
    s = get_surface("himmelblau")
    assert s.value(np.array([1.0, 2.0])).shape == ()
    assert s.gradient(np.zeros((4, 2))).shape == (4, 2)
    assert s.hessian(np.zeros((4, 2))).shape == (4, 2, 2)
    assert s.hessian(np.zeros((3, 5, 2))).shape == (3, 5, 2, 2)
    assert s.value(np.zeros((0, 2))).shape == (0,)
    for bad in (np.zeros((4, 3)), 1.0, [[1, 2, 3]]):
        with pytest.raises(ValueError, match=r"points must have shape \(K, 2\)"):
            s.value(bad)
    xs, ys, z = s.value_grid(7, bounds=(0, 1, 2, 4))
    assert z.shape == (7, 7)
    assert z[2, 5] == s.value(np.array([xs[5], ys[2]]))
    with pytest.raises(ValueError, match="resolution must be an integer in"):
        s.value_grid(1)
    with pytest.raises(ValueError, match="bounds must be"):
        s.value_grid(5, bounds=(1, 0, 0, 1))


def test_surfaces_are_immutable_and_return_fresh_arrays():
    s = get_surface("bowl")
    with pytest.raises(AttributeError, match="immutable"):
        s.condition = 3.0
    with pytest.raises(AttributeError, match="immutable"):
        s.bounds = (0, 1, 0, 1)
    with pytest.raises(ValueError):
        s.minima[0, 0] = 5.0
    p = np.array([[1.0, 2.0]])
    g = s.gradient(p)
    g[0, 0] = 99.0
    assert p[0, 0] == 1.0 and s.gradient(p)[0, 0] == 1.0


@pytest.mark.parametrize("name", NAMES)
def test_no_runtime_warnings_far_outside_the_box(name):
    s = get_surface(name)
    p = np.array([[1e200, -1e200], [np.inf, 0.0], [np.nan, 1.0], [0.0, 0.0], [1e-320, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s.value(p), s.gradient(p), s.hessian(p)
        s.gradient_stream(5, seed=0)(p)


def test_default_gradient_stream_is_the_exact_gradient_and_checks_its_input():
    s = get_surface("rosenbrock")
    p = np.random.default_rng(0).normal(size=(3, 2))
    stream = s.gradient_stream(3, seed=0, batch=4)  # no data set: batch has nothing to sample
    np.testing.assert_array_equal(stream(p), s.gradient(p))
    with pytest.raises(ValueError, match=r"points must have shape \(3, 2\)"):
        stream(np.zeros((2, 2)))
    for kwargs, field in (
        ({"n_runs": 0}, "n_runs"),
        ({"n_runs": 2, "seed": -1}, "seed"),
        ({"n_runs": 2, "seed": [1, 2, 3]}, "seed"),
        ({"n_runs": 2, "batch": 0}, "batch"),
        ({"n_runs": 2, "batch": 1.5}, "batch"),
    ):
        with pytest.raises(ValueError, match=f"^{field} must be"):
            s.gradient_stream(**kwargs)


def test_ackley_tip_is_finite():
    s = get_surface("ackley")
    origin = np.zeros((1, 2))
    assert abs(s.value(origin)[0]) < 1e-12
    np.testing.assert_array_equal(s.gradient(origin), [[0.0, 0.0]])
    assert np.isfinite(s.hessian(origin)).all() and s.hessian(origin)[0, 0, 0] > 1e11


def test_expression_surface_metadata_and_bounds_checks():
    s = expression_surface("x**2 + 3*sin(y)", bounds=(-2, 2, -1, 5))
    assert s.name == "expr" and s.bounds == (-2.0, 2.0, -1.0, 5.0)
    assert "x**2 + 3*sin(y)" in s.description and s.minima.shape == (0, 2)
    assert -2 < s.start[0] < 2 and -1 < s.start[1] < 5
    np.testing.assert_allclose(s.gradient(np.array([[1.0, 0.0]])), [[2.0, 3.0]])
    assert repr(s) == "ExpressionSurface('x**2 + 3*sin(y)', bounds=(-2.0, 2.0, -1.0, 5.0))"
    for bad in ((0, 0, 0, 1), (0, 1, 0), (0, np.inf, 0, 1), "abcd"):
        with pytest.raises(ValueError, match="bounds must be"):
            expression_surface("x", bad)
    with pytest.raises(ValueError, match="unknown name 'z' at column 7"):
        expression_surface("x + y*z")
