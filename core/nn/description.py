"""The network workspace's headline once the learner has changed a preset's settings.

A preset's title and idea say what that preset shows ("XOR needs a hidden layer: four
hidden units bend the boundary"). After the learner adds a layer or changes the data set
they would describe something no longer on screen, and a saved session would keep the
stale text, so the headline becomes a plain description of the configuration itself.
"""

from __future__ import annotations

import dataclasses

from core.nn.presets import NetworkPreset
from core.nn.train_config import TrainConfig

__all__ = ["describe_network_setup", "network_headline"]


def _batches(config: TrainConfig) -> str:
    if config.mode == "batch":
        return "the full batch each step"
    if config.mode == "stochastic":
        return "one sample each step"
    return f"mini-batches of {config.batch_size}"


def _regularization(config: TrainConfig) -> list[str]:
    parts = []
    if config.l1 > 0:
        parts.append(f"L1 {config.l1:.3g}")
    if config.l2 > 0:
        parts.append(f"L2 {config.l2:.3g}")
    if config.dropout > 0:
        parts.append(f"dropout {config.dropout:.3g}")
    if config.batch_norm:
        parts.append("batch norm")
    return parts


def describe_network_setup(config: TrainConfig, edited_from: str = "") -> tuple[str, str]:
    """``(title, idea)`` saying what ``config`` trains, e.g. ``("A [2, 8, 1] tanh network on
    moons", "gd at learning rate 0.1 on the full batch each step, 100 epochs, xavier
    initialization; bce loss on a sigmoid output.")``.

    ``edited_from`` names the preset the learner started from, if any.
    """
    activation = config.activation
    if not isinstance(activation, str):
        activation = "/".join(activation) if len(set(activation)) > 1 else activation[0]
    data = config.data.name if config.data is not None else "its data"
    if data == "arrays":
        data = "hand-made data"
    if len(config.layers) > 2:
        title = f"A {list(config.layers)} {activation} network on {data}"
    else:
        title = f"A {list(config.layers)} network (no hidden layer) on {data}"
    parts = [
        f"{config.optimizer} at learning rate {config.lr:.3g} on {_batches(config)}",
        f"{config.epochs:,} epochs",
        f"{config.init} initialization",
        *_regularization(config),
    ]
    idea = ", ".join(parts) + f"; {config.loss} loss on a {config.output} output."
    if edited_from:
        idea += f" Your own setup, changed from the preset “{edited_from}”."
    return title, idea


def network_headline(config: TrainConfig, preset: NetworkPreset) -> tuple[str, str]:
    """``(title, idea)`` of the headline while ``config`` trains, started from ``preset``:
    the preset's own while its configuration trains (whichever sample is traced), else
    `describe_network_setup`."""
    if dataclasses.replace(config, sample_index=None) == dataclasses.replace(
        preset.config, sample_index=None
    ):
        return preset.title, preset.idea
    return describe_network_setup(config, preset.title)
