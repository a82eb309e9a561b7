"""Optimizers against hand-computed steps, validation, and vectorization properties."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.optim.optimizers import (
    ClipSpec,
    GradientNoise,
    ScheduleSpec,
    clip_gradients,
    learning_rate_at,
    make_optimizer,
    optimizer_names,
)

# f(p) = p^2 from p = 1 with lr = 0.1, so g = 2p.  Written out step by step:
#   gd:        p <- p - 0.1 * 2p = 0.8 p                      -> 0.8, 0.64, 0.512
#   momentum:  b = 2, 0.9*2 + 1.6 = 3.4, 0.9*3.4 + 0.92 = 3.98 -> 0.8, 0.46, 0.062
#   nesterov:  step uses g + 0.9 b: 3.8, 3.976, 3.30752        -> 0.62, 0.2224, -0.108352
#   adagrad:   s = 4, 7.24, 7.24 + 1.6662^2; p -= 0.1 g / sqrt(s)
#   rmsprop:   v = 0.04, ...; the first step is 0.1 * 2 / sqrt(0.04) = 1, overshooting to ~0
#   adam:      the first bias-corrected step is lr * sign(g): 1 -> 0.9
#   adamw:     p * (1 - 0.1 * 0.01) first, then the Adam step
HAND = {
    "gd": [0.8, 0.64, 0.512],
    "momentum": [0.8, 0.46, 0.062],
    "nesterov": [0.62, 0.2224, -0.108352],
    "adagrad": [0.900000000005, 0.8331035268450359, 0.7804561813568098],
    "rmsprop": [4.99999974756804e-08, -2.5188822499121276e-10, 2.544312654833273e-12],
    "adam": [0.9000000005, 0.8004122286917927, 0.70158627294603],
    "adamw": [0.8990000005, 0.7985190271685215, 0.6989111831582321],
}


@pytest.mark.parametrize("name", sorted(HAND))
def test_first_three_steps_by_hand(name):
    opt = make_optimizer(name, 1)
    p = np.array([[1.0]])
    for expected in HAND[name]:
        p = opt.step(p, 2 * p, 0.1)
        # rmsprop lands next to 0, where only an absolute tolerance makes sense
        assert p[0, 0] == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", optimizer_names())
def test_runs_are_independent(name):
    """K runs stepped together equal each run stepped alone (vectorization is exact)."""
    rng = np.random.default_rng(0)
    p0 = rng.normal(size=(3, 4))
    lrs = np.array([0.01, 0.1, 0.3])
    together = make_optimizer(name, 3)
    alone = [make_optimizer(name, 1) for _ in range(3)]
    p, ps = p0.copy(), [p0[k : k + 1].copy() for k in range(3)]
    for _ in range(5):
        p = together.step(p, np.sin(p) + p, lrs)
        ps = [o.step(q, np.sin(q) + q, lrs[k]) for k, (o, q) in enumerate(zip(alone, ps))]
    np.testing.assert_allclose(p, np.vstack(ps), rtol=0, atol=0)


def test_per_run_hyperparameters():
    opt = make_optimizer("gd", 2, momentum=np.array([0.0, 0.9]))
    p = np.ones((2, 1))
    for _ in range(2):
        p = opt.step(p, 2 * p, 0.1)
    np.testing.assert_allclose(p[:, 0], [0.64, 0.46])


def test_step_does_not_mutate_inputs():
    opt = make_optimizer("adam", 1)
    p, g = np.ones((1, 2)), np.ones((1, 2))
    opt.step(p, g, 0.1)
    assert np.all(p == 1) and np.all(g == 1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "sgdx"}, "optimizer must be one of"),
        ({"momentum": 1.5}, "momentum must be in [0, 1)"),
        ({"beta1": -0.1, "name": "adam"}, "beta1 must be in [0, 1)"),
        ({"eps": float("nan"), "name": "adam"}, "eps must be finite"),
        ({"betaz": 0.1, "name": "adam"}, "adam has no hyperparameter 'betaz'"),
        ({"nesterov": 1, "momentum": 0.0}, "nesterov requires momentum > 0"),
        ({"momentum": [0.1, 0.2, 0.3]}, "momentum must be a scalar or have length 2"),
    ],
)
def test_bad_hyperparameters_name_the_field(kwargs, message):
    name = kwargs.pop("name", "gd")
    with pytest.raises(ValueError, match=re.escape(message)):
        make_optimizer(name, 2, **kwargs)


def test_bad_shapes_and_lr():
    opt = make_optimizer("gd", 2)
    with pytest.raises(ValueError, match="shape"):
        opt.step(np.ones((3, 2)), np.ones((3, 2)), 0.1)
    with pytest.raises(ValueError, match="lr must be finite"):
        opt.step(np.ones((2, 2)), np.ones((2, 2)), np.inf)


def test_reset_forgets_state():
    opt = make_optimizer("momentum", 1)
    p = opt.step(np.ones((1, 1)), np.ones((1, 1)), 0.1)
    opt.reset()
    assert opt.t == 0 and opt.state == {} and opt.velocity is None
    assert opt.step(np.ones((1, 1)), np.ones((1, 1)), 0.1)[0, 0] == p[0, 0]


def test_schedule_formulas():
    base = np.array([1.0])
    assert learning_rate_at(ScheduleSpec("step", step_size=10, gamma=0.5), base, 25)[0] == 0.25
    assert learning_rate_at(ScheduleSpec("exponential", gamma=0.9), base, 2)[0] == pytest.approx(
        0.81
    )
    cos = ScheduleSpec("cosine", t_max=100, eta_min=0.1)
    assert learning_rate_at(cos, base, 50)[0] == pytest.approx(0.55)
    warm = ScheduleSpec("warmup_cosine", warmup=4, t_max=104)
    assert [learning_rate_at(warm, base, t)[0] for t in range(5)] == [0.25, 0.5, 0.75, 1.0, 1.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "triangle"}, "schedule must be one of"),
        ({"kind": "step", "step_size": 0}, "schedule step_size must be an integer >= 1"),
        ({"gamma": 1.5}, r"schedule gamma must be in \(0, 1\]"),
        ({"kind": "warmup_cosine", "warmup": 10, "t_max": 10}, "schedule warmup must be < t_max"),
    ],
)
def test_bad_schedules(kwargs, message):
    with pytest.raises(ValueError, match=message):
        ScheduleSpec(**kwargs)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=3), st.floats(0.01, 10))
def test_clip_norm_bounds_each_run(values, c):
    g = np.array([values, [0.0, 0.0, 0.0]])
    clipped = clip_gradients(g, ClipSpec("norm", c))
    assert np.all(np.linalg.norm(clipped, axis=1) <= c + 1e-9)
    if np.linalg.norm(g[0]) < c:
        np.testing.assert_allclose(clipped[0], g[0], rtol=1e-5)


def test_clip_value_and_bad_spec():
    np.testing.assert_array_equal(
        clip_gradients(np.array([[-3.0, 0.5]]), ClipSpec("value", 1.0)), [[-1.0, 0.5]]
    )
    with pytest.raises(ValueError, match="clip threshold must be > 0"):
        ClipSpec("norm", 0.0)


def test_gradient_noise_is_seeded():
    g = np.zeros((2, 2))
    a, b = GradientNoise(0.5, seed=7)(g), GradientNoise(0.5, seed=7)(g)
    np.testing.assert_array_equal(a, b)
    assert np.std(GradientNoise(0.5, seed=1)(np.zeros((1000, 2)))) == pytest.approx(0.5, rel=0.1)
    assert GradientNoise(0.0)(g) is g
    with pytest.raises(ValueError, match="noise must be >= 0"):
        GradientNoise(-1.0)
