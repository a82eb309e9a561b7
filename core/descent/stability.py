"""How large a step the curvature allows, and why a run stopped: each said once, here.

On a quadratic with curvature ``lam`` along some direction, a plain gradient step
multiplies the distance to the minimum along it by ``(1 - lr * lam)``: the run creeps
steadily for ``lr < 1/lam``, zig-zags but converges for ``1/lam < lr < 2/lam`` and is
thrown further out each step for ``lr > 2/lam``. Near any point a smooth surface looks
like such a quadratic with ``lam`` up to the Hessian's largest eigenvalue, so
``2 / lambda_max`` is the critical learning rate there. Where ``lambda_max <= 0`` the
surface does not curve upward in any direction and no step is too long for it.

Every view that shows a critical rate, a regime or a reason (the gauge, the
learning-rate panel, the banner, the legends) shows a :class:`StabilityReport` or a
sentence from this module, so no two places on screen can disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from core.descent.frame import DIVERGED, ESCAPED, OVERFLOW, RUNNING, UNDEFINED, RunTable

REGIMES = ("steady", "zig-zag", "diverges", "no limit")


def critical_lr(lambda_max):
    """The largest stable learning rate of a plain gradient step, ``2 / lambda_max``.

    ``inf`` where ``lambda_max <= 0`` or is not finite (no upward curvature, no limit).
    Works on scalars (returns a float) and arrays.
    """
    lam = np.asarray(lambda_max, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.where(np.isfinite(lam) & (lam > 0), 2.0 / lam, np.inf)
    return float(out) if out.ndim == 0 else out


def regime(lr: float, lambda_max: float) -> str:
    """``steady`` (lr < 1/lam), ``zig-zag`` (< 2/lam), ``diverges`` or ``no limit``."""
    limit = critical_lr(lambda_max)
    if not np.isfinite(limit):
        return "no limit"
    if lr < limit / 2:
        return "steady"
    return "zig-zag" if lr < limit else "diverges"


def _g(value: float) -> str:
    return f"{value:.3g}"


@dataclass(frozen=True, slots=True)
class StabilityReport:
    """The step-size verdict for one run at one frame (what the gauge and panels show).

    ``lr`` is the rate of the step taken from the current point, ``critical_lr`` is
    ``2 / lambda_max`` there, ``rates_above`` counts the configuration's distinct
    learning rates above it (out of ``rates``), and ``sentence`` says it in words.
    """

    run: int
    label: str
    step: int
    lr: float
    lambda_max: float
    critical_lr: float
    regime: str
    rates_above: int
    rates: int
    stopped: int
    sentence: str


def _regime_sentence(lr: float, lam: float, verdict: str) -> str:
    limit = critical_lr(lam)
    if verdict == "no limit":
        return (
            f"Here the surface curves downward or is flat (λmax = {_g(lam)}): no step is "
            "too long for it, the path can only speed up."
        )
    if verdict == "steady":
        return (
            f"Steady: lr {_g(lr)} is below 1/λmax = {_g(limit / 2)}, so each step moves "
            "steadily downhill."
        )
    if verdict == "zig-zag":
        return (
            f"Zig-zag: lr {_g(lr)} lies between 1/λmax and 2/λmax = {_g(limit)}, so each "
            "step overshoots the valley floor, but the swings shrink."
        )
    return (
        f"Too large here: lr {_g(lr)} is above 2/λmax = {_g(limit)}, so across the "
        "steepest direction each step overshoots more than the last."
    )


def stability_report(frame, runs: RunTable, k: int) -> StabilityReport:
    """The verdict for run ``k`` of ``frame`` (a stopped run is judged where it stopped)."""
    lr, lam = float(frame.lr[k]), float(frame.lambda_max[k])
    limit = critical_lr(lam)
    verdict = regime(lr, lam)
    distinct = np.unique(runs.lr)
    stopped = int(frame.stop_reason[k])
    sentence = (
        stop_sentence(frame, runs, k) if stopped != RUNNING else _regime_sentence(lr, lam, verdict)
    )
    return StabilityReport(
        run=k,
        label=runs.label(k),
        step=int(frame.step),
        lr=lr,
        lambda_max=lam,
        critical_lr=limit,
        regime=verdict,
        rates_above=int(np.sum(distinct > limit)),
        rates=len(distinct),
        stopped=stopped,
        sentence=sentence,
    )


def followed_run(frame, runs: RunTable) -> int:
    """The run the stability views follow: the running one with the largest learning
    rate (the first to get into trouble); when none runs, the first to have stopped."""
    running = np.flatnonzero(np.asarray(frame.stop_reason) == RUNNING)
    if running.size:
        return int(running[np.argmax(runs.lr[running])])
    return int(np.argmin(np.asarray(frame.diverged_at)))


def stop_sentence(frame, runs: RunTable, k: int) -> str:
    """One sentence saying why run ``k`` stopped, from the frame's own record of it."""
    label, step = runs.label(k), int(frame.diverged_at[k])
    reason = int(frame.stop_reason[k])
    if reason == UNDEFINED:
        where = "at its start" if step == 0 else f"at step {step:,}"
        return (
            f"{label} stopped {where}: the surface or its slope has no value there "
            "(a division by zero, or a log or root of a negative number), so no step "
            "can be taken; this is the formula's doing, not the learning rate's."
        )
    if reason == OVERFLOW:
        return (
            f"{label} stopped at step {step:,}: the loss where it went is too large to "
            "compute (beyond 1.8e308), a surface that rises explosively there."
        )
    if reason == ESCAPED:
        return (
            f"{label} left the view at step {step:,} and did not come back: the loss keeps "
            "falling that way without a bottom, so the run slid away downhill."
        )
    if reason == DIVERGED:
        return _diverged_sentence(frame, label, step, k)
    return f"{label} is running."


