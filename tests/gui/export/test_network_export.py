"""Export of the network workspace: its four views from the recorded history in every
format, the slide style, animations of the training, and views that register."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from core.nn.presets import load_network_preset
from gui.export.exporter import export_file, network_data
from gui.export.network_figures import NETWORK_VIEWS, NetworkFigure

imageio = pytest.importorskip("imageio.v2")
PRESET = "xor-needs-a-hidden-layer"
LAST = 30


@pytest.fixture(scope="module")
def data():
    return network_data(load_network_preset(PRESET), LAST)


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


def test_headless_training_records_every_run_to_the_asked_step(data):
    assert [r.label for r in data.runs] == ["base", "one hidden layer of 4"]
    assert all(int(h.steps[-1]) == LAST for h in data.histories)
    assert list(data.steps) == list(range(LAST + 1))  # no thinning this early


@pytest.mark.parametrize("view", list(NETWORK_VIEWS))
@pytest.mark.parametrize("style", ["slide", "screen"])
def test_png_has_the_asked_size_and_light_ground(qtbot, tmp_path, data, view, style):
    from PySide6.QtGui import QImage

    out = export_file(data, view, tmp_path / "fig.png", 640, 360, style)
    image = QImage(str(out))
    assert (image.width(), image.height()) == (640, 360)
    assert image.pixelColor(2, 2).name() == "#ffffff"
    assert _leftovers(tmp_path) == ["fig.png"]


@pytest.mark.parametrize("view", list(NETWORK_VIEWS))
def test_svg_is_well_formed_and_draws_paths(qtbot, tmp_path, data, view):
    out = export_file(data, view, tmp_path / "fig.svg", 800, 450)
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    paths = [e for e in root.iter() if e.tag.endswith(("path", "polyline"))]
    assert len(paths) >= 4  # edges, axes and curves are vectors, not one picture
    images = [e for e in root.iter() if e.tag.endswith("image")]
    assert len(images) == (1 if view == "data" else 0)  # only the decision regions' image
    texts = "".join(e.text or "" for e in root.iter() if e.tag.endswith("text"))
    assert f"step {LAST}" in texts


def test_pdf_has_a_page_of_the_figures_size(qtbot, tmp_path, data):
    raw = export_file(data, "curves", tmp_path / "fig.pdf", 800, 450).read_bytes()
    assert raw.startswith(b"%PDF") and b"/Type /Page" in raw
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", raw)
    assert box is not None and (float(box[1]), float(box[2])) == (800.0, 450.0)


def test_a_figure_shows_the_step_asked_with_that_steps_weights(qtbot, data):
    figure = NetworkFigure(data.upto(10), "diagram", 320, 180)
    try:
        assert figure.title.text().endswith("step 10")
        kept = data.histories[0].weights_at(10)[1]
        drawn = figure.widget.weights
        assert all(np.array_equal(a, b) for a, b in zip(drawn, kept, strict=True))
    finally:
        figure.close()


def test_slide_style_is_larger_than_screen_style(qtbot, data):
    slide = NetworkFigure(data, "gradients", 640, 360, "slide")
    screen = NetworkFigure(data, "gradients", 640, 360, "screen")
    try:
        tick = lambda f: f.widget.plot.getAxis("bottom").style["tickFont"].pixelSize()  # noqa: E731
        assert tick(slide) > tick(screen)
        assert (
            slide.widget.lines[0].opts["pen"].widthF()
            >= screen.widget.lines[0].opts["pen"].widthF()
        )
    finally:
        slide.close()
        screen.close()


def test_gif_has_one_frame_per_kept_step_in_range(qtbot, tmp_path, data):
    out = export_file(data, "data", tmp_path / "run.gif", 320, 180, steps=(5, 14), fps=10)
    frames = imageio.mimread(out)
    assert len(frames) == 10
    assert frames[0].shape[:2] == (180, 320)
    assert not np.array_equal(frames[0], frames[-1])  # the training moves


def test_mp4_has_its_frames_and_size(qtbot, tmp_path, data):
    out = export_file(data, "diagram", tmp_path / "run.mp4", 320, 176, steps=(0, 19), fps=15)
    reader = imageio.get_reader(out)
    try:
        assert reader.count_frames() == 20
        assert tuple(reader.get_meta_data()["size"]) == (320, 176)
    finally:
        reader.close()
    assert _leftovers(tmp_path) == ["run.mp4"]


def test_cancelling_a_training_animation_leaves_no_file(qtbot, tmp_path, data):
    from gui.export.exporter import animation_job

    job = animation_job(data, "curves", tmp_path / "run.gif", 320, 180, steps=(0, LAST))
    try:
        assert job.render_next() and job.render_next()
        job.cancel()
    finally:
        job.figure.close()
    assert _leftovers(tmp_path) == []


def test_an_unknown_view_names_the_known_ones(qtbot, data):
    with pytest.raises(ValueError, match="view must be one of diagram"):
        NetworkFigure(data, "landscape", 320, 180)


@pytest.mark.parametrize("view", list(NETWORK_VIEWS))
def test_render_draws_each_network_view_of_a_network_preset(qtbot, tmp_path, run_main, view):
    from PySide6.QtGui import QImage

    argv = ["render", "--preset", PRESET, "--view", view, "--out", str(tmp_path / "x.png")]
    code, out, err = run_main([*argv, "--width", "400", "--height", "300", "--steps", "0:20"])
    assert code == 0, err
    image = QImage(out.strip())
    assert (image.width(), image.height()) == (400, 300)


def test_render_of_a_descent_view_of_a_network_preset_exits_2_with_one_line(tmp_path, run_main):
    argv = ["render", "--preset", PRESET, "--view", "final-loss", "--out", str(tmp_path / "x")]
    code, out, err = run_main(argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "not a view of a network preset" in err
    assert _leftovers(tmp_path) == []
