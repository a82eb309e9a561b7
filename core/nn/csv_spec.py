"""A user's CSV file as a `DataSpec` a training config can carry (and a session can save).

:func:`core.nn.datasets.load_csv` reads, checks, splits and standardizes the file (any
number of classes); the parts it makes are stored as a hand-made (``arrays``) data set,
so the run, its presets and its sessions no longer need the file.
"""

from __future__ import annotations

from core.nn.array_data import MAX_ARRAY_ROWS
from core.nn.data_spec import DataSpec
from core.nn.datasets import load_csv

__all__ = ["csv_data_spec"]


def csv_data_spec(path, test_fraction: float = 0.25, seed: int = 0) -> DataSpec:
    """The data set of the CSV file ``path``: its train and test parts, as arrays.

    ValueError (naming the file, line and column) for a file :func:`load_csv` refuses, and
    for more rows than a hand-made data set holds (``MAX_ARRAY_ROWS``).
    """
    dataset = load_csv(path, test_fraction, seed)
    if len(dataset.X_train) > MAX_ARRAY_ROWS:
        raise ValueError(
            f"{path}: {len(dataset.X_train)} training rows; the window takes at most "
            f"{MAX_ARRAY_ROWS}"
        )
    parts = {"X": dataset.X_train, "y": dataset.y_train}
    parts.update(X_test=dataset.X_test, y_test=dataset.y_test)
    document = {key: value.tolist() for key, value in parts.items()}
    return DataSpec.from_dict({"name": "arrays", "task": dataset.task, **document})
