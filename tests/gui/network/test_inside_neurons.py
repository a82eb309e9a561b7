"""The neurons tab in the window: thumbnails follow a training run with the numbers core
computes, clicking one enlarges it, a hidden tab does no work and catches up when shown."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt, QThreadPool

from core.nn.neuron_maps import neuron_maps
from core.nn.weight_histograms import dead_units, weight_histograms
from gui.network.inside.histograms import HistogramsPart
from gui.network.inside.neurons import NeuronsPart
from gui.network.inside.neurons_mosaic import cell_grid, image_mosaic, level_index, lookup_table
from gui.network.views.diagram_style import NEGATIVE, POSITIVE
from gui.shell.main_window import MainWindow

XOR = "xor-needs-a-hidden-layer"  # run 1: one hidden layer of 4 tanh units


@pytest.fixture
def open_preset(qtbot):
    """``open_preset(name, run, tab)``: the window on a network preset's run ``run`` with
    the tab ``tab`` in front; returns (space, that tab's part). Closed and joined after."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    window.show_space_of("network")

    def open_(name: str, run: int = 0, tab: str = "neurons"):
        window.load_preset_name(name)
        space = window.network_space
        qtbot.waitUntil(lambda: space.controller.shown is not None, timeout=10_000)
        space.controls.shown_run.setCurrentIndex(run)
        assert space.controller.selected == run
        assert space.widget.show_view(tab)
        kind = NeuronsPart if tab == "neurons" else HistogramsPart
        return space, next(p for p in space.inside if isinstance(p, kind))

    yield open_
    window.close()
    assert QThreadPool.globalInstance().waitForDone(2000)


def _shown_step(space) -> int:
    return int(space.controller.shown_run()[1].step)


def _settle(space, part, qtbot) -> None:
    space.worker.pause()
    qtbot.waitUntil(lambda: space.worker.status != "playing", timeout=5_000)
    qtbot.waitUntil(lambda: space.up_to_date, timeout=5_000)
    qtbot.waitUntil(lambda: part.settled, timeout=10_000)


def test_thumbnails_follow_training_with_core_numbers(open_preset, qtbot):
    space, part = open_preset(XOR, 1)
    qtbot.waitUntil(lambda: part.view.thumbs is not None, timeout=10_000)
    assert part.view.thumbs.maps.step == 0
    space.controller.play()
    qtbot.waitUntil(lambda: part.view.thumbs.maps.step > 20, timeout=20_000)
    _settle(space, part, qtbot)
    run, frame, _ = space.controller.shown_run()
    maps = part.view.thumbs.maps
    assert maps.step == frame.step  # the thumbnails show the state on screen
    expected = neuron_maps(run.config, frame, run.dataset)
    np.testing.assert_array_equal(maps.layers[0], expected.layers[0])
    assert len(part.view.grid.rows) == 1 and part.view.thumbs.grids[0].units == 4
    title = part.view.grid.rows[0][0].text
    assert "4 neurons" in title and "tanh: -1 to 1" in title


def test_clicking_a_thumbnail_enlarges_that_neuron(open_preset, qtbot):
    _, part = open_preset(XOR, 1)
    qtbot.waitUntil(lambda: part.view.thumbs is not None, timeout=10_000)
    grid = part.view.grid
    scene_point = grid.centre_of(0, 2)
    where = grid.mapFromScene(scene_point)
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(where.x(), where.y()))
    assert part.view.enlarged == (0, 2)
    detail = part.view.detail
    assert part.view.pages.currentWidget() is detail
    assert "neuron 3</b> of 4" in detail.title.text()
    shown = part.view.thumbs.maps.layers[0][2]
    np.testing.assert_array_equal(detail.image.image, shown)
    assert tuple(detail.bar.levels()) == (-1.0, 1.0)  # tanh's range, shared by the layer
    detail.back.click()
    assert part.view.pages.currentWidget() is grid and part.view.enlarged is None


