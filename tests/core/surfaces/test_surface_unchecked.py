"""value_at / gradient_at / hessian_at, the unchecked evaluations the descent engine
calls at every step, give exactly what value / gradient / hessian give, as new arrays."""

from __future__ import annotations

import numpy as np
import pytest

from core.surfaces.surface import expression_surface, get_surface, surface_names

SURFACES = [get_surface(n) for n in surface_names()] + [
    expression_surface("log(x) + 1/y", (-2.0, 2.0, -2.0, 2.0)),  # NaN and inf off the domain
    expression_surface("3", (-1.0, 1.0, -1.0, 1.0)),  # a constant: broadcast to the shape
]


@pytest.mark.parametrize("surface", SURFACES, ids=repr)
def test_unchecked_evaluation_equals_the_checked_one(surface):
    rng = np.random.default_rng(7)
    xmin, xmax, ymin, ymax = surface.bounds
    points = np.column_stack([rng.uniform(xmin, xmax, 50), rng.uniform(ymin, ymax, 50)])
    points[:3] = [[0.0, 0.0], [-1.0, 0.0], [1e200, -1e200]]
    x, y = points[:, 0], points[:, 1]
    with np.errstate(all="ignore"):
        value, gradient = surface.value_at(x, y), surface.gradient_at(x, y)
        hessian = surface.hessian_at(x, y)
    assert value.shape == (50,) and gradient.shape == (50, 2) and hessian.shape == (50, 2, 2)
    assert value.tobytes() == surface.value(points).tobytes()
    assert gradient.tobytes() == surface.gradient(points).tobytes()
    assert hessian.tobytes() == surface.hessian(points).tobytes()
    for result in (value, gradient, hessian):
        assert not np.shares_memory(result, points)
