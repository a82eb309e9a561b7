"""The network diagram as plain arrays: where neurons and edges go, and what each one shows.

Node layer 0 holds the inputs, node layer l+1 the units of weight layer l. Layer k sits at
x = k; its n units are spread evenly over a column centred on y = 0 whose height grows
with n up to ``MAX_COLUMN`` (so 64 units stay within the same frame as 8). Edges of weight
layer l join node (l, i) to node (l+1, j) for W[l][i, j], in row-major (i, j) order.

Everything the diagram draws is computed here: node positions, edge segments, the fill of
each neuron for a sample (its activation, scaled per layer to [-1, 1]), an edge's width
level from |w|, the gradient each edge carries for one sample (dL/dw = a_in · δ_out), and
the hover texts. The window only draws these arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.nn.step_through import fmt
from core.nn.train_config import SampleTrace

__all__ = [
    "MAX_COLUMN",
    "NetworkLayout",
    "describe_edge",
    "describe_node",
    "edge_levels",
    "edge_pulses",
    "network_layout",
    "node_fill",
]

MAX_COLUMN = 4.0  # height of the tallest column, in layer spacings
LABEL_LIMIT = 5  # layers wider than this get no value labels (they would touch)
WIDTH_LEVELS = 4  # edge widths: |w| / max|w| in quarters


@dataclass(frozen=True, slots=True, repr=False)
class NetworkLayout:
    """Positions of the diagram of a network with layer sizes ``sizes``.

    ``nodes`` (N, 2) x, y of every unit, layer by layer; ``first[k]`` the index of layer k's
    first unit (``first[-1]`` = N); ``segments`` (E, 2, 2) the ends of every edge, weight
    layer by weight layer; ``edge_first[l]`` the index of weight layer l's first edge;
    ``node_radius`` the circle radius in data units; ``labels``: whether values fit as text.
    """

    sizes: tuple[int, ...]
    nodes: np.ndarray
    first: np.ndarray
    segments: np.ndarray
    edge_first: np.ndarray
    node_radius: float
    labels: bool

    def __repr__(self) -> str:
        return f"NetworkLayout({list(self.sizes)}, edges={len(self.segments)})"

    def node_index(self, layer: int, unit: int) -> int:
        return int(self.first[layer]) + unit

    def locate_edge(self, index: int) -> tuple[int, int, int]:
        """(weight layer, i, j) of edge ``index``."""
        layer = int(np.searchsorted(self.edge_first, index, side="right")) - 1
        n_out = self.sizes[layer + 1]
        i, j = divmod(index - int(self.edge_first[layer]), n_out)
        return layer, i, j

    def locate_node(self, index: int) -> tuple[int, int]:
        """(node layer, unit) of node ``index``."""
        layer = int(np.searchsorted(self.first, index, side="right")) - 1
        return layer, index - int(self.first[layer])


def _column(n: int) -> np.ndarray:
    spacing = min(1.0, MAX_COLUMN / max(n - 1, 1)) if n > 1 else 1.0
    return (np.arange(n) - (n - 1) / 2.0)[::-1] * spacing * 0.9


def network_layout(sizes) -> NetworkLayout:
    """The diagram's geometry for layer sizes ``sizes`` (input first)."""
    sizes = tuple(int(s) for s in sizes)
    columns = [_column(n) for n in sizes]
    nodes = np.concatenate(
        [np.column_stack([np.full(len(c), k), c]) for k, c in enumerate(columns)]
    )
    first = np.concatenate([[0], np.cumsum(sizes)])
    segments, edge_first = [], [0]
    for layer in range(len(sizes) - 1):
        a, b = columns[layer], columns[layer + 1]
        start = np.repeat(np.column_stack([np.full(len(a), layer), a]), len(b), axis=0)
        end = np.tile(np.column_stack([np.full(len(b), layer + 1), b]), (len(a), 1))
        segments.append(np.stack([start, end], axis=1))
        edge_first.append(edge_first[-1] + len(a) * len(b))
    widest = max(sizes)
    spacing = min(1.0, MAX_COLUMN / max(widest - 1, 1)) * 0.9
    radius = float(min(0.16, 0.42 * spacing))
    return NetworkLayout(
        sizes,
        nodes,
        first,
        np.concatenate(segments).astype(np.float64),
        np.asarray(edge_first),
        radius,
        widest <= LABEL_LIMIT,
    )


