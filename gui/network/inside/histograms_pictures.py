"""Weight histograms as pictures: each layer's counts over training as a heat map.

Pure NumPy (it runs in the background job with `core.nn.weight_histograms`). Column c of
a picture is the histogram of the latest kept weight set at or before step
``first + c * (last - first) / (C - 1)``: the history keeps sets at thinned steps, so the
columns resample them onto even steps and the x axis can be read as the step. Row k is
bin k of the layer's fixed bins (row 0, the lowest values, at the bottom). A cell's
darkness is log(1 + count) / log(1 + the layer's largest count): a few stray large
weights still show beside a crowd near 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.nn.weight_histograms import WeightHistograms, weight_histograms

MOST_COLUMNS = 240  # pixels along the step axis
EMPTY = np.array([255, 255, 255], dtype=float)
FULL = np.array([20, 52, 110], dtype=float)  # a dark blue: the most crowded bin


@dataclass(frozen=True, slots=True)
class HistogramPictures:
    """``histograms`` (`WeightHistograms`), per layer the RGBA ``weights`` and ``biases``
    pictures (bins, columns, 4), and ``steps`` (first, last) their x range."""

    histograms: WeightHistograms
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    steps: tuple[int, int]


def column_rows(steps: np.ndarray, most: int = MOST_COLUMNS) -> np.ndarray:
    """Index of the kept set each column shows: the latest one at or before the column's
    step, columns evenly spread from the first step to the last (at most ``most``, one
    per step when there are fewer steps)."""
    first, last = int(steps[0]), int(steps[-1])
    n = int(min(most, last - first + 1))
    at = np.linspace(first, last, n)
    return np.searchsorted(steps, at, side="right") - 1


def heat_picture(counts: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """RGBA (bins, columns, 4) of ``counts`` (sets, bins) at the kept sets ``rows``."""
    shown = counts[rows].T.astype(float)  # (bins, columns): the value axis upwards
    top = np.log1p(shown.max()) if shown.size and shown.max() > 0 else 1.0
    share = np.log1p(shown) / top
    rgb = EMPTY + (FULL - EMPTY) * share[..., None]
    picture = np.full((*shown.shape, 4), 255, dtype=np.uint8)
    picture[..., :3] = np.clip(np.round(rgb), 0, 255)
    return picture


def histogram_pictures(config, frame, history, X_train) -> HistogramPictures:
    """The histograms of the shown run up to ``frame`` and their pictures (the job)."""
    hist = weight_histograms(config, frame, history, X_train)
    rows = column_rows(hist.steps)
    weights = tuple(heat_picture(c, rows) for c in hist.weight_counts)
    biases = tuple(heat_picture(c, rows) for c in hist.bias_counts)
    return HistogramPictures(hist, weights, biases, (int(hist.steps[0]), int(hist.steps[-1])))
