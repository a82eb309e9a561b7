"""Small 2-D classification and 1-D regression data sets, and a user's CSV file.

Every generator is seeded (``numpy.random.default_rng``), adds Gaussian noise of the given
standard deviation, and returns a :class:`Dataset` split into a training and a test part.
Standardization, when asked for (always for CSV files), uses the mean and standard
deviation of the training part only, so nothing about the test part leaks into training.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from core.nn.csv_data import MAX_ROWS, MIN_ROWS, read_table

__all__ = [
    "DATASETS",
    "MAX_ROWS",
    "MIN_ROWS",
    "Dataset",
    "check_int",
    "dataset_names",
    "load_csv",
    "make_dataset",
]


@dataclass(frozen=True, slots=True)
class Dataset:
    """Features (n, d) and labels (int class indices) or targets (float) for both parts.

    ``mean`` and ``std`` are the standardization applied to the features (zeros and ones
    when none was): original = standardized * std + mean.
    """

    name: str
    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    task: str  # "classification" or "regression"
    n_classes: int  # 0 for regression
    feature_names: tuple[str, ...]
    mean: np.ndarray
    std: np.ndarray
    class_labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for field in ("X_train", "y_train", "X_test", "y_test"):
            array = getattr(self, field)
            if array.dtype.kind not in "biuf" or not np.all(np.isfinite(array)):
                raise ValueError(f"{field} must hold finite numbers (no NaN or inf)")

    @property
    def n_features(self) -> int:
        """Number of input features d."""
        return self.X_train.shape[1]

    @property
    def n_outputs(self) -> int:
        """Output units a regression set needs: its number of target columns (else 0)."""
        if self.task != "regression":
            return 0
        return 1 if self.y_train.ndim == 1 else self.y_train.shape[1]

    def __repr__(self) -> str:
        kind = f"{self.n_classes} classes" if self.task == "classification" else "regression"
        return (
            f"Dataset({self.name!r}, train={len(self.X_train)}, test={len(self.X_test)}, "
            f"features={self.n_features}, {kind})"
        )


def _xor(rng, n, noise):
    corners = rng.choice([-1.0, 1.0], size=(n, 2))
    labels = (corners[:, 0] != corners[:, 1]).astype(np.int64)
    return corners + noise * rng.standard_normal((n, 2)), labels


def _circles(rng, n, noise):
    labels = rng.integers(0, 2, n)
    radius = np.where(labels == 1, 0.5, 1.0)  # class 1 inside
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    X = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return X + noise * rng.standard_normal((n, 2)), labels


def _moons(rng, n, noise):
    labels = rng.integers(0, 2, n)
    t = rng.uniform(0.0, np.pi, n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    X = np.where(labels[:, None] == 0, upper, lower)
    return X + noise * rng.standard_normal((n, 2)), labels


def _spirals(rng, n, noise, arms=2):
    labels = rng.integers(0, arms, n)
    r = rng.uniform(0.05, 1.0, n)
    angle = 2.0 * np.pi * labels / arms + 4.0 * r  # each arm turns about 2/3 of a circle
    X = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    return X + noise * rng.standard_normal((n, 2)), labels


def _blobs(rng, n, noise, classes=3):
    labels = rng.integers(0, classes, n)
    angle = 2.0 * np.pi * labels / classes
    centres = 2.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    return centres + noise * rng.standard_normal((n, 2)), labels


def _checkerboard(rng, n, noise, tiles=4):
    X = rng.uniform(-1.0, 1.0, (n, 2))
    cell = np.floor((X + 1.0) * tiles / 2.0).clip(0, tiles - 1).astype(np.int64)
    labels = (cell[:, 0] + cell[:, 1]) % 2
    return X + noise * rng.standard_normal((n, 2)), labels


def _sine(rng, n, noise):
    x = rng.uniform(-np.pi, np.pi, n)
    return x[:, None], np.sin(x) + noise * rng.standard_normal(n)


def _linear(rng, n, noise):
    x = rng.uniform(0.5, 3.5, n)  # as the linreg surface: y = 2 x - 1 + noise
    return x[:, None], 2.0 * x - 1.0 + noise * rng.standard_normal(n)


# name -> (generator, task, default noise, {parameter: (default, low, high)})
DATASETS: dict[str, tuple] = {
    "xor": (_xor, "classification", 0.2, {}),
    "circles": (_circles, "classification", 0.08, {}),
    "moons": (_moons, "classification", 0.1, {}),
    "spirals": (_spirals, "classification", 0.03, {"arms": (2, 2, 3)}),
    "blobs": (_blobs, "classification", 0.6, {"classes": (3, 2, 4)}),
    "checkerboard": (_checkerboard, "classification", 0.02, {"tiles": (4, 2, 8)}),
    "sine": (_sine, "regression", 0.1, {}),
    "linear": (_linear, "regression", 0.5, {}),
}


def dataset_names() -> list[str]:
    """Names accepted by :func:`make_dataset`."""
    return list(DATASETS)


def check_int(field: str, value, low: int, high: int) -> int:
    """``value`` as an int; ValueError naming ``field`` unless it is an integer in [low, high]."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Integral)
        or not low <= value <= high
    ):
        raise ValueError(f"{field} must be an integer in [{low}, {high}], got {value!r}")
    return int(value)


