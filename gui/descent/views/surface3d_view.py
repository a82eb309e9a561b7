"""The landscape as a rotatable 3-D surface with the descent paths riding on it.

Needs OpenGL. `gl_available` tries once to create a context and make it current on an
offscreen surface; where that fails (the offscreen platform, some remote desktops) the
view shows one sentence instead and all its methods do nothing. The surface is scaled
into a box: the larger side of the bounds spans 2 units, heights (the grid's display
values, log-compressed when the grid is) span `_HEIGHT`.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from core.surfaces.surface_grid import LandscapeGrid
from gui.shell import colors as palette

_HEIGHT = 0.9
_MAX_SIDE = 160  # vertices per side: software GL stays fast
_MAX_ROWS = 400  # path rows per run in 3-D
_LIFT = 0.012  # paths float just above the surface
NO_GL_MESSAGE = (
    "The 3-D view needs OpenGL, which is not available on this display "
    "(for example offscreen or over some remote desktops); every other view works."
)

_gl_cache: bool | None = None


def gl_available() -> bool:
    """Whether an OpenGL context can be created and made current here (cached)."""
    global _gl_cache
    if _gl_cache is not None:
        return _gl_cache
    if QtGui.QGuiApplication.instance() is None:
        return False  # cannot tell yet; do not cache
    _gl_cache = _probe_gl()
    return _gl_cache


def _probe_gl() -> bool:
    try:
        import OpenGL.GL  # noqa: F401
        import pyqtgraph.opengl  # noqa: F401
    except Exception:  # PyOpenGL missing or broken: no 3-D
        return False
    context = QtGui.QOpenGLContext()
    if not context.create():
        return False
    surface = QtGui.QOffscreenSurface()
    surface.setFormat(context.format())
    surface.create()
    if not surface.isValid():
        return False
    ok = bool(context.makeCurrent(surface))
    if ok:
        context.doneCurrent()
    surface.destroy()
    return ok


class _BoxScale:
    """Maps surface coordinates and display values into the 3-D box."""

    def __init__(self, grid: LandscapeGrid) -> None:
        xmin, xmax, ymin, ymax = grid.bounds
        self.grid = grid
        self.centre = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])
        self.scale = 2.0 / max(xmax - xmin, ymax - ymin)
        self.lo = np.array([xmin, ymin])
        self.hi = np.array([xmax, ymax])
        self.levels = grid.levels

    def xy(self, points: np.ndarray) -> np.ndarray:
        return (np.clip(np.nan_to_num(points), self.lo, self.hi) - self.centre) * self.scale

    def inside(self, points: np.ndarray) -> np.ndarray:
        """Which (K, 2) points lie within the bounds (finite ones only)."""
        ok = np.isfinite(points).all(axis=1)
        safe = np.where(ok[:, None], points, self.lo)
        return ok & np.all((safe >= self.lo) & (safe <= self.hi), axis=1)

    def height(self, display: np.ndarray) -> np.ndarray:
        lo, hi = self.levels
        t = (np.clip(np.nan_to_num(display, nan=hi), lo, hi) - lo) / (hi - lo)
        return t * _HEIGHT

    def loss_height(self, loss: np.ndarray) -> np.ndarray:
        return self.height(self.grid.display_value(loss))


class Surface3DView(QtWidgets.QWidget):
    """GLViewWidget with the landscape surface, run paths and current points."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.gl_enabled = gl_available()
        self._box: _BoxScale | None = None
        self._colors = np.zeros((0, 4), np.float32)
        if not self.gl_enabled:
            self.message = QtWidgets.QLabel(NO_GL_MESSAGE)
            self.message.setWordWrap(True)
            self.message.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(self.message)
            return
        self._build_scene(layout)

    def _build_scene(self, layout: QtWidgets.QVBoxLayout) -> None:
        import pyqtgraph.opengl as gl

        self.view = gl.GLViewWidget()
        self.view.setBackgroundColor(palette.BACKGROUND)
        self.view.setCameraPosition(distance=3.3, elevation=48, azimuth=-80)
        self.view.opts["center"] = QtGui.QVector3D(0, 0, _HEIGHT / 4)
        self.surface = gl.GLSurfacePlotItem(computeNormals=False, smooth=False)
        self.paths = gl.GLLinePlotItem(mode="lines", width=2.5, antialias=True)
        self.heads = gl.GLScatterPlotItem(size=11.0, pxMode=True)
        self.minima = gl.GLScatterPlotItem(size=9.0, pxMode=True, color=(0.1, 0.1, 0.15, 1.0))
        for item in (self.surface, self.minima, self.paths, self.heads):
            self.view.addItem(item)
        self.paths.setGLOptions("translucent")
        self.heads.setGLOptions("translucent")
        layout.addWidget(self.view)

    def set_landscape(self, grid: LandscapeGrid) -> None:
        """Build the surface mesh (at most `_MAX_SIDE` vertices per side)."""
        if not self.gl_enabled:
            return
        self._box = box = _BoxScale(grid)
        sx = max(1, int(np.ceil(grid.x.size / _MAX_SIDE)))
        sy = max(1, int(np.ceil(grid.y.size / _MAX_SIDE)))
        x, y, z = grid.x[::sx], grid.y[::sy], grid.z[::sy, ::sx]
        px = (x - box.centre[0]) * box.scale
        py = (y - box.centre[1]) * box.scale
        heights = box.height(z).T  # GLSurfacePlotItem wants z[i, j] at (x[i], y[j])
        lo, hi = grid.levels
        t = np.clip((z.T - lo) / (hi - lo), 0.0, 1.0)
        colors = palette.landscape_colormap().map(t.ravel(), mode=float).reshape(*t.shape, 4)
        colors[..., :3] *= _lambert(px, py, heights)[..., None]
        # vertex colours in the mesh's vertex order (x-major), one row per vertex
        flat = colors.reshape(-1, 4).astype(np.float32)
        self.surface.setData(x=px, y=py, z=heights, colors=flat)
        minima = np.asarray(grid.minima, float).reshape(-1, 2)
        if len(minima):
            values = _surface_height_at(grid, minima)
            pos = np.column_stack([box.xy(minima), box.height(values) + _LIFT])
            self.minima.setData(pos=pos.astype(np.float32))
        self.paths.setData(pos=np.zeros((0, 3), np.float32))
        self.heads.setData(pos=np.zeros((0, 3), np.float32))

    def set_runs(self, colors: np.ndarray, labels: list[str]) -> None:
        if not self.gl_enabled:
            return
        self._colors = np.asarray(colors, np.float32).reshape(-1, 4) / 255.0

    def show_state(self, history_points, frame, history_loss) -> None:
        """Paths over the surface from the history, heads at the frame's points."""
        if not self.gl_enabled or self._box is None:
            return
        points = np.asarray(history_points, float)
        loss = np.asarray(history_loss, float)
        if points.ndim != 3 or loss.shape != points.shape[:2] or len(points) < 2:
            return
        stride = max(1, int(np.ceil(len(points) / _MAX_ROWS)))
        rows = np.r_[np.arange(0, len(points) - 1, stride), len(points) - 1]
        pos, colors = self._segments(points[rows], loss[rows])
        self.paths.setData(pos=pos, color=colors)
        here = np.asarray(frame.points, float).reshape(-1, 2)
        z = self._box.loss_height(np.asarray(frame.loss, float)) + 2 * _LIFT
        head_pos = np.column_stack([self._box.xy(here), z]).astype(np.float32)
        # a run that left the landscape has no place on it: no dot
        shown = self._box.inside(here)
        self.heads.setData(pos=head_pos[shown], color=self._run_colors(len(here))[shown])

    def _run_colors(self, k: int) -> np.ndarray:
        if len(self._colors) == k:
            return self._colors
        return np.tile(np.float32([0.2, 0.2, 0.2, 1.0]), (k, 1))

    def _segments(self, points: np.ndarray, loss: np.ndarray):
        """Vertex pairs (2 * (N-1) * K, 3) and their colours for mode='lines'."""
        n, k = loss.shape
        xyz = np.concatenate(
            [self._box.xy(points), self._box.loss_height(loss)[..., None] + _LIFT], axis=-1
        )
        pairs = np.stack([xyz[:-1], xyz[1:]], axis=2)  # (n-1, k, 2, 3)
        pos = pairs.transpose(1, 0, 2, 3).reshape(-1, 3).astype(np.float32)
        colors = np.repeat(self._run_colors(k), 2 * (n - 1), axis=0).copy()
        # segments with an end off the landscape are drawn fully transparent
        inside = self._box.inside(points.reshape(-1, 2)).reshape(n, k)
        visible = (inside[:-1] & inside[1:]).T.reshape(-1)  # (k * (n-1),) run-major
        colors[:, 3] *= np.repeat(visible, 2)
        return pos, colors


