"""`SteadyScatter` keeps its bounding rectangle until what it depends on changes: it always
equals the one pyqtgraph's scatter item computes, yet is computed once per change."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.network.views.steady_scatter import SteadyScatter


def test_the_kept_rectangle_is_the_one_pyqtgraph_computes_through_every_change(qtbot, monkeypatch):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(300, 200)
    widget.show()
    qtbot.waitExposed(widget)
    steady, plain = SteadyScatter(size=9), pg.ScatterPlotItem(size=9)
    for item in (steady, plain):
        widget.addItem(item)
    box = widget.getPlotItem().getViewBox()
    rng = np.random.default_rng(0)

    def same() -> bool:
        return steady.boundingRect() == plain.boundingRect()

    changes = [
        lambda item: item.setData(pos=rng.normal(size=(20, 2))),
        lambda item: item.setSize(15),
        lambda item: item.setData([], []),
        lambda item: item.setData(pos=rng.normal(size=(5, 2)) * 3),
    ]
    for change in changes:
        state = rng.bit_generator.state
        change(steady)
        rng.bit_generator.state = state  # the same points for both
        change(plain)
        assert same()
        box.setRange(xRange=(-4, 4 + rng.random()), yRange=(-2, 2), padding=0)
        box.updateMatrix()
        assert same()
        widget.resize(300 + int(100 * rng.random()), 200)
        qtbot.wait(10)
        assert same()
    computed = []
    original = pg.ScatterPlotItem.boundingRect
    monkeypatch.setattr(
        pg.ScatterPlotItem, "boundingRect", lambda item: computed.append(1) or original(item)
    )
    steady.setData(pos=rng.normal(size=(8, 2)))
    for _ in range(5):
        steady.boundingRect()
    assert len(computed) == 1
