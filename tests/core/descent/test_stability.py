"""core.descent.stability and the engine's stop reasons: every verdict computed once."""

from __future__ import annotations

import numpy as np
import pytest

from core.descent.config import DescentConfig, OptimizerSpec
from core.descent.engine import DescentRun
from core.descent.frame import DIVERGED, ESCAPED, OVERFLOW, RUNNING, UNDEFINED
from core.descent.stability import (
    critical_lr,
    followed_run,
    regime,
    stability_report,
    stop_sentence,
    stopped_summary,
)


def _run(expr: str, lrs, start=(1.0, 1.0), steps=200, optimizers=("gd",)):
    config = DescentConfig(
        surface="expr",
        expr=expr,
        optimizers=tuple(OptimizerSpec(name) for name in optimizers),
        learning_rates=tuple(lrs),
        starts=(start,),
        steps=steps,
    )
    run = DescentRun(config)
    frames = list(run.frames())
    return run, frames


def test_critical_rate_is_two_over_lambda_and_unbounded_without_upward_curvature():
    assert critical_lr(4.0) == 0.5
    assert critical_lr(0.0) == np.inf
    assert critical_lr(-3.0) == np.inf
    assert critical_lr(np.nan) == np.inf
    np.testing.assert_array_equal(critical_lr(np.array([2.0, -1.0])), [1.0, np.inf])


@pytest.mark.parametrize(
    ("lr", "lam", "expected"),
    [(0.1, 2.0, "steady"), (0.6, 2.0, "zig-zag"), (1.1, 2.0, "diverges"), (5.0, -1.0, "no limit")],
)
def test_regime_boundaries_follow_one_and_two_over_lambda(lr, lam, expected):
    assert regime(lr, lam) == expected


def test_every_frame_carries_the_rate_of_its_next_step_step_zero_included():
    _, frames = _run("x**2 + y**2", [0.3])
    assert frames[0].lr[0] == 0.3
    assert all(f.lr[0] == 0.3 for f in frames)


def test_plain_gd_above_two_over_lambda_diverges_and_the_reason_names_the_rates():
    # f = x^2 + y^2: lambda_max = 2 everywhere, critical rate 1
    run, frames = _run("x**2 + y**2", [1.5, 0.1])
    last = frames[-1]
    assert last.stop_reason.tolist() == [DIVERGED, RUNNING]
    assert last.fault_step[0] == 0 and last.fault_lr[0] == 1.5 and last.fault_lambda[0] == 2.0
    sentence = stop_sentence(last, run.runs, 0)
    assert "diverged" in sentence and "1.5" in sentence and "2/λmax = 1" in sentence


def test_a_run_into_an_undefined_region_is_the_formulas_doing_not_the_rates():
    # log(x): one gd step of lr 1 from x = 0.5 lands at x = 0.5 - 1/0.5 = -1.5
    run, frames = _run("log(x) + y**2", [1.0], start=(0.5, 0.5))
    last = frames[-1]
    assert last.stop_reason[0] == UNDEFINED and last.diverged_at[0] == 1
    sentence = stop_sentence(last, run.runs, 0)
    assert "no value" in sentence and "not the learning rate" in sentence
    assert "curvature allows" not in sentence


def test_a_run_that_slides_away_downhill_left_the_view_and_did_not_diverge():
    run, frames = _run("-x**2 + y**2", [0.1], start=(0.1, 0.0), steps=400)
    last = frames[-1]
    assert last.stop_reason[0] == ESCAPED
    assert "left the view" in stop_sentence(last, run.runs, 0)
    assert "diverged" not in stop_sentence(last, run.runs, 0)
    # before it stopped it was merely outside the view box, still running
    outside_running = [f for f in frames if f.outside[0] and f.stop_reason[0] == RUNNING]
    assert outside_running


def test_an_overflowing_surface_is_reported_as_overflow():
    run, frames = _run("exp(exp(exp(x)))", [0.1], start=(3.0, 0.0), steps=3)
    assert frames[0].stop_reason[0] == OVERFLOW
    assert "too large to compute" in stop_sentence(frames[0], run.runs, 0)


def test_report_gauge_and_panel_share_one_critical_rate_and_count_rates_above_it():
    run, frames = _run("x**2 + 3*y**2", [0.01, 0.2, 0.5])  # lambda_max = 6: critical 1/3
    report = stability_report(frames[0], run.runs, followed_run(frames[0], run.runs))
    assert report.run == 2  # the running run with the largest rate
    assert report.critical_lr == pytest.approx(1 / 3)
    assert report.regime == "diverges"
    assert (report.rates_above, report.rates) == (1, 3)
    assert "1/3" not in report.sentence and "0.333" in report.sentence


def test_followed_run_falls_back_to_the_first_stopped_run_when_none_runs():
    run, frames = _run("x**2 + y**2", [1.5, 2.5])
    last = frames[-1]
    assert (last.stop_reason != RUNNING).all()
    assert followed_run(last, run.runs) == int(np.argmin(last.diverged_at))


def test_summary_counts_the_other_stopped_runs():
    run, frames = _run("x**2 + y**2", [1.5, 2.5, 0.1])
    summary = stopped_summary(frames[-1], run.runs, 0)
    assert "2 of 3 runs have diverged" in summary


def test_frames_hold_no_non_finite_value_even_for_a_huge_formula():
    _, frames = _run("1.7e308*x", [1e-300], start=(1.0, 1.0), steps=5)
    for f in frames:
        for name in ("points", "loss", "grad", "grad_norm", "lr", "lambda_max", "velocity"):
            assert np.isfinite(getattr(f, name)).all(), name
