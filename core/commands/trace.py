"""``python main.py trace``: descent trajectories as CSV, headless."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

import numpy as np

from core.commands.common import (
    finite_float,
    float_list,
    name_list,
    non_negative_float,
    non_negative_int,
    one_line,
    parse_finite,
)
from core.commands.csv_out import write_trajectories
from core.commands.limits import MAX_TRACE_ROWS, check_work_size
from core.descent.engine import DescentConfig, DescentResult, OptimizerSpec, lr_sweep
from core.descent.trajectories import descend_config
from core.optim.optimizers import OPTIMIZERS

TRACE_EPILOG = """\
Output: CSV with the header run,optimizer,lr,step,x,y,loss and one row per run per
step, from step 0 (the start). Floats are written in their shortest exact form. A run
that diverges stops at its last finite step, and stderr says so. Every path is
recorded before the CSV is written, so at most {max_rows} rows (runs x (steps + 1)) are
accepted: a larger request is refused at once, with its size in memory and on disk.

examples:
  python main.py trace --surface rosenbrock --optimizer adam --lr 0.01 \
      --start -1.5 2 --steps 500
  python main.py trace --surface beale --optimizer gd,momentum,adam --lr 1e-3 \
      --start 1 1.5 --steps 300
  python main.py trace --expr "x**2 + 3*sin(y)" --optimizer gd --lr-sweep 1e-3 1 8 \
      --start 2 -1 --steps 100
  python main.py trace --surface linreg --optimizer gd --lr 0.05 --batch 1 --seed 3 \
      --start -2 -3 --steps 200
""".format(max_rows=f"{MAX_TRACE_ROWS:,}")

# flag -> hyperparameter name of the optimizers
HYPER_FLAGS = {
    "momentum": "momentum",
    "beta1": "beta1",
    "beta2": "beta2",
    "eps": "eps",
    "alpha": "alpha",
    "weight_decay": "weight_decay",
}


def add_trace_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python main.py trace``."""
    parser.epilog = TRACE_EPILOG
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--surface", metavar="NAME", help="a built-in landscape (see --list)")
    where.add_argument("--expr", metavar="FORMULA", help="a formula in x and y, e.g. 'x**2+y**2'")
    parser.add_argument(
        "--surface-param",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="a surface parameter, e.g. condition=50 for bowl or n=100 for linreg (repeatable)",
    )
    parser.add_argument(
        "--optimizer",
        metavar="NAME[,NAME...]",
        type=name_list,
        required=True,
        help=f"one or more of: {', '.join(OPTIMIZERS)}",
    )
    rates = parser.add_mutually_exclusive_group(required=True)
    rates.add_argument("--lr", metavar="LR[,LR...]", type=float_list, help="learning rate(s)")
    rates.add_argument(
        "--lr-sweep",
        nargs=3,
        metavar=("MIN", "MAX", "N"),
        help="N log-spaced learning rates from MIN to MAX",
    )
    parser.add_argument("--start", nargs=2, type=finite_float, metavar=("X", "Y"), required=True)
    parser.add_argument("--steps", type=non_negative_int, required=True, metavar="N")
    for flag in HYPER_FLAGS:
        parser.add_argument(
            f"--{flag.replace('_', '-')}",
            type=non_negative_float,
            metavar="V",
            help=f"{flag.replace('_', ' ')} for the optimizers that have it",
        )
    parser.add_argument(
        "--batch",
        metavar="full|B|1",
        default="full",
        help="linreg only: full batch, mini-batches of B samples, or 1 (stochastic)",
    )
    parser.add_argument(
        "--noise",
        type=non_negative_float,
        default=0.0,
        metavar="SIGMA",
        help="add Gaussian gradient noise of this scale",
    )
    parser.add_argument(
        "--seed",
        type=non_negative_int,
        default=0,
        metavar="S",
        help="seed for mini-batch sampling and gradient noise",
    )
    parser.add_argument("--out", metavar="FILE.csv", help="write the CSV here instead of stdout")


