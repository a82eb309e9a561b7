"""core.descent.outcomes: basins of attraction, divergence and settling steps."""

from __future__ import annotations

import numpy as np
import pytest

from core.descent.config import start_grid
from core.descent.outcomes import DIVERGED, NO_MINIMUM, classify_outcomes, settle_steps
from core.descent.trajectories import descend
from core.surfaces.surface import get_surface


def _himmelblau_basins(n: int = 8, steps: int = 400):
    surface = get_surface("himmelblau")
    starts = np.array(start_grid(surface.bounds, n))
    result = descend(surface, "gd", 0.01, starts, steps)
    return surface, starts, result


def test_himmelblau_grid_finds_all_four_minima():
    surface, starts, result = _himmelblau_basins()
    outcome = classify_outcomes(surface, starts, result.path[-1], result.diverged_at, result.loss)
    assert outcome.grid_shape == (8, 8)
    counts = outcome.counts()
    minima = np.asarray(surface.minima)
    assert len(minima) == 4
    assert all(counts.get(m, 0) > 0 for m in range(4)), counts
    assert DIVERGED not in counts
    reached = outcome.minimum_index >= 0
    # every labelled run really ended next to the minimum it is labelled with
    dist = np.linalg.norm(result.path[-1][reached] - minima[outcome.minimum_index[reached]], axis=1)
    assert dist.max() <= outcome.tol
    # the grid index lays the runs out by increasing y (rows) and x (columns)
    cells = starts[outcome.grid_index]
    assert np.all(np.diff(cells[:, :, 0], axis=1) > 0)
    assert np.all(np.diff(cells[:, :, 1], axis=0) > 0)
    assert np.all((outcome.steps > 0) & (outcome.steps <= 400))
    # the four corners of the grid lie in four different basins
    corners = outcome.minimum_index[outcome.grid_index[[0, 0, -1, -1], [0, -1, 0, -1]]]
    assert len(set(corners.tolist())) == 4


def test_diverged_runs_are_marked_with_their_step():
    surface = get_surface("himmelblau")
    starts = np.array([[3.5, 2.5], [1.0, 1.0], [0.0, 0.0]])
    final = np.array([[3.0, 2.0], [1.0, 1.0], [0.0, 0.0]])
    outcome = classify_outcomes(surface, starts, final, np.array([-1, 17, -1]), np.array([5, 9, 9]))
    assert outcome.minimum_index.tolist() == [0, DIVERGED, NO_MINIMUM]
    assert outcome.steps.tolist() == [5, 17, 9]
    assert outcome.grid_shape is None and outcome.grid_index is None
    assert not outcome.minimum_index.flags.writeable
    assert "3 starts" in repr(outcome)


def test_settle_steps():
    loss = np.array([[10.0, 5.0], [1.0, 5.0], [0.001, 5.0], [0.0, 5.0]])
    assert settle_steps(loss).tolist() == [2, 0]
    assert settle_steps(loss, steps=np.array([0, 10, 20, 30])).tolist() == [20, 0]
    with pytest.raises(ValueError, match="steps"):
        settle_steps(loss, steps=np.arange(3))


def test_inputs_are_validated():
    surface = get_surface("himmelblau")
    starts = np.zeros((2, 2))
    with pytest.raises(ValueError, match="final_points"):
        classify_outcomes(surface, starts, np.zeros((3, 2)), [-1, -1], [1, 1])
    with pytest.raises(ValueError, match="diverged_at"):
        classify_outcomes(surface, starts, starts, [-1], [1, 1])
    with pytest.raises(ValueError, match="steps"):
        classify_outcomes(surface, starts, starts, [-1, -1], [1, 1, 1])
    with pytest.raises(ValueError, match="tol"):
        classify_outcomes(surface, starts, starts, [-1, -1], [1, 1], tol=-1.0)
    with pytest.raises(ValueError, match="starts"):
        classify_outcomes(surface, np.zeros(4), starts, [-1, -1], [1, 1])
