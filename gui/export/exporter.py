"""One export path for the window and ``python main.py render``: data in, file out.

`export_file` writes a figure (PNG, SVG, PDF) or an animation (GIF, MP4) of a
`DescentFigureData` or a `NetworkFigureData`; the window's dialog and the headless
command both call it (the dialog drives an animation's `AnimationJob` from a timer
instead of `run`, painting the very same frames). `render_preset` is the headless half:
it runs a preset or a session with the core generator to the end of the step range (the
network: trains its runs side by side), then exports; the views inside the network are
rendered by `gui.export.inside_render`.
"""

from __future__ import annotations

import os
from pathlib import Path

from core.commands.render import INSIDE_VIEWS
from core.nn.presets import NetworkPreset
from core.presets import Preset
from core.session import NetworkSession
from gui.export.animation import AnimationJob, animation_rows, mp4_size
from gui.export.figure_data import DescentFigureData, descent_grid, figure_data, run_history
from gui.export.figure_files import ANIMATION_FORMATS, target_path, write_figure
from gui.export.figures import DescentFigure
from gui.export.inside_render import render_inside
from gui.export.network_figure_data import NetworkFigureData, preset_runs, train_headless
from gui.export.network_figures import NetworkFigure

DEFAULT_FPS = 30.0
FigureData = DescentFigureData | NetworkFigureData


def make_figure(data: FigureData, view: str, width: int, height: int, style: str = "slide"):
    """The off-screen figure of ``view``: a `NetworkFigure` of network data, else a
    `DescentFigure` (each raises ValueError naming a view it does not draw)."""
    if isinstance(data, NetworkFigureData):
        return NetworkFigure(data, view, width, height, style)
    return DescentFigure(data, view, width, height, style)


def animation_job(
    data: FigureData,
    view: str,
    path: str | os.PathLike,
    width: int,
    height: int,
    style: str = "slide",
    steps: tuple[int, int] | None = None,
    fps: float = DEFAULT_FPS,
) -> AnimationJob:
    """An `AnimationJob` of ``view`` over the recorded steps in ``steps`` (default: all);
    an MP4's size is rounded down to the encoder's 8-pixel blocks."""
    target, fmt = target_path(path, Path(path).suffix.lower().lstrip(".") or "mp4")
    first, last = steps if steps is not None else (0, int(data.steps[-1]))
    rows = animation_rows(data.steps, first, last)
    if fmt == "mp4":
        width, height = mp4_size(width, height)
    figure = make_figure(data, view, width, height, style)
    try:
        return AnimationJob(figure, rows, target, fps)
    except BaseException:
        figure.close()
        raise


def export_file(
    data: FigureData,
    view: str,
    path: str | os.PathLike,
    width: int,
    height: int,
    style: str = "slide",
    steps: tuple[int, int] | None = None,
    fps: float = DEFAULT_FPS,
) -> Path:
    """Write ``view`` of ``data`` to ``path``: a figure at the last step of ``steps``, or,
    for .gif and .mp4, an animation of the step range. Returns the path written."""
    target, fmt = target_path(path)
    if fmt in ANIMATION_FORMATS:
        job = animation_job(data, view, target, width, height, style, steps, fps)
        try:
            return job.run()
        finally:
            job.figure.close()
    if steps is not None:
        data = data.upto(steps[1])
    figure = make_figure(data, view, width, height, style)
    try:
        return write_figure(figure, target)
    finally:
        figure.close()


def render_preset(
    preset: Preset | NetworkPreset | NetworkSession,
    view: str,
    path: str | os.PathLike,
    width: int,
    height: int,
    style: str = "slide",
    steps: tuple[int, int] | None = None,
    fps: float = DEFAULT_FPS,
) -> Path:
    """Run ``preset`` headless to the end of ``steps`` (default: its whole run) and
    export it as the window would (`export_file`; a view inside the network: trained
    and computed in an off-screen workspace, `render_inside`)."""
    if isinstance(preset, NetworkPreset | NetworkSession) and view in INSIDE_VIEWS:
        return render_inside(preset, view, path, width, height, style, steps)
    if isinstance(preset, NetworkPreset | NetworkSession):
        data = network_data(preset, None if steps is None else steps[1])
        return export_file(data, view, path, width, height, style, steps, fps)
    config = preset.config
    last = config.steps if steps is None else min(steps[1], config.steps)
    history = run_history(config, last)
    data = figure_data(preset.title, config, history, descent_grid(config))
    return export_file(data, view, path, width, height, style, steps, fps)


def network_data(source: NetworkPreset | NetworkSession, last_step: int | None):
    """Train a network preset (variants on, as it opens) or a session's network part (its
    variants and shown run as saved) headless to ``last_step`` (None: to the end)."""
    if isinstance(source, NetworkSession):
        view = source.view
        variants_on, selected = (True, 0) if view is None else (view.variants_on, view.shown_run)
        preset = source.preset
    else:
        preset, variants_on, selected = source, True, 0
    runs = preset_runs(preset, variants_on)
    return train_headless(preset.title, runs, last_step, min(selected, len(runs) - 1))
