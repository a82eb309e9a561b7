"""The headline of what is on screen, once the learner has changed a preset's settings.

A preset's title and idea describe the preset. After an edit they would describe
something that is no longer shown (and a saved session would keep the stale text), so
the headline becomes a plain description of the configuration itself.
"""

from __future__ import annotations

from core.descent.config import DescentConfig


def _rates(rates: tuple[float, ...]) -> str:
    if len(rates) == 1:
        return f"learning rate {rates[0]:.3g}"
    return f"{len(rates)} learning rates from {min(rates):.3g} to {max(rates):.3g}"


def _optimizers(config: DescentConfig) -> str:
    labels = [spec.display_label for spec in config.optimizers]
    if len(labels) == 1:
        return labels[0]
    return ", ".join(labels[:-1]) + f" and {labels[-1]}"


def describe_setup(
    config: DescentConfig, surface_name: str, edited_from: str = ""
) -> tuple[str, str]:
    """``(title, idea)`` saying what ``config`` runs on the surface called ``surface_name``.

    ``edited_from`` names the preset the learner started from, if any.
    """
    expr = config.expr if len(config.expr) <= 60 else config.expr[:59] + "…"
    where = f"the formula {expr}" if config.surface == "expr" else surface_name
    title = f"{_optimizers(config)} on {where}"
    parts = [_rates(config.learning_rates)]
    starts = len(config.starts)
    if starts > 1:
        parts.append(f"{starts} start points")
    if config.seeds > 1:
        parts.append(f"{config.seeds} sampling seeds each")
    parts.append(f"{config.steps:,} steps")
    idea = ", ".join(parts) + "."
    if edited_from:
        idea += f" Your own setup, changed from the preset “{edited_from}”."
    return title, idea