def node_values(trace: SampleTrace) -> list[np.ndarray]:
    """Per node layer, the sample's values: its inputs, then each layer's activation a."""
    return [np.asarray(trace.x, dtype=np.float64)] + [np.asarray(a)[0] for a in trace.a]


def node_fill(trace: SampleTrace) -> np.ndarray:
    """(N,) fill of every neuron in [-1, 1]: its value over max(1, max |value| of its layer).

    Sigmoid and tanh units keep their own scale; a layer of large ReLU or input values is
    scaled so its largest unit is fully coloured.
    """
    fills = []
    for values in node_values(trace):
        scale = max(1.0, float(np.max(np.abs(values)))) if values.size else 1.0
        fills.append(values / scale)
    return np.clip(np.concatenate(fills), -1.0, 1.0)


def edge_levels(weights) -> tuple[np.ndarray, np.ndarray]:
    """(positive (E,) bool, level (E,) int in 0..WIDTH_LEVELS-1) of every edge's weight.

    The level is |w| / max |w| over the whole network, in equal steps: the widest lines are
    the network's largest weights, whatever layer they are in.
    """
    flat = np.concatenate([np.asarray(W).reshape(-1) for W in weights])
    largest = float(np.max(np.abs(flat))) if flat.size else 0.0
    share = np.abs(flat) / largest if largest > 0 else np.zeros_like(flat)
    level = np.minimum((share * WIDTH_LEVELS).astype(np.int64), WIDTH_LEVELS - 1)
    return flat >= 0, level


def edge_pulses(trace: SampleTrace, layer: int, most: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """(edge indices within the layer, dL/dw) of the ``most`` edges of weight layer ``layer``
    carrying the largest gradient for the sample: dL/dw_ij = a_in,i · δ_out,j."""
    grad = np.asarray(trace.dW[layer]).reshape(-1)
    if grad.size > most:
        order = np.argpartition(np.abs(grad), grad.size - most)[grad.size - most :]
    else:
        order = np.arange(grad.size)
    return order, grad[order]


def describe_node(trace: SampleTrace, layer: int, unit: int) -> str:
    """Hover text of unit ``unit`` of node layer ``layer``: its z, a and δ for the sample."""
    if layer == 0:
        return f"input x{unit + 1} = {fmt(trace.x[unit])}"
    z = np.asarray(trace.z[layer - 1])[0, unit]
    a = np.asarray(trace.a[layer - 1])[0, unit]
    delta = np.asarray(trace.delta[layer - 1])[0, unit]
    kind = "output" if layer == len(trace.z) else f"hidden layer {layer}"
    return f"{kind}, unit {unit + 1}\nz = {fmt(z)}\na = {fmt(a)}\nδ = ∂L/∂z = {fmt(delta)}"


def describe_edge(weights, trace: SampleTrace, layer: int, i: int, j: int) -> str:
    """Hover text of the edge W[layer][i, j]: w, and dL/dw = a_in · δ_out with the numbers."""
    w = float(np.asarray(weights[layer])[i, j])
    a_in = float(node_values(trace)[layer][i])
    delta = float(np.asarray(trace.delta[layer])[0, j])
    grad = float(np.asarray(trace.dW[layer])[i, j])
    return (
        f"weight from unit {i + 1} (layer {layer}) to unit {j + 1} (layer {layer + 1})\n"
        f"w = {fmt(w)}\n∂L/∂w = a_in · δ_out = {fmt(a_in)} × {fmt(delta)} = {fmt(grad)}"
    )
