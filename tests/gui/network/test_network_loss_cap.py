"""The loss axis's cap when a run blows up, and where that run leaves the plot."""

from __future__ import annotations

import numpy as np
import pytest

from gui.network.views.loss_cap import blown_up, exit_point, loss_cap


def test_a_run_whose_loss_grew_a_hundredfold_or_overflowed_has_blown_up():
    assert not blown_up(np.array([0.5, 0.3, 0.1]))
    assert not blown_up(np.array([0.55, 4.35]))  # overfitting's test loss: 8x, not blown up
    assert blown_up(np.array([0.15, 2.0, 16.0]))  # 107x its first loss
    assert blown_up(np.array([0.15, np.inf]))
    assert not blown_up(np.array([0.15]))


def test_cap_is_ten_times_the_largest_loss_of_the_runs_that_did_not_blow_up():
    train = [np.array([0.146, 0.105]), np.array([0.146, 0.016]), np.array([0.146, 3.9e8])]
    test = [np.array([0.2, 0.12]), np.array([]), np.array([0.3, 5e8])]
    assert loss_cap(train, test) == pytest.approx(10 * 0.2)


def test_no_cap_when_no_run_or_every_run_blew_up():
    calm = [np.array([0.5, 0.2]), np.array([0.5, 0.1])]
    assert loss_cap(calm, [np.array([])] * 2) == np.inf
    wild = [np.array([0.5, 1e3]), np.array([0.5, 1e5])]
    assert loss_cap(wild, [np.array([])] * 2) == np.inf


def test_exit_point_is_where_the_log_curve_crosses_the_cap():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.array([0.1, 1.0, 100.0, 1e4])
    # cap 10 lies halfway (in log10) between 1 at x = 1 and 100 at x = 2
    assert exit_point(x, y, 10.0) == pytest.approx((1.5, 10.0))
    assert exit_point(x, y, 1e5) is None
    assert exit_point(x, y, np.inf) is None
    assert exit_point(x, np.array([50.0, 60.0, 70.0, 80.0]), 10.0) == (0.0, 10.0)
