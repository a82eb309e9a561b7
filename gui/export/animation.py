"""Animations of a recorded run: frames painted on the main thread, encoded in a thread.

Painting needs Qt's main thread (pyqtgraph items are not thread-safe), encoding does not:
an :class:`AnimationJob` paints one frame per `render_next` call (the export dialog calls
it from a timer, a few frames at a time, so the window stays responsive; the headless
command calls it in a loop) and hands each frame to an encoder thread through a short
queue. The encoder writes a hidden temporary file that is renamed over the target only
when every frame is in; `cancel` (or any failure) deletes it, so nothing half-written
is ever left. GIF through imageio's Pillow plugin, MP4 (H.264) through imageio-ffmpeg.
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

import numpy as np

from gui.export.figure_files import ANIMATION_FORMATS, partial_path, target_path

QUEUE_FRAMES = 4  # painted frames waiting for the encoder (bounded: memory stays small)
MAX_FRAMES = 2000
MP4_BLOCK = 8  # H.264 frames are padded to this many pixels; figures are sized to fit


def animation_rows(steps: np.ndarray, first: int, last: int, max_frames: int = MAX_FRAMES):
    """The recorded rows whose step lies in ``[first, last]``, evenly thinned to at most
    ``max_frames`` (the last one always kept): one animation frame per row."""
    steps = np.asarray(steps)
    rows = np.flatnonzero((steps >= first) & (steps <= last))
    if rows.size == 0:
        raise ValueError(f"steps: no recorded step lies in {first}:{last}")
    if rows.size > max_frames:
        rows = rows[np.unique(np.linspace(0, rows.size - 1, max_frames).round().astype(int))]
    return [int(r) for r in rows]


def mp4_size(width: int, height: int) -> tuple[int, int]:
    """The largest size at most ``width`` x ``height`` an H.264 encoder takes as it is."""
    return max(width // MP4_BLOCK * MP4_BLOCK, MP4_BLOCK), max(
        height // MP4_BLOCK * MP4_BLOCK, MP4_BLOCK
    )


def _open_writer(path: Path, fmt: str, fps: float):
    import imageio.v2 as imageio

    if fmt == "gif":
        return imageio.get_writer(path, format="GIF", mode="I", duration=1000.0 / fps, loop=0)
    return imageio.get_writer(
        path,
        format="FFMPEG",
        mode="I",
        fps=fps,
        codec="libx264",
        pixelformat="yuv420p",
        macro_block_size=MP4_BLOCK,
        quality=8,
        ffmpeg_log_level="error",
        # "veryfast" costs a little file size, not quality, and halves the encoder's
        # share of the two cores the painting needs too
        output_params=["-preset", "veryfast"],
    )


class AnimationJob:
    """Paint ``figure`` at each of ``rows`` and encode the frames into ``path``.

    Parameters
    ----------
    figure : DescentFigure
        Sized already (for MP4, to a multiple of 8 pixels: see `mp4_size`).
    rows : list of int
        The recorded rows to show, one frame each.
    path : str or Path
        A .gif or .mp4 name (a name without an extension gets ``.mp4``).
    fps : float
        Frames per second, 1 to 60.
    """

    def __init__(self, figure, rows: list[int], path, fps: float) -> None:
        target, fmt = target_path(path, _format_of(path))
        if fmt not in ANIMATION_FORMATS:
            raise ValueError(f"an animation is written as GIF or MP4, not .{fmt}")
        if not 1 <= fps <= 60:
            raise ValueError(f"fps must be in [1, 60], got {fps}")
        if not rows:
            raise ValueError("rows must name at least one recorded row")
        if fmt == "mp4" and (figure.width % MP4_BLOCK or figure.height % MP4_BLOCK):
            raise ValueError(f"an MP4's width and height must be multiples of {MP4_BLOCK}")
        self.figure, self.rows, self.fps = figure, list(rows), float(fps)
        self.target, self.format = target, fmt
        self.partial = partial_path(target)
        self.done = 0
        self.error: BaseException | None = None
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_FRAMES)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._encode, name="slope-encoder", daemon=True)
        self._thread.start()

    def __repr__(self) -> str:
        return f"AnimationJob({self.target.name}, {self.done}/{len(self.rows)} frames)"

    @property
    def total(self) -> int:
        return len(self.rows)

    def render_next(self) -> bool:
        """Paint and queue the next frame; False when every frame is queued (or the
        encoder failed: `finish` then raises its error)."""
        if self.done >= self.total or self.error is not None:
            return False
        self.figure.show_row(self.rows[self.done])
        frame = self.figure.rgb()
        while not self._stop.is_set():
            try:
                self._queue.put(frame, timeout=0.1)
                break
            except queue.Full:
                if self.error is not None:
                    return False
        self.done += 1
        return self.done < self.total

    def finish(self) -> Path:
        """Wait for the encoder, then put the file in place; raises what went wrong."""
        self._queue.put(None)
        self._thread.join()
        if self.error is None and self.done < self.total:
            self.error = RuntimeError("the animation stopped before its last frame")
        if self.error is not None:
            self.partial.unlink(missing_ok=True)
            raise self.error
        os.replace(self.partial, self.target)
        return self.target

    def cancel(self) -> None:
        """Stop, and leave no file behind."""
        self._stop.set()
        self._thread.join()
        self.partial.unlink(missing_ok=True)

    def run(self) -> Path:
        """Every frame, then `finish` (the headless way)."""
        while self.render_next():
            pass
        return self.finish()

    def _encode(self) -> None:
        writer = None
        try:
            writer = _open_writer(self.partial, self.format, self.fps)
            while not self._stop.is_set():
                try:
                    frame = self._queue.get(timeout=0.1)
                except queue.Empty:
                    continue
                if frame is None:
                    break
                writer.append_data(frame)
        except BaseException as exc:  # reported by finish(); the thread must not die loud
            self.error = exc if isinstance(exc, Exception) else RuntimeError(str(exc))
        finally:
            if writer is not None:
                try:
                    writer.close()
                except Exception as exc:
                    self.error = self.error or exc


def _format_of(path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    return suffix or "mp4"