def config_from_args(args: argparse.Namespace) -> DescentConfig:
    """The DescentConfig the parsed options describe (ValueError on bad input)."""
    hyper = {HYPER_FLAGS[f]: getattr(args, f) for f in HYPER_FLAGS if getattr(args, f) is not None}
    for name in args.optimizer:
        if name not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {name!r} (choose from {', '.join(OPTIMIZERS)})")
    for key in hyper:
        if not any(key in OPTIMIZERS[n].defaults for n in args.optimizer):
            flag = "--" + key.replace("_", "-")
            raise ValueError(f"{flag} does not apply to {', '.join(args.optimizer)}")
    optimizers = tuple(
        OptimizerSpec(n, tuple((k, v) for k, v in hyper.items() if k in OPTIMIZERS[n].defaults))
        for n in args.optimizer
    )
    return DescentConfig(
        surface=args.surface if args.surface else "expr",
        expr=args.expr or "",
        surface_params=tuple(_surface_params(args.surface_param)),
        optimizers=optimizers,
        learning_rates=tuple(args.lr) if args.lr else _sweep(args.lr_sweep),
        starts=(tuple(args.start),),
        steps=args.steps,
        batch=_batch(args.batch),
        noise=args.noise,
        seed=args.seed,
    )


def _sweep(values: list[str]) -> tuple[float, ...]:
    low = parse_finite(values[0], "--lr-sweep MIN")
    high = parse_finite(values[1], "--lr-sweep MAX")
    try:
        count = int(values[2])
    except ValueError:
        raise ValueError(f"--lr-sweep N must be a whole number, got {values[2]!r}") from None
    return lr_sweep(low, high, count, log=True)


def _batch(text: str) -> int | None:
    if text == "full":
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"--batch must be 'full' or a whole number >= 1, got {text!r}") from None
    if value < 1:
        raise ValueError(f"--batch must be 'full' or a whole number >= 1, got {text!r}")
    return value


def _surface_params(items: list[str]) -> list[tuple[str, float]]:
    params = []
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"--surface-param must look like NAME=VALUE, got {item!r}")
        params.append((name.strip(), parse_finite(value, f"--surface-param {name.strip()}")))
    return params


def write_trace_csv(result: DescentResult, labels: list[str], out: TextIO) -> None:
    """Rows run, optimizer, lr, step, x, y, loss; a diverged run ends at its last finite step."""
    steps = np.arange(result.loss.shape[0])
    names = [labels[i] for i in result.runs.optimizer_index]
    write_trajectories(
        out, steps, result.path, result.loss, result.diverged_at, names, result.runs.lr
    )


def _write_file(path: str, result: DescentResult, names: list[str], stderr: TextIO) -> bool:
    """Write the CSV to ``path``; on failure say so in one line and leave no partial file."""
    try:
        fh = open(path, "w", newline="", encoding="utf-8")  # closed by the with below
    except OSError as exc:
        stderr.write(f"slope trace: error: cannot write {path!r}: {one_line(exc.strerror)}\n")
        return False
    try:
        with fh:
            write_trace_csv(result, names, fh)
    except OSError as exc:  # e.g. the disk filled up: a truncated CSV would look complete
        Path(path).unlink(missing_ok=True)
        stderr.write(f"slope trace: error: cannot write {path!r}: {one_line(exc.strerror)}\n")
        return False
    return True


def run_trace(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Run ``trace``; returns the exit status (2 with one line on stderr for bad input)."""
    try:
        config = config_from_args(args)
        check_work_size(config.n_runs, config.steps)  # before any memory is taken
        result = descend_config(config)
    except ValueError as exc:
        stderr.write(f"slope trace: error: {one_line(exc)}\n")
        return 2
    names = [spec.name for spec in config.optimizers]
    if not args.out:
        write_trace_csv(result, names, stdout)
    elif not _write_file(args.out, result, names, stderr):
        return 2
    for k in np.flatnonzero(result.diverged_at >= 0):
        d = int(result.diverged_at[k])
        tail = f"its rows end at step {d - 1}" if d > 0 else "its start is not finite: no rows"
        stderr.write(f"run {k} ({result.runs.label(k)}) diverged at step {d}; {tail}\n")
    return 0
