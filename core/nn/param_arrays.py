"""Parameter arrays given as numbers (initial weights in a config or a preset), checked.

A config holds arrays as nested tuples, so it stays frozen and JSON-ready; this module
turns them into float arrays of the shapes a network needs, or says what is wrong.
"""

from __future__ import annotations

import numpy as np

__all__ = ["check_arrays", "nested_tuple"]


def check_arrays(field: str, arrays, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    """``arrays`` as one float array per layer, of exactly ``shapes``.

    Raises ValueError naming ``field[layer]``, the expected and the given shape, for a
    wrong count, a wrong shape, a value that is not a number, or NaN/inf.
    """
    if isinstance(arrays, str | bytes) or not hasattr(arrays, "__len__"):
        raise ValueError(f"{field} must be one array per layer, got {type(arrays).__name__}")
    if len(arrays) != len(shapes):
        raise ValueError(
            f"{field} must have {len(shapes)} arrays (one per layer), got {len(arrays)}"
        )
    checked = []
    for layer, (values, shape) in enumerate(zip(arrays, shapes, strict=True)):
        name = f"{field}[{layer}]"
        try:
            array = np.array(values, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"{name} must be numbers of shape {shape}") from None
        if array.shape != shape:
            raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{name} must hold finite numbers (no NaN or inf)")
        checked.append(array)
    return checked


def nested_tuple(value):
    """Nested lists (or arrays) as nested tuples; other values unchanged."""
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(nested_tuple(v) for v in value)
    return value
