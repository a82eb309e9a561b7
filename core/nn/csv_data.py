"""Reading a user's CSV file of points: two feature columns, then a label or a target.

The file must start with a header row such as ``x1,x2,label`` (classification) or
``x1,x2,target`` (regression); every following non-blank row holds three finite numbers.
Every problem is reported as a ValueError that names the file, and where it applies the
line and the column, so that a user can fix the file from the message alone.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

__all__ = ["MAX_ROWS", "MIN_ROWS", "read_table"]

MIN_ROWS, MAX_ROWS = 4, 100_000


def read_table(path):
    """Parse a points file into (feature names, X (n, 2), y (n,), task).

    ``task`` is ``classification`` when the third column is named ``label`` (its values
    must then be whole numbers) and ``regression`` when it is named ``target``. ValueError
    for a missing or unreadable file, a wrong header, a non-numeric or non-finite cell, a
    row without 3 cells, fewer than MIN_ROWS or more than MAX_ROWS data rows.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"CSV file not found: {path}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = _numeric_rows(path, csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"cannot read CSV file {path}: {exc}") from None
    header, table = rows
    if len(table) < MIN_ROWS:
        raise ValueError(f"{path}: {len(table)} data rows; at least {MIN_ROWS} are needed")
    data = np.array(table, dtype=np.float64)
    task = "classification" if header[2].lower() == "label" else "regression"
    if task == "classification":
        fractional = np.flatnonzero(data[:, 2] != np.round(data[:, 2]))
        if fractional.size:
            bad = fractional[0]
            raise ValueError(
                f"{path}: line {bad + 2}, column 'label': {data[bad, 2]:g} is not "
                "an integer class label"
            )
    return tuple(header[:2]), data[:, :2], data[:, 2], task


def _numeric_rows(path, reader):
    header = [cell.strip() for cell in next(reader, [])]
    if (
        len(header) != 3
        or header[2].lower() not in ("label", "target")
        or not all(header[:2])
        or any(_is_number(c) for c in header)
    ):
        raise ValueError(
            f"{path}: the header must name two feature columns and then 'label' or "
            f"'target' (e.g. x1,x2,label); got {','.join(header)!r}"
        )
    table = []
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank line
        if len(cells) != 3:
            raise ValueError(f"{path}: line {line}: expected 3 cells, got {len(cells)}")
        if len(table) == MAX_ROWS:
            raise ValueError(f"{path}: more than {MAX_ROWS} data rows; the limit is {MAX_ROWS}")
        table.append(
            [_cell(path, line, name, cell) for name, cell in zip(header, cells, strict=True)]
        )
    return header, table


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _cell(path, line: int, column: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(
            f"{path}: line {line}, column {column!r}: {text.strip()!r} is not a number"
        ) from None
    if math.isnan(value):
        raise ValueError(
            f"{path}: line {line}, column {column!r}: NaN (missing value) is not allowed"
        )
    if math.isinf(value):
        raise ValueError(f"{path}: line {line}, column {column!r}: {text.strip()} is not finite")
    return value
