"""Hand-made data sets: a few samples typed in (a textbook example, XOR's four corners).

Unlike the generated sets they are used exactly as given: no noise, no shuffle into parts,
no standardization. One sample is enough, the test part may be empty, and a regression set
may have several outputs (targets of shape (n, k)).
"""

from __future__ import annotations

import numpy as np

from core.nn.datasets import Dataset

__all__ = ["MAX_ARRAY_ROWS", "dataset_from_arrays"]


MAX_ARRAY_ROWS = 10_000  # hand-made sets are small: JSON presets and sessions carry them


def dataset_from_arrays(
    X, y, task: str = "regression", X_test=None, y_test=None, name: str = "arrays"
) -> Dataset:
    """A hand-made data set: features X (n, d) and targets y, used as given (no shuffle).

    ``y``: class indices (n,) for classification; floats (n,) or (n, k) for regression
    (k outputs). One sample is enough; the test part may be left out (then it is empty).
    Raises ValueError naming the argument for a wrong shape, dtype or a non-finite value.
    """
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    X = _feature_array("X", X)
    y = _target_array("y", y, len(X), task)
    d = X.shape[1]
    if X_test is None or y_test is None:
        if (X_test is None) != (y_test is None):
            raise ValueError("X_test and y_test must be given together")
        X_test = np.zeros((0, d))
        y_test = np.zeros((0, *y.shape[1:]), dtype=y.dtype)
    else:
        X_test = _feature_array("X_test", X_test, allow_empty=True)
        y_test = _target_array("y_test", y_test, len(X_test), task)
        if X_test.shape[1:] != (d,) and len(X_test):
            raise ValueError(f"X_test must have {d} columns like X, got {X_test.shape[1]}")
        if y_test.shape[1:] != y.shape[1:]:
            raise ValueError(f"y_test must have shape (n, ...) as y {y.shape}, got {y_test.shape}")
        X_test = X_test.reshape(-1, d)
    n_classes = int(max(y.max(), y_test.max(initial=0)) + 1) if task == "classification" else 0
    if task == "classification":
        n_classes = max(n_classes, 2)
    parts = [X, y, X_test, y_test, np.zeros(d), np.ones(d)]
    for array in parts:
        array.flags.writeable = False
    names = ("x",) if d == 1 else tuple(f"x{k + 1}" for k in range(d))
    labels = tuple(str(k) for k in range(n_classes))
    return Dataset(name, *parts[:4], task, n_classes, names, *parts[4:], labels)


def _feature_array(field: str, values, allow_empty: bool = False) -> np.ndarray:
    try:
        X = np.array(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{field} must be a table of numbers") from None
    if X.ndim == 1 and allow_empty and X.size == 0:
        return X.reshape(0, 0)
    low = 0 if allow_empty else 1
    if X.ndim != 2 or not low <= len(X) <= MAX_ARRAY_ROWS or not 1 <= X.shape[1] <= 1000:
        raise ValueError(
            f"{field} must be a table (n, d) with {low} <= n <= {MAX_ARRAY_ROWS} rows "
            f"and 1 <= d <= 1000 columns, got shape {X.shape}"
        )
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{field} must hold finite numbers (no NaN or inf)")
    return X


def _target_array(field: str, values, n: int, task: str) -> np.ndarray:
    try:
        y = np.array(values)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{field} must be numbers") from None
    if y.dtype.kind not in "biuf" or y.dtype.kind == "b":
        raise ValueError(f"{field} must be numbers, got {y.dtype}")
    if len(y) != n or y.ndim not in (1, 2) or (y.ndim == 2 and not 1 <= y.shape[1] <= 1000):
        raise ValueError(f"{field} must have {n} rows (one per sample), got shape {y.shape}")
    if task == "regression":
        y = y.astype(np.float64)
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{field} must hold finite numbers (no NaN or inf)")
        return y
    if y.ndim != 1 or (y.size and (np.any(y != np.round(y)) or y.min() < 0 or y.max() > 99)):
        raise ValueError(f"{field} must be class indices 0..99, one per sample")
    return y.astype(np.int64)
