"""Activations, their derivatives, batch-norm pieces and the losses, against references."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.nn.activations import (
    ACTIVATIONS,
    TANH_ROUTES,
    batch_norm_backward,
    batch_norm_forward,
    set_tanh_route,
    sigmoid,
    softmax,
    tanh,
    update_running_stats,
)
from core.nn.losses import (
    accuracy,
    check_loss,
    output_loss,
    prepare_targets,
    targets_from_labels,
)

ALL_HIDDEN = sorted(ACTIVATIONS)


@pytest.mark.parametrize("name", ALL_HIDDEN)
@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(0.1, 5.0))
def test_activation_derivative_matches_central_differences(name, seed, scale):
    forward, backward = ACTIVATIONS[name]
    z = np.random.default_rng(seed).normal(0.0, scale, size=(4, 5))
    z = z[np.abs(z) > 1e-3].reshape(-1, 1)  # keep off the kink of relu-like functions
    eps = 1e-6
    numeric = (forward(z + eps) - forward(z - eps)) / (2 * eps)
    analytic = backward(np.ones_like(z), z, forward(z))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_activation_values():
    z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    np.testing.assert_allclose(ACTIVATIONS["relu"][0](z), [0, 0, 0, 0.5, 2])
    np.testing.assert_allclose(ACTIVATIONS["leaky_relu"][0](z), [-0.02, -0.005, 0, 0.5, 2])
    np.testing.assert_allclose(ACTIVATIONS["elu"][0](z), [np.expm1(-2), np.expm1(-0.5), 0, 0.5, 2])
    np.testing.assert_allclose(ACTIVATIONS["softplus"][0](z), np.log1p(np.exp(z)))
    np.testing.assert_allclose(ACTIVATIONS["sigmoid"][0](z), 1 / (1 + np.exp(-z)))
    assert ACTIVATIONS["linear"][0](z) is z


@pytest.fixture(params=TANH_ROUTES)
def tanh_route(request):
    """Run a tanh test with each route in turn, whichever one calibration chose."""
    previous = set_tanh_route(request.param)
    yield request.param
    set_tanh_route(previous)


def _both_signs(magnitudes: np.ndarray) -> np.ndarray:
    return np.concatenate([-magnitudes[::-1], [0.0], magnitudes])


def test_tanh_is_within_4_ulp_of_numpy_from_1e_300_to_1e3_without_warnings(tanh_route):
    z = _both_signs(np.logspace(-300, 3, 30_001))
    z = np.concatenate([z, np.random.default_rng(0).normal(0, 3, 10_000), [19.0, -19.1]])
    special = [-0.0, 1e-320, -5e-324, 25.0, 1e308, -1e308, np.inf, -np.inf, np.nan]
    special = np.repeat(special, 400)  # past 3,000 elements: the chosen route, not np.tanh
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result, edges = tanh(z), tanh(special)
    np.testing.assert_array_max_ulp(result, np.tanh(z), maxulp=4)
    np.testing.assert_array_equal(edges, np.tanh(special))  # -0.0 == 0.0 as a number
    tiny = np.tile([1e-9, -1e-17, 3e-5], 1000)  # 2 / (1 + e^(-2z)) - 1 lost these digits
    np.testing.assert_allclose(tanh(tiny), tiny - tiny**3 / 3, rtol=1e-15)


@pytest.mark.parametrize("size", [7, 6001])  # np.tanh itself below 3,000, the route above
def test_tanh_writes_into_out_even_in_place(size, tanh_route):
    z = np.linspace(-30.0, 30.0, size)
    out = np.empty_like(z)
    assert tanh(z, out) is out
    np.testing.assert_array_max_ulp(out, np.tanh(z), maxulp=4)
    in_place = z.copy()
    assert tanh(in_place, in_place) is in_place  # as loss_grid calls it: the signs survive
    np.testing.assert_array_equal(in_place, out)
    np.testing.assert_array_equal(tanh(np.rint(z).astype(np.int64)), tanh(np.rint(z)))


def test_tanh_keeps_float32_and_takes_numbers(tanh_route):
    z = np.linspace(-3.0, 3.0, 5000)
    single = tanh(z.astype(np.float32))
    assert single.dtype == np.float32
    np.testing.assert_allclose(single, np.tanh(z), rtol=1e-6)
    assert tanh(0.5) == pytest.approx(np.tanh(0.5), rel=1e-15)


def test_sigmoid_softplus_and_elu_keep_relative_precision_in_their_tails():
    z = -np.logspace(-300, np.log10(700.0), 5_001)  # e^z is a normal number for all of them
    e = np.exp(z)
    forward = {name: ACTIVATIONS[name][0] for name in ("sigmoid", "softplus", "elu")}
    np.testing.assert_allclose(forward["sigmoid"](z), e / (1.0 + e), rtol=1e-15)
    np.testing.assert_allclose(forward["sigmoid"](-z), 1.0 / (1.0 + e), rtol=1e-15)
    np.testing.assert_allclose(forward["softplus"](z), np.log1p(e), rtol=1e-15)
    np.testing.assert_allclose(forward["softplus"](-z), -z + np.log1p(e), rtol=1e-15)
    np.testing.assert_allclose(forward["elu"](z), np.expm1(z), rtol=1e-15)
    elu_grad = ACTIVATIONS["elu"][1](np.ones_like(z), z, forward["elu"](z))
    np.testing.assert_allclose(elu_grad, e, rtol=1e-15)  # not a + 1, which cancels to 0


def test_sigmoid_and_softmax_are_stable():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(np.array([-1000.0, 0.0, 1000.0]))
        p = softmax(np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]]))
    np.testing.assert_allclose(s, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(p[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[1], np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())


def test_softmax_backward_is_the_jacobian_product():
    rng = np.random.default_rng(3)
    z, g = rng.normal(size=(1, 4)), rng.normal(size=(1, 4))
    a = softmax(z)
    jacobian = np.diag(a[0]) - np.outer(a[0], a[0])
    from core.nn.activations import _OUTPUT

    np.testing.assert_allclose(_OUTPUT["softmax"][1](g, z, a)[0], jacobian @ g[0])


def _identity_grad(da, z, a):
    return da


def test_mse_follows_torch_mean_over_all_elements():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = np.array([[0.0, 2.0], [3.0, 6.0]])
    loss, delta = output_loss("mse", _identity_grad, a, a, y)
    assert loss == pytest.approx((1 + 0 + 0 + 4) / 4)
    np.testing.assert_allclose(delta, 2 * (a - y) / 4)


def test_bce_and_cross_entropy_match_the_textbook_formulas():
    z = np.array([[-1.5], [0.3], [2.0]])
    y = np.array([[0.0], [1.0], [1.0]])
    p = 1 / (1 + np.exp(-z))
    loss, delta = output_loss("bce", None, z, p, y)
    assert loss == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))
    np.testing.assert_allclose(delta, (p - y) / 3)
    logits = np.array([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]])
    labels = np.array([1, 2])
    probs = softmax(logits)
    loss, delta = output_loss("cross_entropy", None, logits, probs, labels)
    assert loss == pytest.approx(-np.mean(np.log(probs[[0, 1], labels])))
    np.testing.assert_allclose(delta, (probs - np.eye(3)[labels]) / 2)


def test_saturated_losses_stay_finite():
    z = np.array([[-800.0], [800.0]])
    loss, delta = output_loss("bce", None, z, sigmoid(z), np.array([[1.0], [0.0]]))
    assert loss == pytest.approx(800.0)
    assert np.all(np.isfinite(delta))


def test_loss_output_pairs_and_targets_are_checked():
    check_loss("mse", "softmax")
    with pytest.raises(ValueError, match="loss must be one of"):
        check_loss("hinge", "linear")
    with pytest.raises(ValueError, match="needs output 'softmax'"):
        check_loss("cross_entropy", "sigmoid")
    assert prepare_targets(np.array([0, 1, 1]), "mse", 3, 1).shape == (3, 1)
    with pytest.raises(ValueError, match="numeric"):
        prepare_targets(np.array(["a", "b"]), "mse", 2, 1)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        prepare_targets(np.array([0.0, 2.0]), "bce", 2, 1)


def test_targets_from_labels_and_accuracy():
    labels = np.array([0, 2, 1])
    np.testing.assert_array_equal(targets_from_labels(labels, "cross_entropy", 3), labels)
    np.testing.assert_array_equal(targets_from_labels(labels, "mse", 3), np.eye(3)[labels])
    assert targets_from_labels(np.array([0, 1]), "bce", 1).shape == (2, 1)
    assert accuracy(np.array([[0.9], [0.2], [0.7]]), np.array([1, 0, 0])) == pytest.approx(2 / 3)
    out = np.array([[0.1, 0.8, 0.1], [0.6, 0.3, 0.1]])
    assert accuracy(out, np.array([1, 2])) == 0.5


def test_batch_norm_pieces_against_direct_formulas():
    rng = np.random.default_rng(0)
    z, g = rng.normal(2.0, 3.0, size=(8, 3)), rng.normal(size=(8, 3))
    gamma, beta = np.array([1.0, 2.0, 0.5]), np.array([0.0, -1.0, 3.0])
    hat, out, mean, var = batch_norm_forward(z, gamma, beta, None, None, training=True)
    np.testing.assert_allclose(hat, (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-5))
    np.testing.assert_allclose(out, gamma * hat + beta)
    dz, dgamma, dbeta = batch_norm_backward(g, hat, var, gamma, training=True)
    eps = 1e-6
    numeric = np.zeros_like(z)
    for idx in np.ndindex(*z.shape):
        for sign in (1, -1):
            shifted = z.copy()
            shifted[idx] += sign * eps
            numeric[idx] += (
                sign
                * np.sum(g * batch_norm_forward(shifted, gamma, beta, None, None, True)[1])
                / (2 * eps)
            )
    np.testing.assert_allclose(dz, numeric, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(dgamma, (g * hat).sum(0))
    np.testing.assert_allclose(dbeta, g.sum(0))
    running_mean, running_var = np.zeros(3), np.ones(3)
    update_running_stats(running_mean, running_var, mean, var, 8)
    np.testing.assert_allclose(running_mean, 0.1 * z.mean(0))
    np.testing.assert_allclose(running_var, 0.9 + 0.1 * z.var(0, ddof=1))
