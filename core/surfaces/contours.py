"""Contour lines of a sampled landscape: marching squares into plain line segments.

A view draws all segments of all levels as one item. Cells that touch a sample where the
surface is undefined are skipped: the edge of a formula's domain is not a contour line.
"""

from __future__ import annotations

import numpy as np


def level_segments_all(x, y, z, levels, cancelled=None, skip=None):
    """Segments of every level and each one's level index (None if ``cancelled()``).

    ``skip`` (ny, nx) bool, optional: samples whose cells draw no line.
    """
    bad_cells = None
    if skip is not None and np.any(skip):
        bad_cells = skip[:-1, :-1] | skip[:-1, 1:] | skip[1:, :-1] | skip[1:, 1:]
    parts, index = [np.empty((0, 2, 2))], [np.empty(0, dtype=int)]
    for i, level in enumerate(levels):
        if cancelled is not None and cancelled():
            return None
        parts.append(_level_segments(x, y, z, float(level), bad_cells))
        index.append(np.full(len(parts[-1]), i, dtype=int))
    return np.concatenate(parts), np.concatenate(index)


def _cell_edge_points(x, y, z, level, rows, cols) -> np.ndarray:
    """Crossing points on the 4 edges (bottom, right, top, left) of the given cells."""
    a, b = z[rows, cols], z[rows, cols + 1]  # bottom-left, bottom-right
    c, d = z[rows + 1, cols + 1], z[rows + 1, cols]  # top-right, top-left
    x0, x1, y0, y1 = x[cols], x[cols + 1], y[rows], y[rows + 1]

    def frac(v0, v1):
        with np.errstate(divide="ignore", invalid="ignore"):
            t = (level - v0) / (v1 - v0)
        return np.clip(np.nan_to_num(t, nan=0.5), 0.0, 1.0)

    bottom = np.stack([x0 + frac(a, b) * (x1 - x0), y0], axis=-1)
    right = np.stack([x1, y0 + frac(b, c) * (y1 - y0)], axis=-1)
    top = np.stack([x0 + frac(d, c) * (x1 - x0), y1], axis=-1)
    left = np.stack([x0, y0 + frac(a, d) * (y1 - y0)], axis=-1)
    return np.stack([bottom, right, top, left], axis=1)  # (C, 4, 2)


def _level_segments(x, y, z, level, bad_cells=None) -> np.ndarray:
    """Marching squares for one level: (S, 2, 2) segments ``[[x0, y0], [x1, y1]]``."""
    above = z >= level
    h_cross = above[:, :-1] != above[:, 1:]
    v_cross = above[:-1, :] != above[1:, :]
    crossed = h_cross[:-1] | h_cross[1:] | v_cross[:, :-1] | v_cross[:, 1:]
    if bad_cells is not None:
        crossed &= ~bad_cells
    rows, cols = np.nonzero(crossed)
    if rows.size == 0:
        return np.empty((0, 2, 2))
    # per cell, edges in the order bottom, right, top, left
    bottom, top = h_cross[rows, cols], h_cross[rows + 1, cols]
    left, right = v_cross[rows, cols], v_cross[rows, cols + 1]
    mask = np.stack([bottom, right, top, left], axis=1)
    pts = _cell_edge_points(x, y, z, level, rows, cols)
    two = mask.sum(axis=1) == 2
    order = np.argsort(~mask[two], axis=1, kind="stable")[:, :2]
    segments = [np.take_along_axis(pts[two], order[:, :, None], axis=1)]
    saddle = ~two
    if saddle.any():
        # ambiguous cell: the centre value decides which corners the lines cut off
        r, c = rows[saddle], cols[saddle]
        centre = (z[r, c] + z[r, c + 1] + z[r + 1, c] + z[r + 1, c + 1]) / 4.0
        cut_b_d = ((centre >= level) == above[r, c])[:, None, None]
        s = pts[saddle]
        segments.append(np.where(cut_b_d, s[:, [0, 1]], s[:, [0, 3]]))
        segments.append(np.where(cut_b_d, s[:, [2, 3]], s[:, [1, 2]]))
    return np.concatenate(segments, axis=0)
