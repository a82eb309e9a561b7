"""A training frame's gradient check, as the gradient-check panel shows it.

`gradient_check_at` compares backprop with central differences (`core.nn.gradcheck`) on
the frame's batch at the frame's weights: dropout switched off (a random mask is not a
function of the weights), batch norm in training mode (batch statistics, as training
differentiates), big networks on a seeded sample of entries within a budget, and a
verdict per array and for the whole network.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.nn.datasets import Dataset
from core.nn.gradcheck import GradCheckResult, gradient_check
from core.nn.losses import targets_from_labels
from core.nn.network import MLP
from core.nn.train_config import TrainConfig, TrainFrame
from core.nn.training import network_at

__all__ = [
    "FAIL_ABOVE",
    "PASS_BELOW",
    "ROUNDING",
    "FrameGradCheck",
    "gradient_check_at",
    "noise_floor",
    "parameter_names",
    "verdict_of",
]

PASS_BELOW = 1e-6  # relative error at or below: backprop and the differences agree
FAIL_ABOVE = 1e-3  # above: a formula is wrong (a slip gives errors of order 0.01 to 1)
# The differences' own rounding: L(theta +- eps e_i) carry errors of about 1e-16 |L| each,
# summed over the batch, so |backprop - numeric| up to ROUNDING max(1, |L|) / eps is noise;
# arrays whose gradients are that tiny (a vanishing gradient) pass on it, whatever the ratio
ROUNDING = 1e-14
MAX_EVALUATIONS = 20_000  # loss evaluations a frame check may spend (2 per parameter)
MAX_WORK = 1e9  # multiply-adds a frame check may spend (evaluations x batch x weights)


def noise_floor(loss: float, eps: float) -> float:
    """|backprop - numeric| below which the difference is rounding: ROUNDING max(1, |L|) / eps."""
    return ROUNDING * max(1.0, abs(loss)) / eps


def verdict_of(relative: float, absolute: float, floor: float = ROUNDING / 1e-6) -> str:
    """``pass`` (relative error <= PASS_BELOW, or |difference| <= ``floor``: see
    :func:`noise_floor`), ``fail`` (relative error > FAIL_ABOVE) or ``suspicious``."""
    if relative <= PASS_BELOW or absolute <= floor:
        return "pass"
    return "fail" if relative > FAIL_ABOVE else "suspicious"


@dataclass(frozen=True, slots=True)
class FrameGradCheck:
    """A frame's gradient check as the panel shows it.

    Per parameter array k, in ``MLP.parameters()`` order (W1, b1, W2, b2, ..., gamma1,
    beta1, ...; see :func:`parameter_names`): ``relative[k]`` its relative error,
    ``verdicts[k]`` its verdict and ``tiny[k]`` whether it passed on NOISE_FLOOR alone
    (gradients too small for a ratio to mean anything). ``verdict`` is the worst verdict,
    ``summary`` says it in one line with the thresholds, ``note`` says what was checked.
    ``kinks``: entries left out because a ReLU kink lay within eps of them.
    """

    step: int
    names: tuple[str, ...]
    relative: np.ndarray
    verdicts: tuple[str, ...]
    tiny: tuple[bool, ...]
    verdict: str
    summary: str
    note: str
    batch_size: int
    eps: float
    dropout_off: bool
    batch_norm_training: bool
    checked: int
    n_params: int
    kinks: int

    def layer_rows(self) -> list[tuple[int, int]]:
        """(index of W[l], index of b[l]) for each layer l, into the per-array fields."""
        n_layers = sum(1 for name in self.names if name.startswith("W"))
        return [(2 * layer, 2 * layer + 1) for layer in range(n_layers)]

    def __repr__(self) -> str:
        worst = float(self.relative.max(initial=0.0))
        return f"FrameGradCheck(step={self.step}, verdict={self.verdict!r}, worst={worst:.1e})"


def gradient_check_at(
    config: TrainConfig, frame: TrainFrame, dataset: Dataset, eps: float = 1e-6
) -> FrameGradCheck:
    """Backprop against central differences on the frame's batch at the frame's weights.

    Dropout is switched off (its masks are random, not a function of the weights); a
    network with batch norm is checked in training mode, with the batch's statistics.
    Entries whose +-eps evaluations straddle a ReLU kink are left out. When differentiating
    every parameter would cost more than MAX_EVALUATIONS loss evaluations or MAX_WORK
    multiply-adds, a seeded random sample of each array's entries is compared.
    """
    net = network_at(config, frame)
    dropout_off, net.dropout = net.dropout > 0.0, 0.0
    index = np.asarray(frame.batch_indices, dtype=np.intp)
    X = dataset.X_train[index]
    y = targets_from_labels(dataset.y_train[index], config.loss, net.sizes[-1])
    entries = _sampled_entries(net, len(index), frame.step)
    c = config
    result = gradient_check(net, X, y, c.loss, c.l1, c.l2, net.batch_norm, 0, eps, entries, True)
    rel, floor = (
        _flat_errors(result),
        noise_floor(net.compute_loss(X, y, c.loss, training=True), eps),
    )
    verdicts = tuple(verdict_of(r, a, floor) for r, a in zip(rel, result.abs_errors, strict=True))
    tiny = tuple(bool(r > PASS_BELOW and a <= floor) for r, a in zip(rel, result.abs_errors))
    checked = net.n_params if entries is None else sum(len(e) for e in entries)
    names = tuple(parameter_names(net))
    verdict = max(verdicts, key=_VERDICT_ORDER.index)
    kinks = int(result.kinks.sum())
    rel.flags.writeable = False
    return FrameGradCheck(
        frame.step, names, rel, verdicts, tiny, verdict,
        _summary(verdict, names, verdicts, rel, tiny),
        _note(config, frame.step, len(index), eps, (checked, net.n_params, kinks, floor)),
        len(index), eps, dropout_off, net.batch_norm, checked, net.n_params, kinks,
    )  # fmt: skip


_VERDICT_ORDER = ("pass", "suspicious", "fail")


def parameter_names(net: MLP) -> list[str]:
    """W1, b1, W2, b2, ..., γ1, β1, ...: the arrays in ``parameters()`` order, 1-based."""
    names = [f"{k}{layer + 1}" for layer in range(net.n_layers) for k in ("W", "b")]
    return names + [f"{k}{layer + 1}" for layer in range(len(net.bn_gamma)) for k in ("γ", "β")]


def _flat_errors(result: GradCheckResult) -> np.ndarray:
    """Relative errors in ``parameters()`` order."""
    pairs = np.column_stack([result.weight_errors, result.bias_errors]).ravel()
    norm = np.column_stack([result.gamma_errors, result.beta_errors]).ravel()
    return np.concatenate([pairs, norm])


def _sampled_entries(net: MLP, batch: int, seed: int) -> list[np.ndarray] | None:
    """None when every parameter fits the budget; else each array's sampled flat indices
    (its share of the budget, at least 8 or all of it), sorted."""
    per_evaluation = batch * sum(a * b for a, b in zip(net.sizes, net.sizes[1:], strict=False))
    budget = int(min(MAX_EVALUATIONS / 2, MAX_WORK / (2 * max(per_evaluation, 1))))
    total = net.n_params
    if total <= budget:
        return None
    rng = np.random.default_rng(seed)
    entries = []
    for p in net.parameters():
        k = min(p.size, max(8, budget * p.size // total))
        entries.append(np.sort(rng.choice(p.size, size=k, replace=False)))
    return entries


def _summary(verdict: str, names, verdicts, rel: np.ndarray, tiny) -> str:
    """The one-line verdict, with the thresholds and the worst array."""
    judged = [r for r, t in zip(rel, tiny, strict=True) if not t]
    worst = max(judged, default=0.0)
    if verdict == "pass" and not judged:
        return (
            f"Pass, to within rounding only: the gradients are so small (or the loss so large) "
            f"that every difference is rounding noise (largest relative error {rel.max():.1e})."
        )
    if verdict == "pass":
        return (
            f"Pass: backprop agrees with finite differences (largest relative error "
            f"{worst:.1e}; pass at or below {PASS_BELOW:.0e}, fail above {FAIL_ABOVE:.0e})."
        )
    where = ", ".join(n for n, v in zip(names, verdicts, strict=True) if v == verdict)
    if verdict == "fail":
        return (
            f"Fail: backprop disagrees with finite differences in {where} (relative error "
            f"up to {worst:.1e}, above {FAIL_ABOVE:.0e}): a gradient formula is wrong there."
        )
    return (
        f"Suspicious: {where} between {PASS_BELOW:.0e} and {FAIL_ABOVE:.0e} (largest "
        f"{worst:.1e}): a near-kink or rounding, or a small slip; check again a step later."
    )


def _note(config: TrainConfig, step: int, batch: int, eps: float, counts: tuple) -> str:
    """What the check compared, in one or two sentences."""
    checked, total, kinks, floor = counts
    which = f"all {total} parameters" if checked == total else f"{checked} of {total} parameters"
    if checked != total:
        which += " (a random sample of each array: the network is large)"
    parts = [
        f"Checked on step {step}'s batch of {batch} sample{'s' if batch != 1 else ''}, "
        f"central differences with eps = {eps:.0e}, {which}"
    ]
    if kinks:
        parts.append(f"{kinks} entries left out: a ReLU kink lies within eps of them")
    if config.dropout > 0:
        parts.append(f"dropout (p = {config.dropout:g}) switched off for the check")
    if config.batch_norm:
        parts.append("batch norm in training mode (the batch's own mean and variance)")
    parts.append(f"a |difference| up to {floor:.0e} is rounding, and passes")
    return "; ".join(parts) + "."
