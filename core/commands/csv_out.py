"""The CSV formats of ``trace`` and ``train``, for the commands and the window alike.

* Trajectories (``trace``): ``run,optimizer,lr,step,x,y,loss``, one row per run per step;
  a run that stopped (diverged, left the surface's domain) ends at its last finite step.
* Training log (``train``): ``epoch,step,train_loss,test_loss`` (plus
  ``train_accuracy,test_accuracy`` for classification) and ``grad_norm_0..grad_norm_L-1``;
  one row at the start, one where each epoch begins and one on the last frame.

Floats are written in their shortest exact form, an empty cell where there is no value.
The writers take what both sides have: a finished :class:`DescentResult` or a window's
recorded history of a descent; a stream of :class:`TrainFrame` or a recorded training
history. :func:`write_text_atomic` writes a file so that it is whole or absent.
"""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TextIO

import numpy as np

from core.commands.common import fmt

__all__ = [
    "TRACE_HEADER",
    "log_header",
    "training_log_from_history",
    "write_log",
    "write_text_atomic",
    "write_trajectories",
    "write_trajectories_from_history",
]

TRACE_HEADER = ("run", "optimizer", "lr", "step", "x", "y", "loss")


def write_trajectories(
    out: TextIO,
    steps: np.ndarray,
    path: np.ndarray,
    loss: np.ndarray,
    stopped_at: np.ndarray,
    optimizers: Sequence[str],
    lr: np.ndarray,
) -> None:
    """Write the trajectory CSV of K runs recorded at N steps.

    Parameters
    ----------
    out : text stream
    steps : (N,) int
        The step of each recorded row, increasing (0 = the start).
    path, loss : (N, K, 2), (N, K)
        Each run's point and loss at those steps.
    stopped_at : (K,) int
        The step at which each run stopped, -1 if it did not: its rows end before it.
    optimizers, lr : (K,)
        Each run's optimizer name and learning rate (the ``optimizer`` and ``lr`` cells).
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(TRACE_HEADER)
    steps = np.asarray(steps)
    for k in range(loss.shape[1]):
        d = int(stopped_at[k])
        rows = len(steps) if d < 0 else int(np.searchsorted(steps, d, side="left"))
        name, rate = optimizers[k], fmt(lr[k])
        xs, ys, ls = path[:rows, k, 0], path[:rows, k, 1], loss[:rows, k]
        for t in range(rows):
            writer.writerow([k, name, rate, int(steps[t]), fmt(xs[t]), fmt(ys[t]), fmt(ls[t])])


def write_trajectories_from_history(out: TextIO, history, runs, optimizer_names) -> None:
    """The trajectory CSV of a descent's recorded history (a window's ``HistorySnapshot``).

    ``runs`` is the run table (optimizer index and lr per run); ``optimizer_names`` the
    config's optimizer names in its order. A thinned history gives its kept steps only.
    """
    if len(history) == 0:
        raise ValueError("the run has no recorded steps yet")
    names = [optimizer_names[int(i)] for i in runs.optimizer_index]
    write_trajectories(
        out, history.steps, history.points, history.loss, history.diverged_at, names, runs.lr
    )


def _cell(value) -> str:
    return "" if value is None else repr(float(value))


def log_header(classification: bool, n_layers: int) -> list[str]:
    """The training log's column names."""
    header = ["epoch", "step", "train_loss", "test_loss"]
    header += ["train_accuracy", "test_accuracy"] if classification else []
    return header + [f"grad_norm_{layer}" for layer in range(n_layers)]


def _row(frame, classification: bool) -> list:
    row = [frame.epoch, frame.step, _cell(frame.train_loss), _cell(frame.test_loss)]
    if classification:
        row += [_cell(frame.train_accuracy), _cell(frame.test_accuracy)]
    return row + [_cell(g) for g in frame.grad_norms]


def write_log(
    frames: Iterable, classification: bool, out: TextIO, n_layers: int, keep_last: bool = False
):
    """Write the CSV log of a run (start, every epoch start, the stop); return the last frame.

    ``frames``: TrainFrames (or rebuilt ones: epoch, step, the losses, accuracies,
    grad_norms and stop_reason are read). ``keep_last``: also write the last frame when
    it neither stopped the run nor began an epoch (a run still going on in the window).
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(log_header(classification, n_layers))
    last, written = None, False
    for frame in frames:
        written = last is None or frame.epoch != last.epoch or bool(frame.stop_reason)
        if written:
            writer.writerow(_row(frame, classification))
        last = frame
    if keep_last and last is not None and not written:
        writer.writerow(_row(last, classification))
    return last


def training_log_from_history(out: TextIO, history, classification: bool) -> None:
    """The training log of a recorded history (a window's ``TrainingSnapshot``).

    Its rows are the kept steps: every step while the history is not thinned, so the log
    then equals ``train``'s; the newest row is always written.
    """
    if len(history) == 0:
        raise ValueError("the run has no recorded steps yet")
    n_layers = np.asarray(history.grad_norms).shape[1]
    frames = (history.frame_at(i) for i in range(len(history)))
    write_log(frames, classification, out, n_layers, keep_last=True)


def write_text_atomic(path: str | Path, write: Callable[[TextIO], object]) -> Path:
    """Write a text file through ``write(stream)`` so that it is whole or not there at all.

    The text goes to a temporary file in the same folder, is flushed to disk and then
    renamed over ``path`` (``os.replace``, atomic on one file system). Any failure
    (OSError, or ValueError from ``write``) removes the temporary file and is raised.
    """
    path = Path(path)
    handle = tempfile.NamedTemporaryFile(
        "w",
        dir=path.parent,
        prefix=f".{path.name}.",
        suffix=".tmp",
        delete=False,
        newline="",
        encoding="utf-8",
    )
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise
    return path
