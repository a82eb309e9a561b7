"""The descent engine: shapes, exactness, divergence, streaming, configuration."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.descent.engine import (
    DescentConfig,
    DescentRun,
    OptimizerSpec,
    largest_eigenvalue,
    lr_sweep,
    start_grid,
    stream,
)
from core.descent.trajectories import descend, descend_config
from core.optim.optimizers import ClipSpec, ScheduleSpec, make_optimizer
from core.surfaces.surface import get_surface


def test_shapes_and_start_row():
    result = descend("rosenbrock", "gd", [1e-4, 1e-3], (-1.5, 2.0), 25)
    assert result.path.shape == (26, 2, 2)
    assert result.loss.shape == (26, 2)
    np.testing.assert_array_equal(result.path[0], [[-1.5, 2.0], [-1.5, 2.0]])
    np.testing.assert_array_equal(result.diverged_at, [-1, -1])
    surface = get_surface("rosenbrock")
    np.testing.assert_allclose(result.loss[-1], surface.value(result.path[-1]))


@pytest.mark.parametrize("name", ["gd", "momentum", "adam", "rmsprop"])
def test_engine_equals_a_plain_loop(name):
    """The engine adds nothing to the optimizer's arithmetic."""
    surface = get_surface("rosenbrock")
    lrs = np.array([1e-4, 5e-4, 1e-3])
    result = descend(surface, name, lrs, (-1.2, 1.0), 40)
    opt = make_optimizer(name, 3)
    p = np.tile([-1.2, 1.0], (3, 1))
    for t in range(1, 41):
        p = opt.step(p, surface.gradient(p), lrs)
        np.testing.assert_array_equal(result.path[t], p)


def test_optimizer_race_orders_runs_optimizer_major():
    result = descend("beale", ["gd", "adam"], [1e-3, 1e-2], (1.0, 1.5), 10)
    np.testing.assert_array_equal(result.runs.optimizer_index, [0, 0, 1, 1])
    np.testing.assert_array_equal(result.runs.lr, [1e-3, 1e-2, 1e-3, 1e-2])
    assert result.runs.label(3) == "adam, lr=0.01"


def test_divergence_freezes_only_the_diverging_run():
    # bowl: lambda_max = condition, so gd diverges above lr = 2 / condition
    surface = get_surface("bowl", condition=10.0)
    lrs = [0.05, 0.19, 0.25]
    result = descend(surface, "gd", lrs, (1.0, 1.0), 3000)
    assert result.diverged_at[0] == -1 and result.diverged_at[1] == -1
    d = result.diverged_at[2]
    assert d > 0
    assert np.all(np.isfinite(result.path)) and np.all(np.isfinite(result.loss))
    np.testing.assert_array_equal(
        result.path[d:, 2], np.repeat(result.path[d - 1 : d, 2], 3001 - d, 0)
    )
    assert result.loss[-1, 0] < 1e-12


def test_escape_from_the_view_box_counts_as_divergence():
    # On the saddle a run escapes along y without the loss overflowing for a long time.
    result = descend("saddle", "gd", [0.4], (0.5, 1e-3), 200)
    d = int(result.diverged_at[0])
    assert d > 0
    surface = get_surface("saddle")
    box = max(np.ptp(surface.bounds[:2]), np.ptp(surface.bounds[2:]))
    assert np.max(np.abs(result.path[d - 1, 0])) <= 1e3 * box


def test_stream_equals_descend_and_frames_are_frozen():
    config = DescentConfig(
        surface="himmelblau",
        optimizers=(OptimizerSpec("momentum"), OptimizerSpec("adam")),
        learning_rates=(1e-3, 1e-2),
        starts=((0.0, 0.0),),
        steps=30,
    )
    frames = list(stream(config))
    result = descend_config(config)
    assert [f.step for f in frames] == list(range(31))
    for f in frames:
        np.testing.assert_array_equal(f.points, result.path[f.step])
        np.testing.assert_array_equal(f.loss, result.loss[f.step])
    last = frames[-1]
    for arr in (last.points, last.loss, last.grad, last.update, last.velocity, last.lambda_max):
        assert not arr.flags.writeable
    np.testing.assert_allclose(last.update, result.path[30] - result.path[29])
    # momentum's velocity: -lr * buffer, nonzero after the first step
    assert np.all(np.abs(last.velocity[:2]) > 0)


