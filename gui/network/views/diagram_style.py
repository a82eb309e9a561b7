"""How the diagram looks: edge pens, neuron fills, δ rings, layer titles, the hover box."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from core.nn.graph import WIDTH_LEVELS
from gui.shell.theme import plot_colors
from gui.widgets.plot_style import PRESENTATION_SCALE

POSITIVE = (214, 96, 24)  # orange: a positive weight, activation or gradient
NEGATIVE = (33, 102, 172)  # blue: a negative one
EDGE_COLORS = {True: POSITIVE, False: NEGATIVE}
UNLIT = (222, 224, 228)  # a neuron not computed yet in this phase
FILL_LEVELS = 41
LABEL_PT = 9.0  # the diagram's text, in points


def label_font(presentation: bool) -> pg.QtGui.QFont:
    """The font of the value labels, layer titles and hover box (larger on a projector)."""
    font = pg.QtGui.QFont()
    font.setPointSizeF(LABEL_PT * (PRESENTATION_SCALE if presentation else 1.0))
    return font


def edge_pen(
    positive: bool,
    level: int,
    n_edges: int,
    scale: float = 1.0,
    background: tuple = (255, 255, 255),
) -> pg.QtGui.QPen:
    """Width by the weight's size (level 0..WIDTH_LEVELS-1) times ``scale``; thinner and
    fainter when there are many edges, so a large network stays a readable texture.

    A crowded network's faint edges are opaque colours mixed with the ``background``
    rather than translucent ones: tens of thousands of blended lines cost three times as
    much to draw, and where thousands of lines cross, blending shows only a uniform wash.
    """
    crowded, busy = n_edges > 1000, n_edges > 60
    widths = (0.4, 0.8, 1.4, 2.2) if busy else (0.8, 1.8, 3.2, 5.0)
    base = 30 if crowded else 70 if busy else 90
    alpha = min(255, base + 50 * level)
    width = widths[min(level, WIDTH_LEVELS - 1)] * scale
    color = (*EDGE_COLORS[positive], alpha)
    if crowded:
        ground = np.asarray(background, dtype=float)
        mixed = ground + (np.asarray(EDGE_COLORS[positive], dtype=float) - ground) * alpha / 255
        color = tuple(int(c) for c in np.rint(mixed))
    pen = pg.mkPen(color, width=width)
    pen.setCosmetic(True)
    return pen


def fill_brushes() -> list:
    """``FILL_LEVELS`` brushes from blue (-1) through white (0) to orange (+1), then grey
    (the last) for a neuron not computed yet."""
    brushes = []
    for t in np.linspace(-1.0, 1.0, FILL_LEVELS):
        end = np.array(POSITIVE if t >= 0 else NEGATIVE, dtype=float)
        rgb = 255.0 + (end - 255.0) * abs(t)
        brushes.append(pg.mkBrush(*rgb.astype(int)))
    brushes.append(pg.mkBrush(*UNLIT))
    return brushes


def ring_pens(deltas: list[np.ndarray]) -> list:
    """One pen per neuron of the given layers: colour by the sign of δ, width by |δ|
    relative to the largest |δ| of its layer (the error signal arriving)."""
    pens = []
    for delta in deltas:
        largest = float(np.max(np.abs(delta))) if delta.size else 0.0
        for value in delta:
            share = abs(value) / largest if largest > 0 else 0.0
            pens.append(pg.mkPen(EDGE_COLORS[value >= 0], width=1.0 + 4.0 * share))
    return pens


def hover_label() -> pg.TextItem:
    label = pg.TextItem(
        "",
        color=(20, 20, 24),
        fill=pg.mkBrush(255, 255, 240, 235),
        border=pg.mkPen(120, 120, 120),
        anchor=(0.0, 1.05),
    )
    label.setZValue(100)
    return label


class LayerTitles:
    """Names under the columns: input, hidden k (units), output; shorter where the
    columns are too close for them (h3 (64), then the unit count alone)."""

    def __init__(self, plot: pg.PlotWidget) -> None:
        self.plot = plot
        self.items: list[pg.TextItem] = []
        self.font = label_font(False)
        self.forms: list[tuple[str, ...]] = []  # per column: the long, short, shortest name
        self.form = 0

    def set_layers(self, layout) -> None:
        for item in self.items:
            self.plot.removeItem(item)
        self.items = []
        bottom = float(layout.nodes[:, 1].min()) - 0.18
        last = len(layout.sizes) - 1
        self.forms = [_title_forms(k, n, last) for k, n in enumerate(layout.sizes)]
        for k, forms in enumerate(self.forms):
            item = pg.TextItem(forms[self.form], color=plot_colors().foreground, anchor=(0.5, 0.0))
            item.setPos(k, bottom)
            item.setFont(self.font)
            self.plot.addItem(item)
            self.items.append(item)

    def fit(self, column_px: float) -> None:
        """The longest names that fit ``column_px`` pixels apart (with a small gap)."""
        if not self.forms:
            return
        metrics = pg.QtGui.QFontMetricsF(self.font)
        form = 2
        for candidate in (0, 1):
            widest = max(metrics.horizontalAdvance(f[candidate]) for f in self.forms)
            if widest + 8 <= column_px:
                form = candidate
                break
        if form != self.form:
            self.form = form
            for item, forms in zip(self.items, self.forms, strict=True):
                item.setText(forms[form])

    def set_color(self, color) -> None:
        for item in self.items:
            item.setColor(color)


def _title_forms(k: int, n: int, last: int) -> tuple[str, str, str]:
    if k == 0:
        return f"input ({n})", f"in ({n})", str(n)
    if k == last:
        return f"output ({n})", f"out ({n})", str(n)
    return f"hidden {k} ({n})", f"h{k} ({n})", str(n)
