"""The 3-D view: a clear sentence without OpenGL, real GL items under Xvfb when possible."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from PySide6 import QtGui

from core.surfaces.surface import get_surface
from core.surfaces.surface_grid import landscape_grid
from gui.descent.views.surface3d_geometry import HEIGHT, BoxScale
from gui.descent.views.surface3d_view import NO_GL_MESSAGE, Surface3DView, gl_available

ROOT = Path(__file__).resolve().parents[3]
NO_GL_EXIT = 77


def _frame(points: np.ndarray, loss: np.ndarray):
    return SimpleNamespace(points=points, loss=loss, batch_indices=np.zeros((len(loss), 0)))


@pytest.mark.skipif(
    QtGui.QGuiApplication.platformName() not in ("", "offscreen")
    and os.environ.get("QT_QPA_PLATFORM") != "offscreen",
    reason="the fallback is checked on the offscreen platform",
)
def test_offscreen_falls_back_to_one_sentence(qtbot):
    assert gl_available() is False
    assert gl_available() is False  # cached, and still no crash
    view = Surface3DView()
    qtbot.addWidget(view)
    assert not view.gl_enabled
    assert view.message.text() == NO_GL_MESSAGE
    assert NO_GL_MESSAGE.count(".") == 1  # one sentence
    grid = landscape_grid(get_surface("himmelblau"), resolution=40)
    points = np.zeros((3, 2, 2))
    view.set_landscape(grid)  # every method is a harmless no-op
    view.set_runs(np.zeros((2, 4), np.uint8), ["a", "b"])
    view.show_state(points, _frame(points[-1], np.zeros(2)), np.zeros((3, 2)))


def test_box_scale_keeps_heights_in_the_box():
    grid = landscape_grid(get_surface("rosenbrock"), resolution=40)
    box = BoxScale(grid)
    heights = box.loss_height(np.array([0.0, 1.0, 1e6, np.inf, np.nan]))
    assert np.isfinite(heights).all()
    assert heights.min() >= 0 and heights.max() <= HEIGHT
    xy = box.xy(np.array([[-2.0, -1.0], [2.0, 3.0], [1e9, -1e9]]))
    assert np.all(np.abs(xy) <= 1.0 + 1e-12)


_XVFB_SCRIPT = textwrap.dedent(
    f"""
    import sys
    import time
    import numpy as np
    from types import SimpleNamespace
    from PySide6 import QtWidgets
    app = QtWidgets.QApplication([])
    from core.surfaces.surface_grid import landscape_grid
    from core.surfaces.surface import get_surface
    from gui.descent.views.surface3d_geometry import default_camera
    from gui.descent.views.surface3d_view import Surface3DView, gl_available
    if not gl_available():
        sys.exit({NO_GL_EXIT})
    view = Surface3DView()
    view.resize(400, 300)
    view.show()
    grid = landscape_grid(get_surface("rosenbrock"), resolution=200)
    view.set_landscape(grid)
    view.set_runs(np.array([[200, 40, 40, 255], [40, 40, 200, 255]], np.uint8), ["a", "b"])
    t = np.linspace(0, 1, 50)[:, None]
    points = np.stack([np.hstack([t - 1, t]), np.hstack([t, 1 - t])], axis=1)
    loss = get_surface("rosenbrock").value(points.reshape(-1, 2)).reshape(50, 2)
    batches = np.array([[3, 7], [-1, -1]])  # run 0 samples, run 1 is deterministic
    frame = SimpleNamespace(points=points[-1], loss=loss[-1], batch_indices=batches)
    view.show_state(points, frame, loss)
    for _ in range(5):
        app.processEvents()
    image = view.view.grabFramebuffer()
    assert view.gl_enabled
    assert view.surface._z.shape == (100, 100)  # 200 samples, every other one
    assert view.paths.pos.shape == (2 * 49 * 2, 3)
    assert view.outline.pos.shape == view.paths.pos.shape  # the dark rim under each path
    assert np.isfinite(view.paths.pos).all()
    assert image.width() > 0
    # the deterministic run (1) is drawn last, over the sampled one's cloud
    last = view.paths.pos[-2 * 49 :]
    assert np.allclose(last[0, :2], view._box.xy(points[:1, 1])[0])
    assert np.allclose(view.paths.color[-1], [40 / 255, 40 / 255, 200 / 255, 1.0])

    def camera():
        o = view.view.opts
        return (o["distance"], o["elevation"], o["azimuth"], tuple(o["center"].toTuple()))

    def expected(grid):
        c = default_camera(grid.bounds, view.view.width() / view.view.height())
        return (c.distance, c.elevation, c.azimuth, c.center)

    assert np.allclose(camera()[:3], expected(grid)[:3])
    assert np.allclose(camera()[3], expected(grid)[3])
    texts = [item.text for item in view._labels]
    assert {{"x", "y", "loss"}} <= set(texts) and len(texts) > 6  # titles and tick labels
    view.view.setCameraPosition(distance=9.0, elevation=80, azimuth=33)  # the user turns it
    assert camera()[:3] != expected(grid)[:3]
    view.reset_button.click()
    assert np.allclose(camera()[:3], expected(grid)[:3])
    view.view.setCameraPosition(distance=9.0, elevation=80, azimuth=33)
    other = landscape_grid(get_surface("linreg"), resolution=60)  # a new surface
    view.set_landscape(other)
    assert np.allclose(camera()[:3], expected(other)[:3])
    assert expected(other)[2] != expected(grid)[2]  # its own camera, not the last one

    # at most MAX_UPDATES_PER_SECOND updates: a burst is drawn once now, once later
    view.set_landscape(grid)
    before = view.updates
    state = (points, frame, loss)
    for _ in range(10):
        view.show_state(*state)
    assert view.updates == before + 1
    deadline = time.monotonic() + 20
    while view.updates < before + 2 and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    assert view.updates == before + 2  # the newest kept state, drawn when the time was up
    for _ in range(30):
        app.processEvents()
        time.sleep(0.01)
    assert view.updates == before + 2  # and nothing more
    print("GL-ITEMS-OK")
    """
)


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="xvfb-run is not installed")
def test_gl_items_are_created_under_xvfb():
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", PYTHONPATH=str(ROOT))
    try:
        proc = subprocess.run(
            ["xvfb-run", "-a", sys.executable, "-c", _XVFB_SCRIPT],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        pytest.skip("Xvfb did not answer in time")
    if proc.returncode == NO_GL_EXIT:
        pytest.skip("no OpenGL context under Xvfb on this machine")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "GL-ITEMS-OK" in proc.stdout