def test_a_hidden_tab_does_no_work_and_catches_up_when_shown(open_preset, qtbot):
    space, part = open_preset(XOR, 1)
    qtbot.waitUntil(lambda: part.view.thumbs is not None, timeout=10_000)
    qtbot.waitUntil(lambda: part.settled, timeout=10_000)
    space.widget.show_view("data")
    assert not part.view.isVisible()
    before = part.requests.submitted
    space.controller.play()
    qtbot.waitUntil(lambda: _shown_step(space) > 30, timeout=20_000)
    _settle(space, part, qtbot)
    assert part.requests.submitted == before  # trained on, drew nothing
    assert part.dirty and part.view.thumbs.maps.step == 0
    space.widget.show_view("neurons")
    qtbot.waitUntil(lambda: part.view.thumbs.maps.step == _shown_step(space), timeout=10_000)
    assert part.requests.submitted == before + 1


def test_a_network_without_hidden_layer_says_so(open_preset, qtbot):
    _, part = open_preset(XOR, 0)  # the base run: inputs straight to the output
    qtbot.waitUntil(lambda: part.view.thumbs is not None, timeout=10_000)
    assert "no hidden layer" in part.view.message.text()
    assert part.view.grid.rows == []
    assert part.export_view == ("Neurons", part.view)


def test_weight_histograms_follow_training_and_count_dead_relu_units(open_preset, qtbot):
    space, part = open_preset("vanishing-gradients-deep-sigmoid", 2, "weights")  # relu + He
    space.controller.play()
    qtbot.waitUntil(lambda: _shown_step(space) > 40, timeout=30_000)
    _settle(space, part, qtbot)
    run, frame, history = space.controller.shown_run()
    shown = part.view.shown.histograms
    assert shown.steps[-1] == frame.step
    expected = weight_histograms(run.config, frame, history, run.dataset.X_train)
    for ours, theirs in zip(shown.weight_counts, expected.weight_counts, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    dead = dead_units(run.config, frame, run.dataset.X_train)
    assert len(part.view.rows) == 7
    for layer, mask in enumerate(dead):
        title = part.view.rows[layer][0].titleLabel.text
        assert f"{int(mask.sum())} of 8 ReLU units dead" in title
    assert part.export_view == ("Weight histograms", part.view)


def test_mosaic_puts_each_unit_in_its_cell_and_finds_it_again():
    grid = cell_grid(11, 4)  # 4 columns, 3 rows, the last row one short
    assert (grid.columns, grid.rows) == (4, 3)
    for unit in range(11):
        x, y = grid.origin(unit)
        assert grid.unit_at(x + 0.5, y + 0.5) == unit
    assert grid.unit_at(3.5, 0.5) is None  # the empty twelfth cell
    assert grid.unit_at(0.95, 2.5) is None  # the gap between two thumbnails
    maps = np.zeros((11, 10, 10))
    maps[6] = 1.0  # unit 6: row 1, column 2 -> picture cell (x 2, y 1)
    picture = image_mosaic(maps, (-1.0, 1.0), True, grid)
    pitch = picture.shape[1] // 4
    assert tuple(picture[pitch + 5, 2 * pitch + 5, :3]) == POSITIVE  # high end: orange
    assert tuple(picture[5, 5, :3]) == (255, 255, 255)  # 0 on a diverging scale: white
    assert picture[5, pitch - 1, 3] == 0  # gaps are transparent


def test_colour_scales_run_from_blue_through_white_to_orange():
    lut = lookup_table(True)
    assert tuple(lut[0, :3]) == NEGATIVE and tuple(lut[-2, :3]) == POSITIVE
    assert tuple(lut[len(lut) // 2 - 1, :3]) == (255, 255, 255)
    one_sided = lookup_table(False)
    assert tuple(one_sided[0, :3]) == (255, 255, 255) and tuple(one_sided[-2, :3]) == POSITIVE
    np.testing.assert_array_equal(
        level_index(np.array([-5.0, 0.0, 0.5, 9.0]), (0, 1)), [0, 0, 127, 254]
    )
