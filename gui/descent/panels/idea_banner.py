"""The strip above the plots: what this demonstration is about, and why a run diverged."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


def explain_divergence(
    label: str, step: int, lr: float, lambda_max: float, loss_fell: bool = False
) -> str:
    """One sentence saying why a run blew up, in terms of the stability limit 2/lambda_max.

    Plain gradient descent on a quadratic with curvature ``lambda`` multiplies the
    distance to the minimum by ``|1 - lr * lambda|`` per step, which exceeds 1 exactly
    when ``lr > 2 / lambda``. A run whose loss kept falling did not overshoot: it slid
    away down a loss with no bottom (a saddle's downhill side).
    """
    if loss_fell:
        return (
            f"{label} left the picture at step {step:,}: the loss keeps falling in that "
            f"direction without a bottom, so the run slid away downhill."
        )
    if lambda_max > 0 and np.isfinite(lambda_max):
        critical = 2.0 / lambda_max
        if lr > critical:
            return (
                f"{label} diverged at step {step:,}: the step exceeded what the curvature "
                f"allows: lr {lr:.3g} > 2/λmax = {critical:.3g}."
            )
        return (
            f"{label} diverged at step {step:,}: its steps kept growing although lr {lr:.3g} "
            f"< 2/λmax = {critical:.3g} at its last point (momentum or a steeper region "
            f"on the way made it overshoot)."
        )
    return (
        f"{label} diverged at step {step:,}: the surface curves downward there "
        f"(λmax ≤ 0), so nothing stops the run from sliding away."
    )


def step_at_fault(lambda_path: np.ndarray, lr_path: np.ndarray) -> tuple[float, float]:
    """(lr, lambda_max) where the run first stepped past 2/lambda_max (else the last pair).

    The point a run froze at is often already far out, where the curvature is huge; the
    instructive numbers are those where the learning rate first became too large.
    """
    lambda_path = np.asarray(lambda_path, dtype=float)
    lr_path = np.asarray(lr_path, dtype=float)
    over = np.flatnonzero(lr_path * lambda_path > 2.0)
    i = int(over[0]) if over.size else len(lambda_path) - 1
    return float(lr_path[i]), float(lambda_path[i])


def divergence_sentence(history, frame, runs, k: int) -> str:
    """Why run ``k`` diverged, from its recorded path (see `explain_divergence`)."""
    step = int(frame.diverged_at[k])
    row = history.index_of_step(step)
    # the lr of the step leaving row i is recorded in row i + 1 (row 0 holds none yet)
    lr_path = np.append(history.lr[1 : row + 1, k], history.lr[row, k])
    lr_path = np.where(lr_path > 0, lr_path, runs.lr[k])
    lr, lam = step_at_fault(history.lambda_max[: row + 1, k], lr_path)
    loss_fell = bool(frame.loss[k] < history.loss[0, k])
    sentence = explain_divergence(runs.label(k), step, lr, lam, loss_fell)
    total = int(np.sum(frame.diverged_at >= 0))
    if total > 1:
        sentence += f" ({total} of {len(frame.diverged_at)} runs have diverged.)"
    return sentence


class IdeaBanner(QWidget):
    """Title and one-sentence idea of the preset, plus the latest divergence sentence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("ideaTitle")
        self.idea = QLabel()
        self.idea.setObjectName("ideaText")
        self.idea.setWordWrap(True)
        self.divergence = QLabel()
        self.divergence.setObjectName("divergence")
        self.divergence.setWordWrap(True)
        self.divergence.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 4)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.idea)
        layout.addWidget(self.divergence)

    def set_idea(self, title: str, idea: str) -> None:
        self.title.setText(title)
        self.idea.setText(idea)
        self.title.setVisible(bool(title))
        self.idea.setVisible(bool(idea))

    def set_divergence(self, sentence: str) -> None:
        self.divergence.setText(sentence)
        self.divergence.setVisible(bool(sentence))
