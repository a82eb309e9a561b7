"""The network diagram: neurons filled by their activation, edges by the weights' sign and size.

Few graphics items whatever the size of the network (an 8 x 64 network has 25,000 edges):
the edges are one `gui.network.views.edge_bundles.EdgeBundle` per weight layer (a path per
sign and width level, cached as a pixmap in a large network); the neurons one scatter
item (`gui.network.views.neuron_dots.NeuronDots`: a restyled neuron repaints only its own
square), their δ rings another, the backward pulses a third. Value labels only for narrow
layers (`NetworkLayout.labels`).
Geometry, fills, width levels, pulses and hover texts come from `core.nn.graph`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from core.nn.graph import describe_edge, describe_node, edge_pulses, node_fill
from core.nn.step_through import fmt
from gui.network.views.diagram_style import (
    EDGE_COLORS,
    LayerTitles,
    edge_pen,
    fill_brushes,
    hover_label,
    label_font,
    ring_pens,
)
from gui.network.views.edge_bundles import KEYS, EdgeBundles
from gui.network.views.neuron_dots import NeuronDots
from gui.shell.theme import plot_colors

PULSES_PER_LAYER = 48
PRESENTATION_LINES = 1.6  # edges this much thicker on a projector


class NetworkDiagram(pg.PlotWidget):
    """Implements `gui.network.protocols.DiagramDisplay`."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, background=plot_colors().background)
        plot = self.getPlotItem()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.setMouseEnabled(x=False, y=False)
        plot.setMenuEnabled(False)
        plot.hideButtons()
        self.setAspectLocked(True)
        self.edges = EdgeBundles(self)
        self.pulses = pg.ScatterPlotItem(pxMode=True, pen=None)
        self.nodes = NeuronDots()
        self.rings = pg.ScatterPlotItem(pxMode=True, brush=None)
        for item in (self.pulses, self.nodes, self.rings):
            self.addItem(item)
        self.pulses.setZValue(5)
        self.nodes.setZValue(10)
        self.rings.setZValue(11)
        self.titles = LayerTitles(self)
        self.hover = hover_label()
        self.addItem(self.hover)
        self.hover.hide()
        self.layout_ = None
        self.labels: list[pg.TextItem] = []
        self.weights: tuple = ()
        self.trace = None
        self._pulse_data: tuple | None = None
        self._brushes = fill_brushes()
        self._brush_array = np.empty(len(self._brushes), dtype=object)
        self._brush_array[:] = self._brushes
        self._bins: np.ndarray | None = None  # the shades the neurons show
        self._presentation = False
        self.getViewBox().sigResized.connect(self._resize_nodes)
        self.scene().sigMouseMoved.connect(self._on_mouse)

    def follow_theme(self) -> None:
        """View > Theme switched (gui.shell.window_memory.set_theme): text in the theme's
        ink, a crowded network's faint edges mixed with its ground."""
        ink = plot_colors().foreground
        self.titles.set_color(ink)
        for label in self.labels:
            label.setColor(ink)
        self._set_edge_pens()

    # -- architecture ----------------------------------------------------------------
    def set_layout(self, layout) -> None:
        """A new architecture: positions, labels and titles; values come with the states."""
        self.layout_ = layout
        for label in self.labels:
            self.removeItem(label)
        self.labels = []
        if layout.labels:
            for x, y in layout.nodes:
                label = pg.TextItem("", color=plot_colors().foreground, anchor=(0.5, 1.15))
                label.setPos(x, y + layout.node_radius)
                label.setZValue(12)
                label.setFont(self.titles.font)
                self.addItem(label)
                self.labels.append(label)
        self.titles.set_layers(layout)
        self.edges.set_layout(layout)
        self._set_edge_pens()
        self.nodes.setData(pos=layout.nodes, size=10, brush=self._brushes[len(self._brushes) // 2])
        self._bins = None
        self.rings.setData([], [])
        self.pulses.setData([], [])
        self.trace, self.weights = None, ()
        depth = layout.nodes[:, 1]
        self.setRange(
            xRange=(-0.6, len(layout.sizes) - 0.4),
            yRange=(depth.min() - 0.6, depth.max() + 0.45),
            padding=0,
        )
        self._resize_nodes()

    def _set_edge_pens(self) -> None:
        if self.layout_ is None:
            return
        n_edges = len(self.layout_.segments)
        scale = PRESENTATION_LINES if self._presentation else 1.0
        ground = plot_colors().background
        self.edges.set_pens({key: edge_pen(*key, n_edges, scale, ground) for key in KEYS})

    def set_presentation(self, on: bool) -> None:
        """Thicker edges and larger labels, layer titles and hover text for a projector."""
        self._presentation = bool(on)
        self.titles.font = label_font(self._presentation)
        for item in (*self.labels, *self.titles.items, self.hover):
            item.setFont(self.titles.font)
        self._set_edge_pens()

    def _resize_nodes(self) -> None:
        if self.layout_ is None:
            return
        pixels = self.getViewBox().viewPixelSize()[0] or 1.0
        self.titles.fit(1.0 / pixels)  # columns are one diagram unit apart
        self._node_px = float(np.clip(2 * self.layout_.node_radius / pixels, 5, 44))
        self.nodes.setSize(self._node_px)
        self.rings.setSize(self._node_px + 4)

    # -- live state --------------------------------------------------------------------
    def show_live(self, weights: tuple, trace, moving: bool = False) -> None:
        """The current weights and the chosen sample's activations, no phase.

        ``moving``: a run is playing, so a large network may spread the edges' redraw over
        a few frames (`EdgeBundles.show`)."""
        self.weights = weights
        self.edges.show(weights, moving)
        self._draw_nodes(trace, lit_layers=len(weights) + 1)
        _empty(self.rings)
        _empty(self.pulses)
        self._pulse_data = None
        self._write_labels(trace)

    def show_phase(self, frame, walk, index: int) -> None:
        """Phase ``index`` of a step: what is computed by then is shown, the rest is grey."""
        phase = walk.phases[index]
        trace, n_layers = walk.trace, len(frame.weights)
        weights = frame.weights
        if phase.kind == "update":
            weights = tuple(w + u for w, u in zip(frame.weights, frame.weight_update))
        self.edges.show(weights)
        self.weights = frame.weights  # hover: w where the gradient was taken
        lit = phase.layer + 2 if phase.kind == "forward" else n_layers + 1
        self._draw_nodes(trace, lit)
        delta_from = delta_arrived(phase, n_layers)
        if delta_from is None:
            _empty(self.rings)
        else:
            self._draw_rings(trace, from_layer=delta_from)
        self._pulse_data = None
        _empty(self.pulses)
        if phase.kind == "backward":
            self._prepare_pulses(trace, phase.layer)
            self.set_pulse(0.0)
        self._write_labels(trace, lit, delta_from)

    def set_pulse(self, progress: float) -> None:
        """Move the backward pulses ``progress`` (0..1) of the way from output to input."""
        if self._pulse_data is None:
            return
        start, end, sizes, brushes = self._pulse_data
        t = float(np.clip(progress, 0.0, 1.0))
        self.pulses.setData(pos=end + (start - end) * t, size=sizes, brush=brushes)

    # -- drawing helpers --------------------------------------------------------------
    def _draw_nodes(self, trace, lit_layers: int) -> None:
        self.trace = trace
        fill = node_fill(trace)
        bins = np.rint((fill + 1.0) / 2.0 * (len(self._brushes) - 2)).astype(int)
        unlit = int(self.layout_.first[min(lit_layers, len(self.layout_.sizes))])
        bins[unlit:] = len(self._brushes) - 1  # not computed yet: grey
        if self._bins is None or len(self._bins) != len(bins):
            self.nodes.setBrush([self._brushes[b] for b in bins])
        else:
            # only the neurons whose shade changed are restyled: restyling all 450 of an
            # 8 x 64 network every frame cost more than drawing them
            changed = bins != self._bins
            if not changed.any():
                return
            self.nodes.restyle(changed, self._brush_array[bins[changed]])
        self._bins = bins

    def _draw_rings(self, trace, from_layer: int) -> None:
        layout = self.layout_
        deltas = [np.asarray(d)[0] for d in trace.delta[from_layer - 1 :]]
        start = int(layout.first[from_layer])
        pens = ring_pens(deltas)
        self.rings.setData(pos=layout.nodes[start : start + len(pens)], pen=pens)
        self.rings.setSize(self._node_px + 4)

    def _prepare_pulses(self, trace, layer: int) -> None:
        layout = self.layout_
        order, grad = edge_pulses(trace, layer, PULSES_PER_LAYER)
        segments = layout.segments[int(layout.edge_first[layer]) + order]
        largest = float(np.max(np.abs(grad))) if grad.size else 0.0
        share = np.abs(grad) / largest if largest > 0 else np.zeros_like(grad)
        sizes = 4.0 + 12.0 * np.sqrt(share)
        brushes = [pg.mkBrush(EDGE_COLORS[g >= 0]) for g in grad]
        self._pulse_data = (segments[:, 0], segments[:, 1], sizes, brushes)

    def _write_labels(
        self, trace, lit_layers: int | None = None, delta_from: int | None = None
    ) -> None:
        """Each label: nothing for a layer not computed yet, δ for a layer whose δ has
        arrived (``delta_from`` on), its activation elsewhere."""
        if not self.labels:
            return
        layout = self.layout_
        lit = len(layout.sizes) if lit_layers is None else lit_layers
        values = [np.asarray(trace.x)] + [np.asarray(a)[0] for a in trace.a]
        deltas = [None] + [np.asarray(d)[0] for d in trace.delta]
        arrived = len(layout.sizes) if delta_from is None else delta_from
        for index, label in enumerate(self.labels):
            layer, unit = layout.locate_node(index)
            if layer >= lit:
                text = ""
            elif layer >= arrived and deltas[layer] is not None:
                text = f"δ {fmt_short(deltas[layer][unit])}"
            else:
                text = fmt_short(values[layer][unit])
            label.setText(text)

    # -- hover -------------------------------------------------------------------------
    def _on_mouse(self, position) -> None:
        if self.layout_ is None or self.trace is None:
            return
        point = self.getViewBox().mapSceneToView(position)
        text = self.describe_at(point.x(), point.y())
        if text:
            self.hover.setText(text)
            self.hover.setPos(point.x(), point.y())
            self.hover.show()
        else:
            self.hover.hide()

    def describe_at(self, x: float, y: float) -> str:
        """Hover text of the neuron or edge at (x, y) in diagram units ('' for none)."""
        layout, trace = self.layout_, self.trace
        distance = np.hypot(layout.nodes[:, 0] - x, layout.nodes[:, 1] - y)
        nearest = int(np.argmin(distance))
        if distance[nearest] <= 1.3 * layout.node_radius:
            return describe_node(trace, *layout.locate_node(nearest))
        layer = int(np.floor(x))
        if not 0 <= layer < len(layout.sizes) - 1:
            return ""
        first, last = int(layout.edge_first[layer]), int(layout.edge_first[layer + 1])
        a, b = layout.segments[first:last, 0], layout.segments[first:last, 1]
        ab = b - a
        t = np.clip(((x - a[:, 0]) * ab[:, 0] + (y - a[:, 1]) * ab[:, 1]) / (ab**2).sum(1), 0, 1)
        gap = np.hypot(a[:, 0] + t * ab[:, 0] - x, a[:, 1] + t * ab[:, 1] - y)
        k = int(np.argmin(gap))
        if gap[k] > 0.04:
            return ""
        _, i, j = layout.locate_edge(first + k)
        return describe_edge(self.weights, trace, layer, i, j)


def _empty(item: pg.ScatterPlotItem) -> None:
    """Remove a scatter item's spots; one that has none is left alone (emptying it again
    would repaint the diagram around it, a millisecond a frame for nothing)."""
    if len(item.data):
        item.setData([], [])


def delta_arrived(phase, n_layers: int) -> int | None:
    """The first diagram layer whose δ is known at ``phase`` (None: no δ yet).

    The loss phase gives the output layer's δ (diagram layer ``n_layers``); the backward
    phase of weight layer l gives δ_l of diagram layer l + 1, the chain rule
    δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ σ′(z_l) having reached it. Forward and update phases show
    activations, no δ."""
    if phase.kind == "loss":
        return n_layers
    if phase.kind == "backward":
        return phase.layer + 1
    return None


def fmt_short(value: float) -> str:
    """A label's number: 3 significant digits (the hover and the panel give all of them)."""
    return f"{float(value):.3g}" if abs(value) < 1e4 else fmt(value)