def make_dataset(
    name: str,
    n: int = 200,
    noise: float | None = None,
    seed: int = 0,
    test_fraction: float = 0.25,
    standardize: bool = False,
    **params,
) -> Dataset:
    """Generate the data set ``name`` with ``n`` samples (``noise`` None: its default).

    Extra parameters: ``arms`` (spirals, 2-3), ``classes`` (blobs, 2-4), ``tiles``
    (checkerboard, 2-8). The split puts round(n * test_fraction) samples (at least 1) in
    the test part, chosen by a seeded permutation.
    """
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}; got {name!r}")
    generate, task, default_noise, allowed = DATASETS[name]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(f"dataset {name!r} has no parameter {unknown[0]!r}")
    extra = {k: check_int(k, params.get(k, d), lo, hi) for k, (d, lo, hi) in allowed.items()}
    n = check_int("n", n, MIN_ROWS, MAX_ROWS)
    check_int("seed", seed, 0, 2**63 - 1)
    noise = default_noise if noise is None else noise
    if not isinstance(noise, numbers.Real) or not 0.0 <= noise <= 10.0:
        raise ValueError(f"noise must be a number in [0, 10], got {noise!r}")
    data_rng, split_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    X, y = generate(data_rng, n, float(noise), **extra)
    n_classes = int(extra.get("classes", extra.get("arms", 2))) if task == "classification" else 0
    names = ("x",) if X.shape[1] == 1 else ("x1", "x2")
    labels = tuple(str(k) for k in range(n_classes))
    return split_dataset(
        name, X, y, task, n_classes, names, split_rng, test_fraction, standardize, labels
    )


def split_dataset(
    name, X, y, task, n_classes, feature_names, rng, test_fraction, standardize, class_labels=()
) -> Dataset:
    """Shuffle into train/test parts, optionally standardize with training statistics."""
    if not isinstance(test_fraction, numbers.Real) or not 0.0 < test_fraction <= 0.9:
        raise ValueError(f"test_fraction must be in (0, 0.9], got {test_fraction!r}")
    n = len(X)
    n_test = min(max(1, round(n * test_fraction)), n - 2)
    order = rng.permutation(n)
    test, train = order[:n_test], order[n_test:]
    mean, std = np.zeros(X.shape[1]), np.ones(X.shape[1])
    if standardize:
        mean = X[train].mean(axis=0)
        spread = X[train].std(axis=0)
        std = np.where(spread > 0, spread, 1.0)  # a constant feature stays as it is, centred
    parts = [(X[train] - mean) / std, y[train], (X[test] - mean) / std, y[test], mean, std]
    for array in parts:
        array.flags.writeable = False
    Xtr, ytr, Xte, yte, mean, std = parts
    return Dataset(
        name,
        Xtr,
        ytr,
        Xte,
        yte,
        task,
        n_classes,
        tuple(feature_names),
        mean,
        std,
        tuple(class_labels),
    )


def load_csv(path, test_fraction: float = 0.25, seed: int = 0) -> Dataset:
    """A user's CSV file: a header row, two feature columns, then ``label`` or ``target``.

    ``label`` makes a classification set (integer labels, mapped in sorted order to class
    indices 0..C-1); ``target`` a regression set. Features are standardized with the
    training part's statistics. Raises ValueError naming the file, line and column for a
    missing file, a wrong header, a non-numeric or non-finite cell, fewer than 4 or more
    than 100,000 data rows.
    """
    names, X, y, task = read_table(path)
    class_labels: tuple[str, ...] = ()
    n_classes = 0
    if task == "classification":
        values, y = np.unique(y, return_inverse=True)
        if len(values) < 2:
            raise ValueError(f"{path}: the label column needs at least 2 different classes")
        n_classes, class_labels = len(values), tuple(f"{v:g}" for v in values)
        y = y.astype(np.int64)
    check_int("seed", seed, 0, 2**63 - 1)
    rng = np.random.default_rng(seed)
    return split_dataset(
        str(path), X, y, task, n_classes, names, rng, test_fraction, True, class_labels
    )
