"""A trained network's parameters as a NumPy ``.npz`` file, written atomically.

Arrays ``W0, b0, W1, b1, ...`` (``W{l}`` of shape (n_in, n_out), as ``z = a @ W + b``),
plus ``gamma{l}, beta{l}, running_mean{l}, running_var{l}`` per hidden layer when the
network uses batch normalization.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import numpy as np

from core.nn.train_config import TrainFrame

__all__ = ["frame_arrays", "load_weights", "save_weights"]


def frame_arrays(frame: TrainFrame) -> dict[str, np.ndarray]:
    """The named parameter arrays of a frame, in file order."""
    arrays = {}
    for layer, (W, b) in enumerate(zip(frame.weights, frame.biases, strict=True)):
        arrays[f"W{layer}"], arrays[f"b{layer}"] = W, b
    n_bn = len(frame.bn_state) // 4
    names = ("gamma", "beta", "running_mean", "running_var")
    for k, name in enumerate(names):
        for layer in range(n_bn):
            arrays[f"{name}{layer}"] = frame.bn_state[k * n_bn + layer]
    return arrays


def save_weights(path: str | Path, frame: TrainFrame) -> None:
    """Write the frame's parameters to ``path`` (.npz) atomically.

    The file is written to a temporary file in the same folder, flushed to disk and then
    renamed over ``path`` (``os.replace``), so a crash or a full disk never leaves a
    half-written file. Raises OSError when the folder cannot be written.
    """
    path = Path(path)
    handle = tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            np.savez(handle, **frame_arrays(frame))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(handle.name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


def load_weights(path: str | Path) -> dict[str, np.ndarray]:
    """The arrays of a weights file (plain arrays only: pickled objects are refused)."""
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in data.files}
