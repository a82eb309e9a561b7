"""Live tails: a segment a run's path ends in, drawn per paint, skipped when sub-pixel.

A 100-run sweep whose runs have stopped or crawl would otherwise pay one ``drawLines``
call per run per paint for segments that change no pixel.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from gui.widgets.trails import MIN_TAIL_PX, TrailsItem


class CountingPainter(QtGui.QPainter):
    """A painter on an image that counts its ``drawLines`` calls."""

    def __init__(self, image: QtGui.QImage) -> None:
        super().__init__(image)
        self.calls = 0

    def drawLines(self, *args) -> None:
        self.calls += 1
        super().drawLines(*args)


def _sweep(n_runs: int, tail_steps: np.ndarray, halo: bool = False) -> TrailsItem:
    """Runs ending at (k, k) + something; tails ``tail_steps[k]`` (data units) further on."""
    rng = np.random.default_rng(2)
    item = TrailsItem()
    colors = np.column_stack([rng.integers(0, 256, (n_runs, 3)), np.full(n_runs, 255)])
    item.set_style(colors.astype(np.uint8), 1.0)
    ends = np.column_stack([np.arange(n_runs), np.arange(n_runs)]).astype(float) * 2 + 5
    item.set_paths([np.vstack([end - 3.0, end]) for end in ends])
    item.set_layers(np.ones(n_runs, bool), halo)
    tails = ends + np.column_stack([tail_steps, np.zeros(n_runs)])
    item.set_tails(tails, np.ones(n_runs, bool))
    return item


def test_tails_shorter_than_half_a_device_pixel_are_left_out():
    steps = np.array([0.0, 0.1, 0.2, 0.3, 0.4])
    item = _sweep(5, steps)
    zoom = QtGui.QTransform.fromScale(2.0, -2.0)  # 0.2 data units -> 0.4 px: left out
    lines, counts, pens = item.tail_plan(item._layer(True), transform=zoom)
    lengths = 2.0 * (lines[:, 2] - lines[:, 0])
    np.testing.assert_allclose(np.sort(lengths), [0.6, 0.8])
    assert np.all(lengths >= MIN_TAIL_PX) and len(pens) == len(counts) == 2
    # without a transform (and so under the old contract) every tail is planned
    assert len(item.tail_plan(item._layer(True))[0]) == 5


def test_a_run_with_a_halo_keeps_even_a_zero_length_tail():
    item = _sweep(3, np.zeros(3), halo=True)
    lines = item.tail_plan(item._layer(True), transform=QtGui.QTransform())[0]
    assert len(lines) == 6  # a halo and a line for each run: the halo's cap shows


def test_a_sweep_of_crawling_runs_draws_its_tails_with_a_call_per_moving_run():
    n_runs, moving = 100, [3, 40, 77]
    steps = np.full(n_runs, 1e-4)
    steps[moving] = 1.5
    item = _sweep(n_runs, steps)
    image = QtGui.QImage(420, 420, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QtCore.Qt.GlobalColor.white)
    painter = CountingPainter(image)
    item._draw_tails(painter, item._layer(True))
    painter.end()
    assert painter.calls == len(moving)
    for k in range(n_runs):  # each moving run's tail is on the image, no other
        end = 2 * k + 5
        near = [image.pixelColor(x, y).rgb() for x in (end, end + 1) for y in (end - 1, end)]
        white = QtGui.QColor(QtCore.Qt.GlobalColor.white).rgb()
        assert any(c != white for c in near) == (k in moving)