def _diverged_sentence(frame, label: str, step: int, k: int) -> str:
    fault = int(frame.fault_step[k])
    if 0 <= fault <= step:
        lr, lam = float(frame.fault_lr[k]), float(frame.fault_lambda[k])
        where = "from its start" if fault == 0 else f"from step {fault:,}"
        return (
            f"{label} diverged at step {step:,}: {where} its learning rate {_g(lr)} was "
            f"above 2/λmax = {_g(critical_lr(lam))}, so every step overshot further than "
            "the last."
        )
    return (
        f"{label} diverged at step {step:,} although its learning rate stayed below "
        "2/λmax wherever it stood: momentum or adaptive steps made its moves longer "
        "than lr alone."
    )


def stopped_summary(frame, runs: RunTable, k: int) -> str:
    """`stop_sentence` for run ``k``, plus how many runs have stopped in all."""
    sentence = stop_sentence(frame, runs, k)
    reasons = np.asarray(frame.stop_reason)
    diverged = int(np.sum(reasons == DIVERGED))
    others = int(np.sum(reasons != RUNNING)) - diverged
    parts = []
    if diverged > (reasons[k] == DIVERGED):
        parts.append(f"{diverged} of {len(reasons)} runs have diverged")
    if others > (reasons[k] not in (RUNNING, DIVERGED)):
        parts.append(f"{others} stopped for other reasons")
    return sentence + (f" ({'; '.join(parts)}.)" if parts else "")


def widest_sentences() -> tuple[str, ...]:
    """Every kind of sentence this module writes, with the widest numbers and labels:
    a view reserves room for them so that its height never changes from frame to frame."""
    wide = -1.23e-100
    sentences = [_regime_sentence(wide, lam, v) for lam, v in ((wide, "no limit"),)]
    sentences += [_regime_sentence(wide, -wide, v) for v in ("steady", "zig-zag", "diverges")]
    runs = RunTable(
        optimizer_index=np.zeros(1, dtype=int),
        optimizer_labels=("momentum (nesterov)",),
        lr=np.full(1, wide),
        start=np.zeros((1, 2)),
        seed=np.zeros(1, dtype=int),
    )
    for reason in (DIVERGED, UNDEFINED, OVERFLOW, ESCAPED):
        for fault in (-1, 10**8):
            frame = SimpleNamespace(
                diverged_at=np.array([10**9]),
                stop_reason=np.array([reason]),
                fault_step=np.array([fault]),
                fault_lr=np.array([wide]),
                fault_lambda=np.array([-wide]),
            )
            sentences.append(stop_sentence(frame, runs, 0))
    return tuple(sentences)
