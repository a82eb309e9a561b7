"""Every optimizer, schedule and clipping mode against torch.optim (skipped without torch)."""

from __future__ import annotations

import numpy as np
import pytest

from core.optim.optimizers import (
    ClipSpec,
    ScheduleSpec,
    clip_gradients,
    learning_rate_at,
    make_optimizer,
)

torch = pytest.importorskip("torch")
torch.set_default_dtype(torch.float64)

# (our name, our hyperparameters, torch class, torch keyword arguments)
CASES = [
    ("gd", {}, "SGD", {}),
    ("gd", {"weight_decay": 0.1}, "SGD", {"weight_decay": 0.1}),
    ("momentum", {}, "SGD", {"momentum": 0.9}),
    ("momentum", {"dampening": 0.3}, "SGD", {"momentum": 0.9, "dampening": 0.3}),
    ("nesterov", {}, "SGD", {"momentum": 0.9, "nesterov": True}),
    ("adagrad", {}, "Adagrad", {}),
    (
        "adagrad",
        {"lr_decay": 0.05, "initial_accumulator_value": 0.1},
        "Adagrad",
        {"lr_decay": 0.05, "initial_accumulator_value": 0.1},
    ),
    ("rmsprop", {}, "RMSprop", {}),
    ("rmsprop", {"momentum": 0.5, "centered": 1}, "RMSprop", {"momentum": 0.5, "centered": True}),
    ("adam", {}, "Adam", {}),
    (
        "adam",
        {"weight_decay": 0.1, "beta1": 0.8},
        "Adam",
        {"weight_decay": 0.1, "betas": (0.8, 0.999)},
    ),
    ("adamw", {}, "AdamW", {}),
    ("amsgrad", {}, "Adam", {"amsgrad": True}),
    ("nadam", {}, "NAdam", {}),
    ("adamax", {}, "Adamax", {}),
    ("adadelta", {}, "Adadelta", {}),
]


def rosenbrock_grad(p: np.ndarray) -> np.ndarray:
    x, y = p[..., 0], p[..., 1]
    return np.stack([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], axis=-1)


def torch_trajectory(cls_name, kwargs, lr, start, steps, schedule=None):
    p = torch.tensor(start, requires_grad=True)
    opt = getattr(torch.optim, cls_name)([p], lr=lr, **kwargs)
    sched = schedule(opt) if schedule else None
    out = [p.detach().numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        x, y = p[0], p[1]
        loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        loss.backward()
        opt.step()
        if sched:
            sched.step()
        out.append(p.detach().numpy().copy())
    return np.array(out)


def our_trajectory(name, hyper, lrs, start, steps, spec=None):
    spec = spec or ScheduleSpec()
    k = len(lrs)
    opt = make_optimizer(name, k, **hyper)
    p = np.tile(np.asarray(start, dtype=np.float64), (k, 1))
    out = [p]
    for t in range(steps):
        p = opt.step(p, rosenbrock_grad(p), learning_rate_at(spec, np.asarray(lrs), t))
        out.append(p)
    return np.array(out)


@pytest.mark.parametrize(("name", "hyper", "cls_name", "kwargs"), CASES)
def test_matches_torch_over_50_steps(name, hyper, cls_name, kwargs):
    lrs = [1e-4, 3e-4, 1e-3]
    ours = our_trajectory(name, hyper, lrs, [-1.2, 1.0], 50)
    for k, lr in enumerate(lrs):
        ref = torch_trajectory(cls_name, kwargs, lr, [-1.2, 1.0], 50)
        np.testing.assert_allclose(ours[:, k], ref, rtol=1e-9, atol=1e-12)


SCHEDULES = [
    (
        ScheduleSpec("step", step_size=7, gamma=0.5),
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5),
    ),
    (
        ScheduleSpec("exponential", gamma=0.95),
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.95),
    ),
    (
        ScheduleSpec("cosine", t_max=30, eta_min=1e-5),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=30, eta_min=1e-5),
    ),
    (
        ScheduleSpec("warmup_cosine", warmup=5, t_max=30),
        lambda o: torch.optim.lr_scheduler.SequentialLR(
            o,
            [
                torch.optim.lr_scheduler.LinearLR(o, start_factor=1 / 5, total_iters=4),
                torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=25),
            ],
            milestones=[5],
        ),
    ),
]


@pytest.mark.parametrize(("spec", "factory"), SCHEDULES)
def test_schedules_match_torch(spec, factory):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    sched = factory(opt)
    for t in range(40):
        ours = learning_rate_at(spec, np.array([0.1]), t)[0]
        assert ours == pytest.approx(opt.param_groups[0]["lr"], rel=1e-9, abs=1e-15)
        opt.step()
        sched.step()


def test_adam_with_schedule_matches_torch():
    spec = ScheduleSpec("step", step_size=10, gamma=0.3)
    ours = our_trajectory("adam", {}, [0.01], [-1.2, 1.0], 40, spec)
    ref = torch_trajectory(
        "Adam",
        {},
        0.01,
        [-1.2, 1.0],
        40,
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=10, gamma=0.3),
    )
    np.testing.assert_allclose(ours[:, 0], ref, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("mode", ["value", "norm"])
def test_clipping_matches_torch(mode):
    rng = np.random.default_rng(3)
    g = rng.normal(scale=3.0, size=(4, 5))
    ours = clip_gradients(g, ClipSpec(mode, 1.5))
    for k in range(4):
        t = torch.zeros(5, requires_grad=True)
        t.grad = torch.tensor(g[k])
        if mode == "value":
            torch.nn.utils.clip_grad_value_([t], 1.5)
        else:
            torch.nn.utils.clip_grad_norm_([t], 1.5)
        np.testing.assert_allclose(ours[k], t.grad.numpy(), rtol=1e-12)
