"""The landscape as a rotatable 3-D surface with the descent paths riding on it.

Needs OpenGL. `gl_available` tries once to create a context and make it current on an
offscreen surface; where that fails (the offscreen platform, some remote desktops) the
view shows one sentence instead and all its methods do nothing. The geometry (the box the
surface is scaled into, the camera each landscape starts with, the axes) is computed
without Qt in `surface3d_geometry`.

Paths and heads are drawn with the depth test off, over a dark outline and just above
the surface, so a path never flickers into the mesh or hides behind a ridge. The tab's
cost is bounded: the mesh (at most `_MAX_SIDE` vertices per side, normals baked into its
colours) is built once per landscape, paths send at most `path_rows` rows per run, and
the GL items are updated at most `MAX_UPDATES_PER_SECOND` times a second (the newest
state is drawn when the interval is up).
"""

from __future__ import annotations

import time

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from core.surfaces.surface_grid import LandscapeGrid
from gui.descent.views.surface3d_geometry import (
    BoxScale,
    Camera,
    axes_layout,
    default_camera,
    path_rows,
)
from gui.shell import colors as palette
from gui.shell.theme import plot_colors

_MAX_SIDE = 120  # vertices per side: software GL paints the mesh in ~5 ms
_LIFT = 0.012  # paths float just above the surface
MAX_UPDATES_PER_SECOND = 20  # GL repaints for new frames (the 2-D views take the rest)
_OUTLINE = (0.08, 0.08, 0.1, 0.9)
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