def test_frame_fields_match_the_surface():
    run = DescentRun(
        DescentConfig(
            surface="bowl",
            surface_params=(("condition", 20.0),),
            learning_rates=(0.01,),
            starts=((1.0, 2.0),),
        )
    )
    frame = run.step()
    surface = run.surface
    np.testing.assert_allclose(frame.grad, surface.gradient(frame.points))
    np.testing.assert_allclose(frame.grad_norm, np.linalg.norm(frame.grad, axis=1))
    np.testing.assert_allclose(frame.lambda_max, [20.0])
    np.testing.assert_allclose(frame.lr, [0.01])


def test_largest_eigenvalue_matches_numpy():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(50, 2, 2))
    h = a + a.transpose(0, 2, 1)
    np.testing.assert_allclose(largest_eigenvalue(h), np.linalg.eigvalsh(h)[:, -1], rtol=1e-12)


def test_start_grid_is_one_call():
    starts = start_grid((-5, 5, -5, 5), 6)
    result = descend("himmelblau", "gd", 0.01, np.array(starts), 400)
    assert result.path.shape == (401, 36, 2)
    surface = get_surface("himmelblau")
    finals = result.path[-1]
    reached = {int(np.argmin(np.linalg.norm(surface.minima - p, axis=1))) for p in finals}
    assert reached == {0, 1, 2, 3}  # all four basins appear


def test_schedule_and_clip_reach_the_optimizer():
    config = DescentConfig(
        surface="bowl",
        learning_rates=(0.1,),
        starts=((3.0, 3.0),),
        steps=3,
        schedule=ScheduleSpec("step", step_size=1, gamma=0.5),
        clip=ClipSpec("norm", 1.0),
    )
    frames = list(stream(config))
    # each frame carries the rate of the step taken from it: step 0 included
    np.testing.assert_allclose([f.lr[0] for f in frames], [0.1, 0.05, 0.025, 0.0125])
    g = frames[0].grad[0]
    np.testing.assert_allclose(frames[1].update[0], -0.1 * g / np.linalg.norm(g))
    assert np.all(np.linalg.norm(frames[1].update, axis=1) <= 0.1 + 1e-12)


def test_gradient_noise_is_seeded_and_changes_paths():
    base = DescentConfig(surface="bowl", learning_rates=(0.05,), starts=((1.0, 1.0),), steps=20)
    noisy = base.replace(noise=0.5, seed=4)
    a, b, c = descend_config(base), descend_config(noisy), descend_config(noisy)
    np.testing.assert_array_equal(b.path, c.path)
    assert not np.allclose(a.path, b.path)


def test_linreg_batch_modes_give_different_paths():
    common = {"surface": "linreg", "learning_rates": (0.05,), "steps": 50, "seed": 1}
    full = descend_config(DescentConfig(**common))
    mini = descend_config(DescentConfig(**common, batch=8, seeds=3))
    sgd = descend_config(DescentConfig(**common, batch=1))
    assert mini.path.shape[1] == 3
    assert not np.allclose(full.path, mini.path[:, :1])
    assert not np.allclose(mini.path[:, 0], mini.path[:, 1])  # seeds differ
    assert not np.allclose(mini.path[:, :1], sgd.path)


def test_config_json_round_trip():
    config = DescentConfig(
        surface="bowl",
        surface_params=(("condition", 25.0),),
        optimizers=(OptimizerSpec("adam", (("beta1", 0.8),), "Adam 0.8"), OptimizerSpec("gd")),
        learning_rates=lr_sweep(1e-3, 1e-1, 4),
        starts=start_grid((-1, 1, -1, 1), 2),
        steps=10,
        schedule=ScheduleSpec("cosine", t_max=10),
        clip=ClipSpec("value", 2.0),
    )
    again = DescentConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"steps": -1}, "steps must be an integer"),
        ({"learning_rates": (-0.1,)}, "learning_rates must be >= 0"),
        ({"learning_rates": ()}, "learning_rates must hold at least one"),
        ({"learning_rates": (float("nan"),)}, "learning_rates must hold finite numbers"),
        ({"starts": ((1.0,),)}, "starts must hold"),
        ({"optimizers": (OptimizerSpec("adam"),), "seeds": 0}, "seeds must be an integer"),
        ({"noise": -1.0}, "noise must be"),
        ({"surface": "expr"}, "expr must be a formula"),
        ({"bounds": (1, 0, 0, 1)}, "bounds must be"),
        ({"learning_rates": tuple(range(1, 200)), "seeds": 200}, "too many runs"),
    ],
)
def test_bad_config_names_the_field(changes, message):
    with pytest.raises(ValueError, match=message):
        DescentConfig(**changes)


