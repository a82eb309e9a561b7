"""What one pass through an MLP leaves behind: its forward and backward records, and the
reused arrays (workspace) the passes may write into.

A :class:`ForwardRecord` holds every weighted input ``z[l]`` and output ``a[l]`` of a
forward pass; a :class:`BackwardRecord` every error signal ``delta[l] = dL/dz[l]`` and
parameter gradient of the backward pass that followed. They are exactly the quantities
the network diagram shows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BackwardRecord", "ForwardRecord", "Workspace", "layer_buffer"]


@dataclass(frozen=True, slots=True, repr=False)
class ForwardRecord:
    """Everything the forward pass computed, one entry per layer.

    ``z``: weighted inputs a_prev @ W + b; ``a``: layer outputs (after dropout);
    ``activated``: f(.) before dropout; ``bn_hat``/``bn_out``: normalized z and
    gamma * hat + beta (None without batch norm); ``bn_mean``/``bn_var``: the statistics
    used; ``masks``: dropout masks (None when off).
    """

    inputs: np.ndarray
    z: tuple
    a: tuple
    activated: tuple
    bn_hat: tuple
    bn_out: tuple
    bn_mean: tuple
    bn_var: tuple
    masks: tuple
    training: bool

    @property
    def output(self) -> np.ndarray:
        """The network's prediction a[L-1]."""
        return self.a[-1]

    def layer_input(self, layer: int) -> np.ndarray:
        """What layer ``layer`` multiplies by its weights: X for layer 0, else a[layer-1]."""
        return self.inputs if layer == 0 else self.a[layer - 1]

    def __repr__(self) -> str:
        widths = [z.shape[1] for z in self.z]
        mode = "training" if self.training else "evaluation"
        return f"ForwardRecord(samples={len(self.inputs)}, widths={widths}, {mode})"


@dataclass(frozen=True, slots=True, repr=False)
class BackwardRecord:
    """The backward pass: loss, error signals dL/dz and parameter gradients per layer."""

    loss: float
    data_loss: float
    penalty: float
    delta: tuple
    dW: tuple
    db: tuple
    dgamma: tuple
    dbeta: tuple

    def __repr__(self) -> str:
        norms = ", ".join(f"{np.linalg.norm(g):.3g}" for g in self.dW)
        return f"BackwardRecord(loss={self.loss:.6g}, |dW|=[{norms}])"


class Workspace:
    """Arrays reused from one pass to the next (fresh ones cost page faults when large).

    Arrays above ``max_elements`` are not kept: for them the faults are a small share of
    the work, and holding them would pin a lot of memory.
    """

    def __init__(self, max_elements: int = 1 << 20) -> None:
        self._arrays: dict = {}
        self.max_elements = max_elements

    def get(self, key, shape: tuple) -> np.ndarray | None:
        """The array stored under ``key``, (re)made when its shape changes; None if too big."""
        array = self._arrays.get(key)
        if array is None or array.shape != shape:
            if shape[0] * shape[1] > self.max_elements:
                return None
            array = self._arrays[key] = np.empty(shape)
        return array

    def __repr__(self) -> str:
        return f"Workspace({len(self._arrays)} arrays)"


def layer_buffer(workspace: Workspace | None, name: str, layer: int, shape: tuple):
    """The workspace's array ``name`` of layer ``layer``; None without a workspace (or too big)."""
    return None if workspace is None else workspace.get((name, layer), shape)
