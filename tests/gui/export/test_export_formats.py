"""Each export format: the file exists, has the asked size and decodes; vectors are
vectors; a name without an extension gets the format's; failures and cancels leave no
file."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtGui import QImage

from core.descent.engine import DescentConfig, OptimizerSpec
from gui.export.animation import AnimationJob, animation_rows, mp4_size
from gui.export.exporter import export_file
from gui.export.figure_data import descent_grid, figure_data, run_history
from gui.export.figures import VIEWS, DescentFigure

imageio = pytest.importorskip("imageio.v2")

CONFIG = DescentConfig(
    surface="rosenbrock",
    optimizers=(OptimizerSpec("gd"), OptimizerSpec("adam")),
    learning_rates=(0.001, 0.5),  # gd at 0.5 diverges: a stopped run in the figure
    starts=((-1.5, 2.0),),
    steps=40,
)


@pytest.fixture(scope="module")
def data():
    return figure_data("Race", CONFIG, run_history(CONFIG, 40), descent_grid(CONFIG))


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".partial" in p.name)


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("style", ["slide", "screen"])
def test_png_has_the_asked_size_and_decodes(qtbot, tmp_path, data, view, style):
    out = export_file(data, view, tmp_path / "fig.png", 640, 360, style)
    image = QImage(str(out))
    assert not image.isNull()
    assert (image.width(), image.height()) == (640, 360)
    pixels = np.frombuffer(image.convertToFormat(QImage.Format.Format_RGB888).constBits(), np.uint8)
    assert np.unique(pixels).size > 20  # drawn, not a blank page


def test_a_name_without_an_extension_gets_the_formats_own(qtbot, tmp_path, data):
    assert export_file(data, "loss", tmp_path / "slide", 320, 180).name == "slide.png"
    assert (tmp_path / "slide.png").is_file()


@pytest.mark.parametrize("view", ["landscape", "loss"])
def test_svg_is_well_formed_and_draws_paths(qtbot, tmp_path, data, view):
    out = export_file(data, view, tmp_path / "fig.svg", 800, 450)
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    assert root.get("viewBox") == "0 0 800 450"
    paths = [e for e in root.iter() if e.tag.endswith(("path", "polyline"))]
    assert len(paths) >= 4  # axes and curves are vector paths, not one picture
    texts = "".join(e.text or "" for e in root.iter() if e.tag.endswith("text"))
    assert "Race" in texts and "step 40" in texts  # labels are text, as in the PNG


def test_pdf_has_a_page_of_the_figures_size(qtbot, tmp_path, data):
    out = export_file(data, "gradient", tmp_path / "fig.pdf", 800, 450)
    raw = out.read_bytes()
    assert raw.startswith(b"%PDF")
    assert b"/Type /Page" in raw
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", raw)
    assert box is not None and (float(box[1]), float(box[2])) == (800.0, 450.0)


def test_a_figure_shows_the_run_up_to_the_last_step_asked(qtbot, data):
    figure = DescentFigure(data, "landscape", 320, 180)
    try:
        figure.show_row(data.row_of_step(10))
        shown = figure.curves[0].getData()[0]
        assert len(shown) == 20  # the 10 segments of steps 0..10 of run 0, as pairs
        assert np.allclose(shown[::2], data.points[:10, 0, 0])
        assert np.allclose(shown[1::2], data.points[1:11, 0, 0])
        assert "step 10" in figure.title.text
    finally:
        figure.close()


def test_a_write_that_fails_leaves_nothing_and_says_why(qtbot, tmp_path, data):
    with pytest.raises(OSError):
        export_file(data, "loss", tmp_path / "missing" / "fig.png", 320, 180)
    with pytest.raises(ValueError, match="format"):
        export_file(data, "loss", tmp_path / "fig.bmp", 320, 180)
    assert list(tmp_path.iterdir()) == []


def test_gif_has_one_frame_per_recorded_step_in_range(qtbot, tmp_path, data):
    out = export_file(data, "loss", tmp_path / "run.gif", 320, 180, steps=(5, 24), fps=10)
    frames = imageio.mimread(out)
    assert len(frames) == 20
    assert frames[0].shape[:2] == (180, 320)
    assert _leftovers(tmp_path) == []


def test_mp4_has_its_frames_and_size(qtbot, tmp_path, data):
    out = export_file(data, "landscape", tmp_path / "run.mp4", 640, 360, steps=(0, 29), fps=15)
    reader = imageio.get_reader(out)
    try:
        assert reader.count_frames() == 30
        assert tuple(reader.get_meta_data()["size"]) == (640, 360)
        assert reader.get_data(0).shape == (360, 640, 3)
    finally:
        reader.close()


def test_mp4_size_is_rounded_down_to_whole_blocks():
    assert mp4_size(1920, 1080) == (1920, 1080)
    assert mp4_size(1001, 563) == (1000, 560)


def test_animation_rows_cover_the_range_and_thin_evenly():
    steps = np.arange(0, 101)
    assert animation_rows(steps, 10, 20) == list(range(10, 21))
    thinned = animation_rows(steps, 0, 100, max_frames=11)
    assert thinned == list(range(0, 101, 10))
    with pytest.raises(ValueError, match="steps"):
        animation_rows(steps, 200, 300)


@pytest.mark.parametrize("suffix", ["gif", "mp4"])
def test_cancelling_leaves_no_file(qtbot, tmp_path, data, suffix):
    figure = DescentFigure(data, "loss", 320, 176)
    try:
        job = AnimationJob(figure, list(range(data.n_rows)), tmp_path / f"run.{suffix}", 10)
        for _ in range(5):
            job.render_next()
        job.cancel()
    finally:
        figure.close()
    assert list(tmp_path.iterdir()) == []


def test_paths_are_cut_where_they_leave_the_box():
    from gui.export.figures import clip_segments

    path = np.array([[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.5, 0.5]])
    pairs = clip_segments(path, (-1.0, 1.0, -1.0, 1.0))
    # first segment cut at x = 1; the second lies outside; the third enters at (1, 1)
    assert np.allclose(pairs, [[0, 0], [1, 0], [1, 1], [0.5, 0.5]])
    assert clip_segments(path[:1], (-1.0, 1.0, -1.0, 1.0)).shape == (0, 2)
