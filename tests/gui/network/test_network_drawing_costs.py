"""What keeps the network views cheap to draw, checked for what they show: the edge
bundles hold every edge once and, while a large run moves, refresh a few layers a frame
in turn; at rest every layer; the curves' ranges change only when the data leave them."""

from __future__ import annotations

import itertools

import numpy as np
import pyqtgraph as pg

from core.nn.graph import edge_levels, network_layout
from gui.network.views.curves import settle_range
from gui.network.views.edge_bundles import EDGES_PER_FRAME, KEYS, EdgeBundles


def _weights(sizes, seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    return tuple(scale * rng.normal(size=(a, b)) for a, b in itertools.pairwise(sizes))


def _bundles(qtbot, sizes) -> EdgeBundles:
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    bundles = EdgeBundles(plot)
    bundles.set_layout(network_layout(sizes))
    return bundles


def _counts(bundles) -> list[dict]:
    return [dict(b.counts) for b in bundles.bundles]


def _expected(sizes, weights) -> list[dict]:
    """Per weight layer, how many edges each (sign, level) path should hold."""
    positive, level = edge_levels(weights)
    bounds = np.cumsum([0, *(w.size for w in weights)])
    return [
        {k: int(np.sum((positive[a:b] == k[0]) & (level[a:b] == k[1]))) for k in KEYS}
        for a, b in itertools.pairwise(bounds)
    ]


def test_every_edge_is_in_the_path_of_its_sign_and_level(qtbot):
    sizes = (2, 8, 8, 1)
    bundles = _bundles(qtbot, sizes)
    weights = _weights(sizes)
    bundles.show(weights, moving=True)  # small: every layer at once even while moving
    assert not bundles.crowded and len(bundles.bundles) == 3
    assert _counts(bundles) == _expected(sizes, weights)
    assert bundles.drawn_edges() == 16 + 64 + 8


def test_a_moving_large_network_refreshes_its_layers_in_turn_and_all_at_rest(qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    sizes = (2, *[64] * 8, 1)
    bundles = EdgeBundles(plot)
    bundles.set_layout(network_layout(sizes))
    assert bundles.crowded
    old, new = _weights(sizes, 0), _weights(sizes, 1, scale=-1.0)
    bundles.show(old)
    assert _counts(bundles) == _expected(sizes, old)
    touched: list[int] = []

    def spy(index: int, original):
        def set_levels(*args) -> None:
            touched.append(index)
            original(*args)

        return set_levels

    for k, bundle in enumerate(bundles.bundles):  # note which layers each frame redraws
        bundle.set_levels = spy(k, bundle.set_levels)
    frames = []
    while not frames or len(set().union(*frames)) < len(bundles.bundles):
        touched.clear()
        bundles.show(new, moving=True)
        frames.append(set(touched))
        edges = sum(new[k].size for k in touched)
        assert 0 < len(touched) < len(bundles.bundles)  # a few layers, never all of them
        assert edges <= EDGES_PER_FRAME + max(w.size for w in new)
        assert len(frames) <= len(bundles.bundles)  # every layer within a round
    assert _counts(bundles) == _expected(sizes, new)  # after a round: all the new weights
    bundles.show(old)  # at rest: every layer at once
    assert _counts(bundles) == _expected(sizes, old)


def test_a_growing_curve_keeps_its_range_until_it_leaves_it(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    plot = widget.getPlotItem()
    settle_range(plot, (0.0, 100.0), (0.0, 1.0))
    shown = plot.getViewBox().viewRange()
    assert shown[0][1] >= 100.0 and shown[1][0] <= 0.0 and shown[1][1] >= 1.0
    settle_range(plot, (0.0, 110.0), (0.05, 0.95))  # still inside, filling most of it
    assert plot.getViewBox().viewRange() == shown
    settle_range(plot, (0.0, 200.0), (0.05, 0.95))  # past the end: extended with headroom
    x_hi = plot.getViewBox().viewRange()[0][1]
    assert x_hi > 200.0
    settle_range(plot, (0.0, 10.0), (0.0, 1.0))  # a new, short run: not squeezed in a corner
    assert plot.getViewBox().viewRange()[0][1] < 20.0


def test_neurons_restyled_in_part_show_the_shades_of_the_newest_trace(qtbot):
    from core.nn.graph import node_fill
    from core.nn.presets import load_network_preset
    from core.nn.step_through import sample_trace_at
    from core.nn.variant_run import variant_frames
    from gui.network.views.diagram import NetworkDiagram

    config = load_network_preset("batch-vs-minibatch-vs-sgd").config
    dataset = config.make_dataset()
    frames = [f.frames[0] for _, f in zip(range(40), variant_frames([(config, dataset)]))]
    diagram = NetworkDiagram()
    qtbot.addWidget(diagram)
    diagram.set_layout(network_layout(config.layers))
    for frame in (frames[0], frames[1], frames[-1]):  # some shades change, some do not
        trace = sample_trace_at(config, frame, dataset, 3)
        diagram.show_live(frame.weights, trace)
        bins = np.rint((node_fill(trace) + 1.0) / 2.0 * (len(diagram._brushes) - 2)).astype(int)
        shown = [brush.color().getRgb() for brush in diagram.nodes.data["brush"]]
        assert shown == [diagram._brushes[b].color().getRgb() for b in bins]
        # the picture each spot is drawn from (its atlas rectangle) is its shade's
        rects = [tuple(r) for r in diagram.nodes.data["sourceRect"]]
        for i in range(len(bins)):
            for j in range(len(bins)):
                assert (rects[i] == rects[j]) == (bins[i] == bins[j])


def test_a_bundle_is_redrawn_only_when_an_edge_changes_sign_or_width(qtbot):
    sizes = (2, 8, 8, 1)
    bundles = _bundles(qtbot, sizes)
    weights = _weights(sizes)
    bundles.show(weights)
    bundle = bundles.bundles[1]
    assert bundle.cacheMode() == bundle.CacheMode.DeviceCoordinateCache
    positive, level = edge_levels(weights)
    a, b = weights[0].size, weights[0].size + weights[1].size
    before = bundle.lines.copy()
    assert not bundle.set_levels(positive[a:b], level[a:b])  # the same levels: untouched
    crept = tuple(w * 1.0001 for w in weights)  # no edge crosses a level boundary
    assert edge_levels(crept)[1].tolist() == level.tolist()
    assert not bundle.set_levels(*(part[a:b] for part in edge_levels(crept)))
    flipped = positive[a:b].copy()
    flipped[0] = not flipped[0]
    assert bundle.set_levels(flipped, level[a:b])  # one edge changed sign: redrawn
    assert bundle.counts != dict(zip(KEYS, [0] * len(KEYS), strict=True))
    assert sorted(map(tuple, bundle.lines)) == sorted(map(tuple, before))  # same edges


def test_edges_are_stroked_in_level_order_with_their_pens(qtbot):
    sizes = (2, 8, 8, 1)
    bundles = _bundles(qtbot, sizes)
    weights = _weights(sizes, seed=3)
    bundles.show(weights)
    bundle = bundles.bundles[1]
    positive, level = edge_levels(weights)
    a, b = weights[0].size, weights[0].size + weights[1].size
    segments = bundle.segments.reshape(-1, 4)
    offset = 0
    for key in KEYS:  # weakest first, negative before positive: block by block
        n = bundle.counts[key]
        chosen = (positive[a:b] == key[0]) & (level[a:b] == key[1])
        expected = sorted(map(tuple, segments[chosen]))
        assert sorted(map(tuple, bundle.lines[offset : offset + n])) == expected
        offset += n
    assert offset == len(segments)
