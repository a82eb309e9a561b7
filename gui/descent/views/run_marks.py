"""The mark at the end of every run, saying in one glance how it is doing.

- running, in sight: a dot in the run's colour;
- diverged (the step blew up): a red cross at the frame's own last finite point, or
  where its path leaves the view when that point is out of sight;
- left the view (slid out while the loss kept falling, or simply out of sight now): an
  arrow head in the run's colour, at the edge where its path went out, pointing the way
  it went. Leaving the view is not a failure, so it never gets the red cross;
- stopped where the surface has no value (undefined) or overflows: a square, violet
  for undefined, dark for overflow.

Why a run stopped comes from the frame (``stop_reason``, ``outside``: computed in core);
this module only decides where on screen each mark goes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.descent.frame import DIVERGED, ESCAPED, OVERFLOW, RUNNING, STOP_REASONS, UNDEFINED
from gui.descent.views.landscape_geometry import inset_box, pin_inside
from gui.shell import colors as palette
from gui.widgets.run_items import MarkersItem, PointersItem

# the legend's word for each way a run can end (core's names, "stopped:" where the
# formula, not the learning rate, stopped it)
LEFT_THE_VIEW = STOP_REASONS[ESCAPED]
WORDS = {
    DIVERGED: STOP_REASONS[DIVERGED],
    ESCAPED: LEFT_THE_VIEW,
    UNDEFINED: f"stopped: {STOP_REASONS[UNDEFINED]}",
    OVERFLOW: f"stopped: {STOP_REASONS[OVERFLOW]}",
}


@dataclass(frozen=True, slots=True)
class RunStatus:
    """Per run (K,): the reason it stopped (core's codes) and whether it is out of the
    view box now (core's ``outside``)."""

    reason: np.ndarray
    outside: np.ndarray

    @classmethod
    def of(cls, frame, stopped=None) -> RunStatus:
        """Read ``frame.stop_reason`` and ``frame.outside``; a frame without them (a test's
        stand-in) counts the runs flagged in ``stopped`` as diverged."""
        if stopped is not None:
            k = np.size(stopped)
        else:
            k = len(np.asarray(frame.points).reshape(-1, 2))
        reason = getattr(frame, "stop_reason", None)
        if reason is None or np.size(reason) != k:
            flags = np.zeros(k, bool)
            if stopped is not None and np.size(stopped) == k:
                flags = np.asarray(stopped, bool).reshape(-1)
            reason = np.where(flags, DIVERGED, RUNNING)
        outside = getattr(frame, "outside", None)
        if outside is None or np.size(outside) != k:
            outside = np.zeros(k, bool)
        reason = np.asarray(reason, int).reshape(-1)
        return cls(reason, np.asarray(outside, bool).reshape(-1) & (reason == RUNNING))

    def words(self) -> list[str]:
        """The legend's word per run: "" while it runs in the box."""
        out = [WORDS.get(int(r), "") for r in self.reason]
        return [LEFT_THE_VIEW if o and not w else w for w, o in zip(out, self.outside, strict=True)]


def status_text(name: str, words: list[str]) -> str:
    """``name`` with what became of its runs: ``gd (diverged)``, ``sgd (2 of 6 left the
    view)``; several seeds may end in several ways."""
    counts: dict[str, int] = {}
    for word in words:
        if word:
            counts[word] = counts.get(word, 0) + 1
    if not counts:
        return name
    n = len(words)
    parts = [word if c == n else f"{c} of {n} {word}" for word, c in counts.items()]
    return f"{name} ({', '.join(parts)})"


def _inside(points: np.ndarray, view) -> np.ndarray:
    x0, x1, y0, y1 = view
    return (points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)


def _clip_segments(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray):
    """Liang-Barsky: for segments ``a + t (b - a)``, ``t`` in [0, 1], the ``t`` at which
    each enters and leaves the box ``[lo, hi]`` (it meets the box where enter <= leave)."""
    d = b - a
    with np.errstate(divide="ignore", invalid="ignore"):
        t1, t2 = (lo - a) / d, (hi - a) / d
    flat = d == 0  # parallel to an edge: inside that slab for every t, or never
    inside = (a >= lo) & (a <= hi)
    near = np.where(flat, np.where(inside, -np.inf, np.inf), np.minimum(t1, t2))
    far = np.where(flat, np.where(inside, np.inf, -np.inf), np.maximum(t1, t2))
    enter = np.maximum(near.max(axis=1), 0.0)
    leave = np.minimum(far.min(axis=1), 1.0)
    return enter, leave


def way_out(path: np.ndarray, end: np.ndarray, view) -> tuple[np.ndarray, np.ndarray]:
    """Where a path ending at ``end`` (out of sight) last crosses the edge of ``view``
    (inset a little, so a mark there is whole), and the direction it was going there.

    The crossing is on the last segment that passes through the view, even when both
    its ends lie outside (a run flung across the view and out); a path that never
    passes through is pinned to the edge nearest its end, pointing from the view's centre.
    """
    line = np.vstack([np.asarray(path, float).reshape(-1, 2), end])
    if len(line) >= 2:
        lo, hi = inset_box(view)
        a, b = line[:-1], line[1:]
        enter, leave = _clip_segments(a, b, lo, hi)
        through = np.flatnonzero((enter <= leave) & np.any(a != b, axis=1))
        if through.size:
            i = through[-1]
            return a[i] + leave[i] * (b[i] - a[i]), b[i] - a[i]
    x0, x1, y0, y1 = view
    centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
    return pin_inside(end[None], view)[0], end - centre


class RunMarks:
    """The four kinds of end marks of the landscape view, placed for the current view."""

    def __init__(self, plot, head_size: float = 11.0) -> None:
        self.heads = MarkersItem("o", head_size)
        self.crosses = MarkersItem("x", 16.0)
        self.squares = MarkersItem("s", 13.0)
        self.pointers = PointersItem(18.0)
        for item in self.items:
            item.setZValue(40)
            plot.addItem(item)
        self._state: tuple | None = None
        # a stopped run's way out of the view, kept until the view or the paths change
        self._ways: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}

    def forget_paths(self) -> None:
        """The drawn paths were replaced: ways out found on the old ones are stale."""
        self._ways.clear()

    @property
    def items(self) -> tuple:
        return (self.heads, self.crosses, self.squares, self.pointers)

    def clear(self) -> None:
        self._state = None
        self._ways.clear()
        for markers in (self.heads, self.crosses, self.squares):
            markers.set_points(np.zeros((0, 2)), np.zeros((0, 4)))
        self.pointers.set_pointers(np.zeros((0, 2)), np.zeros((0, 2)), np.zeros((0, 4)))

    def show(self, current: np.ndarray, status: RunStatus, colors: np.ndarray, paths, view):
        """``current`` (K, 2) finite points, ``paths(k)`` the drawn polyline of run ``k``."""
        self._state = (current, status, colors, paths)
        self.place(view)

    def place(self, view) -> None:
        """Put every mark where it belongs in ``view`` (xmin, xmax, ymin, ymax)."""
        if self._state is None:
            return
        current, status, colors, paths = self._state
        reason = status.reason
        seen = _inside(current, view)
        heads = (reason == RUNNING) & seen
        self.heads.set_points(current[heads], colors[heads])
        self._place_crosses(current, reason == DIVERGED, seen, paths, view)
        stuck = (reason == UNDEFINED) | (reason == OVERFLOW)
        square_colors = np.where(
            (reason[stuck] == UNDEFINED)[:, None],
            palette.UNDEFINED_COLOR + (255,),
            palette.OVERFLOW_COLOR + (255,),
        )
        self.squares.set_points(pin_inside(current[stuck], view), square_colors)
        away = ((reason == RUNNING) | (reason == ESCAPED)) & ~seen
        tips, directions = np.zeros((0, 2)), np.zeros((0, 2))
        if away.any():
            ways = [self._way(k, current, reason, paths, view) for k in np.flatnonzero(away)]
            tips, directions = (np.array(v).reshape(-1, 2) for v in zip(*ways, strict=True))
        self.pointers.set_pointers(tips, directions, colors[away])

    def _place_crosses(self, current, diverged, seen, paths, view) -> None:
        ends = current[diverged].copy()
        for i, k in enumerate(np.flatnonzero(diverged)):
            if not seen[k]:
                ends[i] = self._way(k, current, np.full(len(current), DIVERGED), paths, view)[0]
        red = np.tile(palette.DIVERGED_COLOR + (255,), (len(ends), 1))
        self.crosses.set_points(pin_inside(ends, view), red)

    def _way(self, k: int, current, reason, paths, view):
        """`way_out` of run ``k``, cached while it is stopped (its path no longer grows)."""
        if reason[k] == RUNNING:
            return way_out(paths(k), current[k], view)
        key = (k, tuple(view), current[k].tobytes())
        way = self._ways.get(key)
        if way is None:
            if len(self._ways) > 4096:
                self._ways.clear()
            way = self._ways[key] = way_out(paths(k), current[k], view)
        return way

    def set_view_rect(self, rect) -> None:
        for item in self.items:
            item.set_view_rect(rect)