class Surface3DView(QtWidgets.QWidget):
    """GLViewWidget with the landscape surface, axes, run paths and current points."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.gl_enabled = gl_available()
        self._box: BoxScale | None = None
        self.camera: Camera | None = None
        self._bounds: tuple[float, float, float, float] | None = None
        self._colors = np.zeros((0, 4), np.float32)
        self._pending: tuple | None = None
        self._last_update = -np.inf
        self.updates = 0  # GL updates made by show_state (for tests and measurements)
        if not self.gl_enabled:
            self.message = QtWidgets.QLabel(NO_GL_MESSAGE)
            self.message.setWordWrap(True)
            self.message.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(self.message)
            return
        # paint our own background: beside the toolbar the stale pixels of a widget that
        # was there before (a moved side column's legend) showed through under Xvfb
        self.setAutoFillBackground(True)
        self._flush_timer = QtCore.QTimer(self, singleShot=True)
        self._flush_timer.timeout.connect(self._flush)
        layout.addLayout(self._build_toolbar())
        self._build_scene(layout)

    def _build_toolbar(self) -> QtWidgets.QHBoxLayout:
        row = QtWidgets.QHBoxLayout()
        row.setContentsMargins(6, 2, 6, 2)
        self.reset_button = QtWidgets.QPushButton("Reset view")
        self.reset_button.setToolTip("Back to the camera this landscape started with.")
        self.reset_button.clicked.connect(self.reset_view)
        hint = QtWidgets.QLabel("Drag to turn, wheel to zoom.")
        row.addWidget(self.reset_button)
        row.addWidget(hint)
        row.addStretch(1)
        return row

    def _build_scene(self, layout: QtWidgets.QVBoxLayout) -> None:
        import pyqtgraph.opengl as gl
        from OpenGL import GL

        self.view = gl.GLViewWidget()
        self.view.setBackgroundColor(plot_colors().background)
        self.surface = gl.GLSurfacePlotItem(computeNormals=False, smooth=False)
        self.axes = gl.GLLinePlotItem(mode="lines", width=1.5, color=_axis_color())
        self.axes.setGLOptions("translucent")
        self.minima = gl.GLScatterPlotItem(size=9.0, pxMode=True, color=(0.1, 0.1, 0.15, 1.0))
        # over the surface whatever the depth: a path never sinks into the mesh or hides
        # behind a ridge; the outline is the same path, wider and dark, drawn first
        on_top = {
            GL.GL_DEPTH_TEST: False,
            GL.GL_BLEND: True,
            GL.GL_CULL_FACE: False,
            "glBlendFunc": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA),
        }
        self.outline = gl.GLLinePlotItem(mode="lines", width=6.0, antialias=False)
        self.paths = gl.GLLinePlotItem(mode="lines", width=3.5, antialias=False)
        self.head_rims = gl.GLScatterPlotItem(size=16.0, pxMode=True, color=_OUTLINE)
        self.heads = gl.GLScatterPlotItem(size=12.0, pxMode=True)
        for depth, item in enumerate((self.outline, self.paths, self.head_rims, self.heads)):
            item.setGLOptions(on_top)
            item.setDepthValue(10 + depth)  # drawn after the surface, in this order
        for item in (self.surface, self.axes, self.minima, *self._path_items()):
            self.view.addItem(item)
        self._labels: list = []
        layout.addWidget(self.view, 1)

    def _path_items(self) -> tuple:
        return self.outline, self.paths, self.head_rims, self.heads

    def set_landscape(self, grid: LandscapeGrid) -> None:
        """Build the surface mesh and axes, and turn the camera to this landscape's own."""
        if not self.gl_enabled:
            return
        self._box = box = BoxScale(grid)
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
        pos = np.zeros((0, 3))
        if len(minima):
            values = _surface_height_at(grid, minima)
            pos = np.column_stack([box.xy(minima), box.height(values) + _LIFT])
        self.minima.setData(pos=pos.astype(np.float32))
        self._set_axes(axes_layout(box, grid.colorbar_ticks))
        self._pending = None
        for item in self._path_items():
            item.setData(pos=np.zeros((0, 3), np.float32))
        self._bounds = grid.bounds
        self.reset_view()

    def _set_axes(self, layout) -> None:
        import pyqtgraph.opengl as gl

        self.axes.setData(pos=layout.segments.reshape(-1, 3))
        for item in self._labels:
            self.view.removeItem(item)
        font = QtGui.QFont()
        font.setPointSizeF(max(8.0, font.pointSizeF() - 1))
        center = QtCore.Qt.AlignmentFlag.AlignHCenter | QtCore.Qt.AlignmentFlag.AlignVCenter
        self._labels = [
            gl.GLTextItem(pos=np.array(pos), text=text, color=plot_colors().foreground, font=font)
            for pos, text in layout.labels
        ]
        for item in self._labels:
            item.setData(alignment=center)
            self.view.addItem(item)

    def follow_theme(self) -> None:
        """The theme changed: axes and their labels in its ink (`style_plots` gives the
        view its background), so they never vanish into a dark ground."""
        if not self.gl_enabled:
            return
        ink = plot_colors()
        self.view.setBackgroundColor(ink.background)
        self.axes.setData(color=_axis_color())
        for item in self._labels:
            item.setData(color=ink.foreground)

    def reset_view(self) -> None:
        """Back to the camera this landscape starts with (`default_camera`), fitted to the
        view's current shape."""
        if not self.gl_enabled or self._bounds is None:
            return
        aspect = self.view.width() / max(self.view.height(), 1)
        self.camera = cam = default_camera(self._bounds, aspect)
        self.view.setCameraPosition(
            pos=QtGui.QVector3D(*cam.center),
            distance=cam.distance,
            elevation=cam.elevation,
            azimuth=cam.azimuth,
        )

    def _untouched(self) -> bool:
        """The camera is still where `reset_view` put it (nobody turned or zoomed it)."""
        cam, opts = self.camera, self.view.opts
        return cam is not None and np.allclose(
            (opts["distance"], opts["elevation"], opts["azimuth"]),
            (cam.distance, cam.elevation, cam.azimuth),
        )

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.gl_enabled and self._untouched():  # refit to the new shape
            QtCore.QTimer.singleShot(0, self._refit)

    def _refit(self) -> None:
        if self._untouched():
            self.reset_view()

    def set_runs(self, colors: np.ndarray, labels: list[str]) -> None:
        if not self.gl_enabled:
            return
        self._colors = np.asarray(colors, np.float32).reshape(-1, 4) / 255.0

    def show_state(self, history_points, frame, history_loss) -> None:
        """Paths over the surface from the history, heads at the frame's points.

        At most `MAX_UPDATES_PER_SECOND` updates reach GL: a state arriving sooner is
        kept, and the newest kept one is drawn when the interval is up.
        """
        if not self.gl_enabled or self._box is None:
            return
        self._pending = (history_points, frame, history_loss)
        wait = self._last_update + 1.0 / MAX_UPDATES_PER_SECOND - time.monotonic()
        if wait <= 0:
            self._flush()
        elif not self._flush_timer.isActive():
            self._flush_timer.start(max(1, int(wait * 1000)))

    def _flush(self) -> None:
        if self._pending is None or self._box is None:
            return
        history_points, frame, history_loss = self._pending
        self._pending = None
        self._last_update = time.monotonic()
        points = np.asarray(history_points, float)
        loss = np.asarray(history_loss, float)
        if points.ndim != 3 or loss.shape != points.shape[:2] or len(points) < 2:
            return
        rows = path_rows(len(points), points.shape[1])
        self._set_widths(points.shape[1])
        # sampled (stochastic) runs first: a deterministic road is drawn over their cloud
        sampled = (np.asarray(frame.batch_indices).reshape(len(frame.loss), -1) >= 0).any(1)
        order = np.r_[np.flatnonzero(sampled), np.flatnonzero(~sampled)]
        pos, colors = self._segments(points[rows][:, order], loss[rows][:, order], order)
        self.outline.setData(
            pos=pos, color=np.where(colors[:, 3:] > 0, _OUTLINE, 0.0).astype(np.float32)
        )
        self.paths.setData(pos=pos, color=colors)
        here = np.asarray(frame.points, float).reshape(-1, 2)
        z = self._box.loss_height(np.asarray(frame.loss, float)) + 2 * _LIFT
        head_pos = np.column_stack([self._box.xy(here), z]).astype(np.float32)
        # a run that left the landscape has no place on it: no dot
        shown = self._box.inside(here)
        self.head_rims.setData(pos=head_pos[shown])
        self.heads.setData(pos=head_pos[shown], color=self._run_colors(len(here))[shown])
        self.updates += 1

    def _set_widths(self, k: int) -> None:
        """Thick paths for a few runs, thinner for a crowd (a 12 x 12 grid of starts)."""
        width = 3.5 if k <= 24 else 2.2
        if self.paths.width != width:
            self.paths.setData(width=width)
            self.outline.setData(width=width + 2.5)

    def _run_colors(self, k: int) -> np.ndarray:
        if len(self._colors) == k:
            return self._colors
        return np.tile(np.float32([0.2, 0.2, 0.2, 1.0]), (k, 1))

    def _segments(self, points: np.ndarray, loss: np.ndarray, order: np.ndarray):
        """Vertex pairs (2 * (N-1) * K, 3) and their colours for mode='lines', runs in
        ``order`` (the columns of ``points`` and ``loss`` are runs ``order``)."""
        n, k = loss.shape
        xyz = np.concatenate(
            [self._box.xy(points), self._box.loss_height(loss)[..., None] + _LIFT], axis=-1
        )
        pairs = np.stack([xyz[:-1], xyz[1:]], axis=2)  # (n-1, k, 2, 3)
        pos = pairs.transpose(1, 0, 2, 3).reshape(-1, 3).astype(np.float32)
        colors = np.repeat(self._run_colors(k)[order], 2 * (n - 1), axis=0)
        # segments with an end off the landscape are drawn fully transparent
        inside = self._box.inside(points.reshape(-1, 2)).reshape(n, k)
        visible = (inside[:-1] & inside[1:]).T.reshape(-1)  # (k * (n-1),) run-major
        colors[:, 3] *= np.repeat(visible, 2)
        return pos, colors


def _axis_color() -> tuple[float, float, float, float]:
    """The axes' ink in the theme on screen, as GL wants it (0..1)."""
    return (*(c / 255.0 for c in plot_colors().foreground), 1.0)


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