def _lambert(px: np.ndarray, py: np.ndarray, heights: np.ndarray) -> np.ndarray:
    """Diffuse shading factor per vertex, baked into the colours once per landscape.

    ``shade = 0.6 + 0.4 * max(n . l, 0)`` with the surface normal ``n`` from the height
    field's slopes and a light from the upper left; the mesh itself keeps
    computeNormals=False.
    """
    dz_dx = np.gradient(heights, px, axis=0) if px.size > 1 else np.zeros_like(heights)
    dz_dy = np.gradient(heights, py, axis=1) if py.size > 1 else np.zeros_like(heights)
    normal = np.stack([-dz_dx, -dz_dy, np.ones_like(heights)], axis=-1)
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    light = np.array([-0.4, 0.5, 0.77])
    light /= np.linalg.norm(light)
    return 0.6 + 0.4 * np.clip(normal @ light, 0.0, 1.0)


def _surface_height_at(grid: LandscapeGrid, points: np.ndarray) -> np.ndarray:
    """Display value of the grid at ``points`` (nearest sample)."""
    ix = np.clip(np.searchsorted(grid.x, points[:, 0]), 0, grid.x.size - 1)
    iy = np.clip(np.searchsorted(grid.y, points[:, 1]), 0, grid.y.size - 1)
    return grid.z[iy, ix]
