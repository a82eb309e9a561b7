"""Weight and bias histograms per layer over training, and the dead ReLU units.

From the history's kept weight sets (steps t_0 < ... < t_M-1, thinned) and the frame on
screen, every layer's weights W[l] and biases b[l] are counted into bins that stay fixed
for the whole run: ``n_bins`` equal bins over [-m, m], m = max |w| the layer ever had in
the sets shown (``n_bins`` None: `bin_count` of the layer's size, so a small layer gets
a few wide bins, a large one finer ones). Fixed bins make a large initialization (a wide
first column) and its shrinkage (the columns narrowing towards 0) visible, and zero sits
on a bin edge between the two middle bins (the bin count is even).

A ReLU unit is *dead* when its activation is 0 for every training sample: its gradient
relu'(z) = 0 everywhere, so its incoming weights never change again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from core.nn.neuron_maps import hidden_activations
from core.nn.train_config import TrainConfig, TrainFrame

__all__ = [
    "N_BINS",
    "WeightHistograms",
    "bin_count",
    "dead_units",
    "fixed_bins",
    "histogram_rows",
    "weight_histograms",
]

N_BINS = 40  # the most bins of a layer


def bin_count(size: int, most: int = N_BINS) -> int:
    """Bins for ``size`` values: about 2 sqrt(size), from 8 to ``most`` (a histogram of 64
    weights in 40 bins is mostly empty bins; in 16 it shows their spread)."""
    return int(min(most, max(8, 2 * math.ceil(math.sqrt(max(size, 1))))))  # even: 0 an edge


@dataclass(frozen=True, slots=True, repr=False)
class WeightHistograms:
    """``steps`` (M,) the steps counted; per layer l: ``weight_counts[l]`` (M, n_bins) with
    bin edges ``weight_edges[l]`` (n_bins + 1,), the same for biases; ``dead[l]`` the
    number of dead units of a ReLU layer at the last step (None for other layers and the
    output layer); ``units[l]`` the layer's unit count, ``layers`` the network's sizes
    (inputs first). Arrays are read-only."""

    steps: np.ndarray
    weight_counts: tuple[np.ndarray, ...]
    weight_edges: tuple[np.ndarray, ...]
    bias_counts: tuple[np.ndarray, ...]
    bias_edges: tuple[np.ndarray, ...]
    dead: tuple[int | None, ...]
    units: tuple[int, ...]
    layers: tuple[int, ...]

    def __repr__(self) -> str:
        return f"WeightHistograms(sets={len(self.steps)}, layers={len(self.weight_counts)})"


def fixed_bins(stack: np.ndarray, n_bins: int = N_BINS) -> np.ndarray:
    """``n_bins + 1`` equal bin edges over [-m, m], m = max |value| in ``stack`` (any
    shape): they cover every value from min to max; m = 0 gives [-1, 1]."""
    if n_bins < 1:
        raise ValueError(f"n_bins must be at least 1, got {n_bins}")
    finite = np.abs(stack[np.isfinite(stack)])
    m = float(finite.max()) if finite.size else 0.0
    m = m if m > 0.0 else 1.0
    return np.linspace(-m, m, n_bins + 1)


def histogram_rows(stack: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts (M, n_bins) of each row of ``stack`` (M, ...) in the bins ``edges``.

    Bins are [e_k, e_k+1), the last one closed like ``np.histogram``'s; values outside
    the edges (or not finite) are not counted. One bincount for all rows at once.
    """
    rows = stack.reshape(len(stack), -1)
    n_bins = len(edges) - 1
    inside = np.isfinite(rows) & (rows >= edges[0]) & (rows <= edges[-1])
    k = np.clip(np.searchsorted(edges, rows, side="right") - 1, 0, n_bins - 1)
    flat = (np.arange(len(rows))[:, None] * n_bins + k)[inside]
    return np.bincount(flat, minlength=len(rows) * n_bins).reshape(len(rows), n_bins)


def dead_units(config: TrainConfig, frame: TrainFrame, X_train: np.ndarray) -> list[np.ndarray]:
    """Per hidden layer, a (units,) bool mask: True where a ReLU unit's activation is 0 on
    every training sample (evaluation mode); all False for other activations."""
    names = config.activation
    n_hidden = len(config.layers) - 2
    names = (names,) * n_hidden if isinstance(names, str) else tuple(names)
    masks = []
    for a, name in zip(hidden_activations(config, frame, X_train), names, strict=True):
        dead = np.all(a <= 0.0, axis=0) if name == "relu" else np.zeros(a.shape[1], bool)
        masks.append(dead)
    return masks


def weight_histograms(
    config: TrainConfig,
    frame: TrainFrame,
    history,
    X_train: np.ndarray,
    n_bins: int | None = None,
) -> WeightHistograms:
    """Histograms of every layer's weights and biases at the kept weight sets of
    ``history`` (a `TrainingSnapshot`) up to the frame's step, then at the frame itself,
    and the dead ReLU units at the frame (see the module docstring)."""
    steps, weights, biases = _sets_up_to(frame, history)
    w_counts, w_edges, b_counts, b_edges = [], [], [], []
    for stack, counts, edges in ((weights, w_counts, w_edges), (biases, b_counts, b_edges)):
        for layer_stack in stack:
            count = bin_count(layer_stack[0].size) if n_bins is None else n_bins
            bins = fixed_bins(layer_stack, count)
            edges.append(_read_only(bins))
            counts.append(_read_only(histogram_rows(layer_stack, bins)))
    masks = dead_units(config, frame, X_train)
    names = config.activation
    names = (names,) * len(masks) if isinstance(names, str) else tuple(names)
    dead = [int(m.sum()) if n == "relu" else None for m, n in zip(masks, names, strict=True)]
    return WeightHistograms(
        _read_only(steps),
        tuple(w_counts),
        tuple(w_edges),
        tuple(b_counts),
        tuple(b_edges),
        (*dead, None),
        tuple(int(n) for n in config.layers[1:]),
        tuple(int(n) for n in config.layers),
    )


def _sets_up_to(frame: TrainFrame, history) -> tuple[np.ndarray, list, list]:
    """(steps, per-layer weight stacks, per-layer bias stacks): the kept sets at steps
    before the frame's, then the frame's own weights."""
    n_layers = len(frame.weights)
    steps = np.zeros(0, dtype=np.int64)
    weights = [np.zeros((0, *np.shape(w))) for w in frame.weights]
    biases = [np.zeros((0, *np.shape(b))) for b in frame.biases]
    if history is not None and len(history.weight_steps):
        kept = np.asarray(history.weight_steps)
        j = int(np.searchsorted(kept, frame.step, side="left"))  # sets strictly before
        steps = kept[:j].astype(np.int64)
        weights = [np.asarray(history.weights[l][:j]) for l in range(n_layers)]
        biases = [np.asarray(history.biases[l][:j]) for l in range(n_layers)]
    steps = np.append(steps, frame.step)
    weights = [np.concatenate([s, np.asarray(w)[None]]) for s, w in zip(weights, frame.weights)]
    biases = [np.concatenate([s, np.asarray(b)[None]]) for s, b in zip(biases, frame.biases)]
    return steps, weights, biases


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array
