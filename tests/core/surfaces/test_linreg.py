"""The linear-regression surface: exact MSE, least-squares minimum, epoch mini-batch sampling."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.surfaces.linreg import MiniBatchGradient
from core.surfaces.surface import get_surface


def direct_loss_and_gradient(surface, p: np.ndarray, indices=None):
    """Straight from the definition: mean over the samples of (w x + b - y)^2."""
    x, y = surface.x, surface.y
    if indices is None:
        indices = np.broadcast_to(np.arange(len(x)), (len(p), len(x)))
    xb, yb = x[indices], y[indices]
    residual = p[:, :1] * xb + p[:, 1:] - yb
    loss = np.mean(residual**2, axis=1)
    return loss, np.column_stack([2 * np.mean(residual * xb, 1), 2 * np.mean(residual, 1)])


def draw_epochs(stream: MiniBatchGradient, p: np.ndarray, epochs: int):
    """Per call: (gradient, indices used)."""
    draws = []
    for _ in range(epochs * stream.batches_per_epoch):
        draws.append((stream(p), stream.last_indices))
    return draws


def test_data_set_is_seeded_read_only_and_off_centre():
    a, b = get_surface("linreg", n=40, seed=3), get_surface("linreg", n=40, seed=3)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.x, get_surface("linreg", n=40, seed=4).x)
    assert a.x.shape == a.y.shape == (40,) and a.n_samples == 40
    assert not a.x.flags.writeable and not a.y.flags.writeable
    assert 0.5 <= a.x.min() and a.x.max() <= 3.5 and a.x.mean() > 1.0  # w and b are coupled


def test_value_gradient_hessian_equal_the_definition():
    s = get_surface("linreg", n=37, noise=1.3, seed=11)
    p = np.random.default_rng(0).normal(0, 5, size=(50, 2))
    loss, grad = direct_loss_and_gradient(s, p)
    np.testing.assert_allclose(s.value(p), loss, rtol=1e-12)
    np.testing.assert_allclose(s.gradient(p), grad, rtol=1e-10, atol=1e-12)
    mx, mxx = s.x.mean(), np.mean(s.x**2)
    np.testing.assert_allclose(
        s.hessian(p), np.broadcast_to(2 * np.array([[mxx, mx], [mx, 1]]), (50, 2, 2))
    )


def test_known_minimum_is_the_least_squares_fit():
    s = get_surface("linreg", n=64, noise=0.8, seed=5)
    (w, b), *_ = np.linalg.lstsq(np.column_stack([s.x, np.ones_like(s.x)]), s.y, rcond=None)
    np.testing.assert_allclose(s.minima, [[w, b]], rtol=1e-12)
    assert np.abs(s.gradient(s.minima)).max() < 1e-12
    np.testing.assert_allclose(s.value(s.minima), direct_loss_and_gradient(s, s.minima)[0])


def test_noise_free_data_fit_the_true_line_exactly_and_loss_never_goes_negative():
    s = get_surface("linreg", noise=0.0)
    np.testing.assert_allclose(s.minima, [[2.0, -1.0]], atol=1e-12)
    _, _, z = s.value_grid(101, bounds=(1.9, 2.1, -1.1, -0.9))
    assert z.min() >= 0.0 and s.value(s.minima)[0] >= 0.0


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(2, 500),
    noise=st.floats(0.0, 10.0, allow_nan=False),
    seed=st.integers(0, 2**32 - 1),
)
def test_view_box_contains_start_and_minimum(n, noise, seed):
    s = get_surface("linreg", n=n, noise=noise, seed=seed)
    xmin, xmax, ymin, ymax = s.bounds
    for px, py in (s.start, tuple(s.minima[0])):
        assert xmin < px < xmax and ymin < py < ymax


@pytest.mark.parametrize("batch", [None, 50, 80])
def test_full_batch_stream_is_the_analytic_gradient(batch):
    s = get_surface("linreg")  # n = 50: a batch of n or more is the full batch
    p = np.random.default_rng(1).normal(size=(4, 2))
    stream = s.gradient_stream(4, seed=0, batch=batch)
    assert not isinstance(stream, MiniBatchGradient)
    np.testing.assert_array_equal(stream(p), s.gradient(p))


@pytest.mark.parametrize(("n", "batch"), [(10, 3), (12, 4), (7, 1), (9, 8)])
def test_every_sample_once_per_epoch_per_run_with_the_partial_batch_last(n, batch):
    s = get_surface("linreg", n=n)
    stream = s.gradient_stream(5, seed=42, batch=batch)
    sizes = [batch] * (n // batch) + ([n % batch] if n % batch else [])
    assert stream.batches_per_epoch == len(sizes)
    p = np.zeros((5, 2))
    draws = draw_epochs(stream, p, epochs=4)
    assert [idx.shape for _, idx in draws] == [(5, size) for size in sizes] * 4
    per_epoch = len(sizes)
    epochs = [
        np.concatenate([idx for _, idx in draws[e * per_epoch : (e + 1) * per_epoch]], axis=1)
        for e in range(4)
    ]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order, axis=1), np.broadcast_to(np.arange(n), (5, n)))
    if n > 3:  # reshuffled every epoch, and each run has its own order
        assert any(not np.array_equal(epochs[0], later) for later in epochs[1:])
        assert len({tuple(row) for row in epochs[0]}) > 1
    assert stream.epoch == 4 and stream.batch_index == 0 and stream.steps == 4 * per_epoch


def test_mini_batch_gradients_follow_the_definition_and_average_to_the_full_gradient():
    s = get_surface("linreg", n=10, noise=1.0, seed=2)
    p = np.random.default_rng(3).normal(0, 2, size=(3, 2))
    stream = s.gradient_stream(3, seed=9, batch=4)  # batches of 4, 4, 2
    draws = draw_epochs(stream, p, epochs=2)
    for grad, indices in draws:
        np.testing.assert_allclose(grad, direct_loss_and_gradient(s, p, indices)[1], rtol=1e-12)
    for epoch in (draws[:3], draws[3:]):  # weighted by batch size, an epoch is the full batch
        weighted = sum(grad * idx.shape[1] for grad, idx in epoch) / s.n_samples
        np.testing.assert_allclose(weighted, s.gradient(p), rtol=1e-12, atol=1e-12)
    even = s.gradient_stream(3, seed=9, batch=5)  # 10 = 2 x 5: a plain mean works
    mean = (even(p) + even(p)) / 2
    np.testing.assert_allclose(mean, s.gradient(p), rtol=1e-12, atol=1e-12)


def test_stochastic_gradient_uses_one_sample_per_step():
    s = get_surface("linreg", n=6)
    p = np.array([[0.5, -0.5]])
    stream = s.gradient_stream(1, seed=0, batch=1)
    seen = []
    for _ in range(6):
        grad = stream(p)
        (i,) = stream.last_indices[0]
        seen.append(i)
        r = p[0, 0] * s.x[i] + p[0, 1] - s.y[i]
        np.testing.assert_allclose(grad, [[2 * r * s.x[i], 2 * r]], rtol=1e-12)
    assert sorted(seen) == list(range(6))


def test_sampling_is_reproducible_and_independent_of_the_number_of_runs():
    s = get_surface("linreg", n=20)
    p3, p5 = np.ones((3, 2)), np.ones((5, 2))

    def sequence(stream, p, steps=12):
        return np.array([stream(p) for _ in range(steps)])

    first = sequence(s.gradient_stream(3, seed=7, batch=3), p3)
    np.testing.assert_array_equal(first, sequence(s.gradient_stream(3, seed=7, batch=3), p3))
    assert not np.array_equal(first, sequence(s.gradient_stream(3, seed=8, batch=3), p3))
    five = sequence(s.gradient_stream(5, seed=7, batch=3), p5)
    np.testing.assert_array_equal(first, five[:, :3])  # run k: SeedSequence(seed).spawn(.)[k]
    same = sequence(s.gradient_stream(3, seed=[4, 4, 5], batch=3), p3)  # per-run seeds
    np.testing.assert_array_equal(same[:, 0], same[:, 1])
    assert not np.array_equal(same[:, 0], same[:, 2])


def test_stream_validation_and_no_warnings():
    s = get_surface("linreg", n=20)
    for kwargs, field in (
        ({"batch": 0}, "batch"),
        ({"batch": -2}, "batch"),
        ({"batch": 2.5}, "batch"),
        ({"batch": True}, "batch"),
        ({"seed": -1}, "seed"),
        ({"seed": 1.5}, "seed"),
    ):
        with pytest.raises(ValueError, match=f"^{field} must be"):
            s.gradient_stream(2, **kwargs)
    stream = s.gradient_stream(2, seed=0, batch=3)
    with pytest.raises(ValueError, match=r"points must have shape \(2, 2\)"):
        stream(np.zeros((3, 2)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grad = stream(np.array([[1e300, -1e300], [np.nan, np.inf]]))
        s.value(np.array([[1e300, 1e300]]))
    assert not np.isfinite(grad).all()
    assert "batch=3" in repr(stream) and "epoch=0" in repr(stream)