def test_bad_config_data():
    with pytest.raises(ValueError, match="unknown configuration field 'stepz'"):
        DescentConfig.from_dict({"stepz": 3})
    with pytest.raises(ValueError, match="adam has no hyperparameter 'momentum'"):
        DescentConfig.from_dict({"optimizers": [{"name": "adam", "hyper": {"momentum": 0.9}}]})
    with pytest.raises(ValueError, match="optimizer must be one of"):
        OptimizerSpec("sgdd")
    with pytest.raises(ValueError, match="does not apply"):
        descend("bowl", "adam", 0.1, (1, 1), 3, momentum=0.5)


@settings(max_examples=25, deadline=None)
@given(
    lr=st.floats(1e-6, 1e3),
    name=st.sampled_from(["gd", "momentum", "nesterov", "adam", "rmsprop", "adagrad"]),
    surface=st.sampled_from(["rosenbrock", "beale", "rastrigin", "monkey_saddle", "ackley"]),
)
def test_frames_are_always_finite(lr, name, surface):
    config = DescentConfig(
        surface=surface, optimizers=(OptimizerSpec(name),), learning_rates=(lr,), steps=30
    )
    for frame in stream(config):
        for arr in (
            frame.points,
            frame.loss,
            frame.grad,
            frame.update,
            frame.velocity,
            frame.lr,
            frame.grad_norm,
            frame.lambda_max,
        ):
            assert np.all(np.isfinite(arr))


def test_helpers_validate():
    assert lr_sweep(1e-3, 1e-1, 3) == pytest.approx((1e-3, 1e-2, 1e-1))
    assert lr_sweep(0.0, 1.0, 3, log=False) == (0.0, 0.5, 1.0)
    with pytest.raises(ValueError, match="log-spaced lr sweep needs min > 0"):
        lr_sweep(0.0, 1.0, 3)
    assert start_grid((0, 2, 0, 2), 2) == ((0.5, 0.5), (1.5, 0.5), (0.5, 1.5), (1.5, 1.5))


def test_runs_sharing_a_seed_index_see_the_same_batches():
    config = DescentConfig(
        surface="linreg",
        optimizers=(OptimizerSpec("gd"), OptimizerSpec("gd", label="gd again")),
        learning_rates=(0.05,),
        batch=4,
        seeds=2,
        steps=30,
    )
    path = descend_config(config).path
    np.testing.assert_array_equal(path[:, 0], path[:, 2])  # same seed index, same batches
    assert not np.allclose(path[:, 0], path[:, 1])  # another seed, other batches


def test_a_race_of_batch_modes_on_linreg():
    """Full batch, mini-batch and stochastic side by side: one sampler per optimizer."""
    config = DescentConfig(
        surface="linreg",
        optimizers=(
            OptimizerSpec("gd", label="full batch", batch=0),
            OptimizerSpec("gd", label="mini-batch", batch=8),
            OptimizerSpec("gd", label="stochastic", batch=1),
        ),
        learning_rates=(0.05,),
        batch=8,
        steps=40,
        seed=2,
    )
    race = descend_config(config).path
    full = descend_config(DescentConfig(surface="linreg", learning_rates=(0.05,), steps=40))
    mini = descend_config(config.replace(optimizers=(OptimizerSpec("gd"),)))
    np.testing.assert_array_equal(race[:, 0], full.path[:, 0])
    np.testing.assert_array_equal(race[:, 1], mini.path[:, 0])
    assert not np.allclose(race[:, 2], race[:, 1])
    again = DescentConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config
    with pytest.raises(ValueError, match="optimizer batch must be an integer"):
        OptimizerSpec("gd", batch=-1)
