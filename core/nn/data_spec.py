"""Which data set a training run uses, as a frozen, JSON-ready description.

A :class:`DataSpec` names a generated set (``moons``, ``xor``, ...: its size, noise, split)
or carries a hand-made one (``name="arrays"``: features and targets typed in, see
:func:`core.nn.array_data.dataset_from_arrays`). :meth:`DataSpec.build` makes the
:class:`~core.nn.datasets.Dataset` from a data seed, so a run's data can be varied apart
from its initial weights.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from core.nn.array_data import dataset_from_arrays
from core.nn.datasets import DATASETS, Dataset, make_dataset

__all__ = ["ARRAYS", "DataSpec"]

ARRAYS = "arrays"


@dataclass(frozen=True, slots=True)
class DataSpec:
    """A data set: generated (``name`` one of DATASETS) or hand-made (``name="arrays"``).

    Generated sets use ``n``, ``noise`` (None: the set's own), ``test_fraction``,
    ``standardize`` and ``params`` (e.g. ``(("arms", 3),)`` for spirals). Hand-made sets use
    ``task``, ``X``, ``y`` and optionally ``X_test``, ``y_test`` (rows of numbers).
    """

    name: str = "moons"
    n: int = 200
    noise: float | None = None
    test_fraction: float = 0.25
    standardize: bool = False
    params: tuple[tuple[str, int], ...] = ()
    task: str = "regression"
    X: tuple = ()
    y: tuple = ()
    X_test: tuple | None = None
    y_test: tuple | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or (self.name != ARRAYS and self.name not in DATASETS):
            names = ", ".join([*DATASETS, ARRAYS])
            raise ValueError(f"dataset name must be one of {names}; got {self.name!r}")
        if not isinstance(self.standardize, bool):
            raise ValueError(f"dataset standardize must be true or false, got {self.standardize!r}")
        try:
            self.build(0)  # shapes, ranges and finiteness: the builders check them
        except TypeError as exc:  # a wrongly typed value reached NumPy or range()
            raise ValueError(f"dataset: {exc}") from None
        except ValueError as exc:
            raise ValueError(f"dataset {exc}") from None

    @property
    def is_arrays(self) -> bool:
        """True for a hand-made set (used as given: the seed changes nothing)."""
        return self.name == ARRAYS

    def build(self, seed: int) -> Dataset:
        """The data set; ``seed`` draws a generated set's samples and its train/test split."""
        if self.is_arrays:
            return dataset_from_arrays(self.X, self.y, self.task, self.X_test, self.y_test)
        return make_dataset(
            self.name,
            n=self.n,
            noise=self.noise,
            seed=seed,
            test_fraction=self.test_fraction,
            standardize=self.standardize,
            **dict(self.params),
        )

    def to_dict(self) -> dict:
        """A JSON-ready dict with only the fields this kind of set uses."""
        keys = _ARRAY_FIELDS if self.is_arrays else _GENERATED
        data = {"name": self.name}
        data.update({k: _lists(getattr(self, k)) for k in keys if getattr(self, k) is not None})
        return data

    @classmethod
    def from_dict(cls, data) -> DataSpec:
        """The spec a :meth:`to_dict` dict describes; ValueError names an unknown field."""
        if not isinstance(data, dict):
            raise ValueError(f"dataset must be an object, got {type(data).__name__}")
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise ValueError(f"dataset has no field {key!r} (fields: {', '.join(known)})")
        # each kind has its own fields: a hand-made set's arrays mean nothing to a generated
        # one (and would be dropped on saving), nor its size and noise to a hand-made one
        arrays = data.get("name") == ARRAYS
        own = ("name", *(_ARRAY_FIELDS if arrays else _GENERATED))
        for key in data:
            if key not in own:
                kind = "a hand-made" if arrays else "a generated"
                raise ValueError(
                    f"dataset: {key!r} is not a field of {kind} data set (fields: {', '.join(own)})"
                )
        values = dict(data)
        for key in ("X", "y", "X_test", "y_test", "params"):
            if values.get(key) is not None:
                values[key] = _tuples(values[key])
        return cls(**values)

    def __repr__(self) -> str:
        if self.is_arrays:
            return f"DataSpec(arrays, {len(self.X)} samples, task={self.task!r})"
        return f"DataSpec({self.name!r}, n={self.n}, noise={self.noise})"


_GENERATED = ("n", "noise", "test_fraction", "standardize", "params")
_ARRAY_FIELDS = ("task", "X", "y", "X_test", "y_test")


def _tuples(value):
    """Nested lists as nested tuples (hashable and immutable, as a frozen config needs)."""
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(_tuples(v) for v in value)
    return value


def _lists(value):
    if isinstance(value, tuple | list):
        return [_lists(v) for v in value]
    return value
