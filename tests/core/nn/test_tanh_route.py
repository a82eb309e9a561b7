"""The tanh route chosen at import: calibration, forcing a route, and both routes in a net."""

from __future__ import annotations

import math

import numpy as np
import pytest

import core.nn.activations as activations
from core.nn.activations import (
    TANH_CALIBRATION,
    TANH_ROUTES,
    calibrate_tanh,
    set_tanh_route,
    tanh,
    tanh_route,
)
from core.nn.network import MLP


class FakeClock:
    """A timer that advances only while a route runs, by that route's scripted durations."""

    def __init__(self):
        self.now = 0.0

    def route(self, durations):
        samples = iter(durations)

        def run(z, out=None):
            self.now += next(samples)
            return out

        return run

    def __call__(self):
        return self.now


def _calibrate(monkeypatch, numpy_durations, table_durations):
    clock = FakeClock()
    routes = {"numpy": clock.route(numpy_durations), "table": clock.route(table_durations)}
    monkeypatch.setattr(activations, "_TANH_ROUTE_FUNCTIONS", routes)
    return calibrate_tanh(repeats=len(numpy_durations), timer=clock)


@pytest.fixture
def restore_route():
    previous = tanh_route()
    yield
    set_tanh_route(previous)


def test_calibration_picks_the_table_when_its_fastest_call_is_clearly_faster(monkeypatch):
    # np.tanh as a scalar loop (AVX2): ~2x slower than the table, with noisy repeats
    result = _calibrate(monkeypatch, [9e-4, 4e-4, 5e-4, 4.4e-4], [3e-4, 2e-4, 8e-4, 2.1e-4])
    assert result.route == "table"
    assert (result.numpy_seconds, result.table_seconds) == pytest.approx((4e-4, 2e-4))
    assert result.repeats == 4


def test_calibration_picks_numpy_when_np_tanh_is_faster(monkeypatch):
    # np.tanh vectorized (AVX-512): the table ~9x slower, one lucky table sample aside
    result = _calibrate(monkeypatch, [5e-5, 4e-5, 6e-5], [3.5e-4, 1e-4, 4e-4])
    assert result.route == "numpy"
    assert (result.numpy_seconds, result.table_seconds) == pytest.approx((4e-5, 1e-4))


def test_a_near_tie_keeps_numpy_so_noise_cannot_flip_the_route(monkeypatch):
    table_20_percent_faster = _calibrate(monkeypatch, [1.2e-4] * 3, [1e-4] * 3)
    assert table_20_percent_faster.route == "numpy"
    table_30_percent_faster = _calibrate(monkeypatch, [1.3e-4] * 3, [1e-4] * 3)
    assert table_30_percent_faster.route == "table"


def test_calibration_at_import_chose_what_its_own_timings_say_and_is_in_use():
    calibration = TANH_CALIBRATION
    assert calibration.route in TANH_ROUTES
    assert tanh_route() == calibration.route  # every test that forces a route restores it
    timings = (calibration.numpy_seconds, calibration.table_seconds)
    assert all(math.isfinite(t) and t > 0.0 for t in timings)
    table_wins = calibration.table_seconds * activations._TABLE_MARGIN < calibration.numpy_seconds
    assert calibration.route == ("table" if table_wins else "numpy")
    assert calibration.route in str(calibration) and "us" in str(calibration)


def test_set_tanh_route_returns_the_previous_route_and_rejects_unknown_names(restore_route):
    set_tanh_route("table")
    assert set_tanh_route("numpy") == "table"
    assert tanh_route() == "numpy"
    with pytest.raises(ValueError, match="tanh route must be one of numpy, table"):
        set_tanh_route("fast")
    assert tanh_route() == "numpy"  # a rejected name changes nothing


def test_forced_route_decides_the_numbers_of_large_arrays(restore_route):
    z = np.concatenate([np.logspace(-8, 1.3, 20_000), -np.logspace(-8, 1.3, 20_000)])
    table = activations._tanh_table(z)
    assert not np.array_equal(table, np.tanh(z))  # else this test could not tell them apart
    set_tanh_route("table")
    np.testing.assert_array_equal(tanh(z), table)
    set_tanh_route("numpy")
    np.testing.assert_array_equal(tanh(z), np.tanh(z))


def test_both_routes_give_the_same_network_gradients(restore_route):
    rng = np.random.default_rng(4)
    net = MLP([2, 64, 64, 64, 1], activation="tanh", seed=2)
    X, y = rng.normal(size=(256, 2)), rng.normal(size=256)  # 16,384 units: past 3,000
    results = {}
    for route in TANH_ROUTES:
        set_tanh_route(route)
        results[route] = net.loss_and_grads(X, y, loss="mse")
    (loss_n, dW_n, db_n), (loss_t, dW_t, db_t) = results["numpy"], results["table"]
    assert loss_t == pytest.approx(loss_n, rel=1e-13)
    for ours, theirs in zip(dW_t + db_t, dW_n + db_n, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-16)
