"""How much work a descent may be asked for: refused up front, naming the size and the limit.

A trace records every run's whole path (x, y and loss as float64: 24 bytes per run per
step) before it writes its CSV (about 70 bytes per row), so the rows are memory, time and
disk at once. The window can ask the same question before it starts a recorded run.
"""

from __future__ import annotations

MAX_TRACE_ROWS = 5_000_000  # runs x (steps + 1): 120 MB recorded, ~350 MB of CSV
RECORDED_BYTES_PER_ROW = 24  # path (x, y) and loss, float64
CSV_BYTES_PER_ROW = 70  # "run,optimizer,lr,step,x,y,loss" with shortest exact floats


def byte_text(n_bytes: float) -> str:
    """``n_bytes`` in the largest unit that keeps the number >= 1 (``4.8 GB``, ``120 MB``)."""
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if n_bytes < 1000 or unit == "PB":
            return f"{n_bytes:.3g} {unit}"
        n_bytes /= 1000
    raise AssertionError("unreachable")


def check_work_size(n_runs: int, n_steps: int, max_rows: int = MAX_TRACE_ROWS) -> int:
    """The rows ``n_runs * (n_steps + 1)`` of a recorded descent, or ValueError if too many.

    Parameters
    ----------
    n_runs : int
        Parallel runs (optimizers x learning rates x starts x seeds).
    n_steps : int
        Updates per run; step 0 (the start) is recorded too.
    max_rows : int
        The limit, :data:`MAX_TRACE_ROWS` by default.

    Raises
    ------
    ValueError
        ``"too much work: 20,000 runs x 10,000,001 steps = 200,000,020,000 rows (4.8 TB in
        memory, about 14 TB of CSV to write); the limit is 5,000,000 rows: use fewer runs
        or steps"``.
    """
    rows = int(n_runs) * (int(n_steps) + 1)
    if rows > max_rows:
        memory = byte_text(rows * RECORDED_BYTES_PER_ROW)
        disk = byte_text(rows * CSV_BYTES_PER_ROW)
        raise ValueError(
            f"too much work: {n_runs:,} runs x {n_steps + 1:,} steps = {rows:,} rows "
            f"({memory} in memory, about {disk} of CSV to write); the limit is "
            f"{max_rows:,} rows: use fewer runs or steps"
        )
    return rows
