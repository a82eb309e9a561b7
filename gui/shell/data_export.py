"""File → Export of data: trajectories and training logs as CSV, weights, a PyTorch script.

Each export reads what the window already holds (the descent controller's shown history,
the network controller's selected run: its config, data set, newest frame and history)
and hands it to the core writers the ``trace`` and ``train`` commands use, so a file
from the window has their format. Every file is written to a temporary file and renamed
into place: a failure leaves nothing half-written, and says why in the status bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMenu

from core.commands.common import one_line
from core.commands.csv_out import (
    training_log_from_history,
    write_text_atomic,
    write_trajectories_from_history,
)
from core.nn.torch_script import torch_script
from core.nn.weights_file import save_weights

__all__ = [
    "DATA_EXPORTS",
    "DataExport",
    "add_data_exports",
    "export_torch_script",
    "export_training_log",
    "export_trajectories",
    "export_weights",
    "run_export",
    "with_extension",
]


def with_extension(path: str | Path, extension: str) -> Path:
    """``path`` with ``extension`` (".csv") added when its name has no extension at all."""
    path = Path(path)
    return path if path.suffix else path.with_name(path.name + extension)


def _descent_state(window):
    controller = window.descent_space.controller
    if controller.shown is None or controller.config is None or controller.runs is None:
        raise ValueError("there is no descent run on screen yet")
    return controller


def _network_run(window, need_frames: bool = True):
    """(run, newest frame, history) of the network run selected on screen."""
    controller = window.network_space.controller
    if not controller.runs:
        raise ValueError("there is no network on screen yet")
    run, k, shown = controller.runs[controller.selected], controller.selected, controller.shown
    if need_frames and shown is None:
        raise ValueError("the network has not been trained yet: press Play or Step first")
    if shown is None:
        return run, None, None
    return run, shown.frame.frames[k], shown.history[k]


def export_trajectories(window, path: str | Path) -> Path:
    """The descent's recorded trajectories as ``trace``'s CSV; returns the path written."""
    controller = _descent_state(window)
    names = [spec.name for spec in controller.config.optimizers]
    history, runs = controller.shown.history, controller.runs
    return write_text_atomic(
        with_extension(path, ".csv"),
        lambda out: write_trajectories_from_history(out, history, runs, names),
    )


def export_training_log(window, path: str | Path) -> Path:
    """The selected network run's log as ``train``'s CSV (one row per epoch and the newest)."""
    run, _, history = _network_run(window)
    classification = run.dataset.task == "classification"
    return write_text_atomic(
        with_extension(path, ".csv"),
        lambda out: training_log_from_history(out, history, classification),
    )


def export_weights(window, path: str | Path) -> Path:
    """The selected run's newest weights as ``train --save-weights``'s .npz."""
    _, frame, _ = _network_run(window)
    path = with_extension(path, ".npz")
    save_weights(path, frame)  # atomic: temporary file, then os.replace
    return path


def export_torch_script(window, path: str | Path) -> Path:
    """A PyTorch script that trains the selected run from its start, as Slope does."""
    run, _, _ = _network_run(window, need_frames=False)
    text = torch_script(run.config, run.dataset)  # ValueError before any file is touched
    return write_text_atomic(with_extension(path, ".py"), lambda out: out.write(text))


@dataclass(frozen=True, slots=True)
class DataExport:
    """One File-menu export: its menu text, what it writes, the dialog's file filter."""

    text: str
    what: str
    file_filter: str
    default_name: str
    write: Callable


DATA_EXPORTS: dict[str, DataExport] = {
    "trajectories": DataExport(
        "Export trajectories CSV…", "trajectories", "CSV (*.csv)", "trajectories.csv",
        export_trajectories,
    ),
    "training_log": DataExport(
        "Export training log CSV…", "training log", "CSV (*.csv)", "training_log.csv",
        export_training_log,
    ),
    "weights": DataExport(
        "Export weights .npz…", "weights", "NumPy arrays (*.npz)", "weights.npz",
        export_weights,
    ),
    "torch_script": DataExport(
        "Export PyTorch script…", "PyTorch script", "Python (*.py)", "slope_in_torch.py",
        export_torch_script,
    ),
}  # fmt: skip


def run_export(window, key: str, path: str | Path) -> Path | None:
    """Run export ``key`` to ``path`` and say in the status bar how it went.

    Returns the path written, or None after a failure (reported in one line; the
    writers leave no partial file behind).
    """
    export = DATA_EXPORTS[key]
    try:
        written = export.write(window, path)
    except ValueError as exc:
        window.status.show_error(f"Cannot export the {export.what}: {one_line(exc)}")
        return None
    except OSError as exc:
        reason = one_line(exc.strerror or exc)
        window.status.show_error(f"Cannot write the {export.what} to {str(path)!r}: {reason}")
        return None
    window.status.show_message(f"Exported the {export.what} to {written}")
    return written


def _ask_and_export(window, key: str) -> None:
    export = DATA_EXPORTS[key]
    path, _ = QFileDialog.getSaveFileName(
        window, export.text.rstrip("…"), export.default_name, export.file_filter
    )
    if path:
        run_export(window, key, path)


def add_data_exports(window, files: QMenu) -> dict[str, QAction]:
    """Add the four data exports to the File menu; returns their actions by key."""
    actions = {}
    for key, export in DATA_EXPORTS.items():
        action = QAction(export.text, window)
        action.triggered.connect(lambda _=False, k=key: _ask_and_export(window, k))
        files.addAction(action)
        actions[key] = action
    return actions
