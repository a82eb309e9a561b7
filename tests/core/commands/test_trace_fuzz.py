"""Fuzzing trace's command line: any argv ends in exit 0, or exit 2 with one line and no traceback.

The parser and ``run_trace`` are called in-process (a subprocess per example would take
minutes); one subprocess checks that ``main.py`` wires the same behaviour.
"""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.commands.common import OneLineParser
from core.commands.trace import add_trace_arguments, run_trace

ROOT = Path(__file__).resolve().parents[3]

VALID = [
    "--surface",
    "bowl",
    "--optimizer",
    "gd,adam",
    "--lr",
    "0.01,0.1",
    "--start",
    "1",
    "-1",
    "--steps",
    "3",
]
FLAGS = [
    "--surface",
    "--expr",
    "--surface-param",
    "--optimizer",
    "--lr",
    "--lr-sweep",
    "--start",
    "--steps",
    "--momentum",
    "--beta1",
    "--beta2",
    "--eps",
    "--alpha",
    "--weight-decay",
    "--batch",
    "--noise",
    "--seed",
    "--out",
    "--bogus",
    "-",
    "--",
]
# Step counts stay tiny or beyond every limit, so a lucky argv cannot run for minutes.
VALUES = [
    "0",
    "1",
    "3",
    "-1",
    "-1e-05",
    "1e-3",
    "0.5",
    "1e400",
    "-1e400",
    "nan",
    "inf",
    "-inf",
    "abc",
    "",
    " ",
    "1,2",
    "1,,2",
    "0x10",
    "1_0",
    "20000",
    "10000000",
    "99999999999999999999",
    "9" * 5000,
    "full",
    "condition=50",
    "condition=abc",
    "n=1e400",
    "n=nan",
    "=3",
    "gd",
    "gd,sgdx",
    "adam,momentum,nesterov",
    "rosenbrock",
    "linreg",
    "expr",
    "x**2+y**2",
    "1/x + y",
    "log(x)",
    "1if x else 2",
    "x**",
    "1/0",
    "exp(exp(exp(x)))",
    "__import__('os')",
    "(" * 200 + "x" + ")" * 200,
    "x" + "+x" * 300,
    "a\nb",
    "\x00",
    "é",
]
TOKEN = st.one_of(st.sampled_from(FLAGS), st.sampled_from(VALUES), st.text(max_size=12))


# Each option with its number of values and some values that make sense for it.
OPTIONS = {
    "--surface": (1, ["bowl", "rosenbrock", "linreg", "saddle"]),
    "--expr": (1, ["x**2+y**2", "log(x)+y", "1/x + y", "exp(exp(exp(x)))", "sqrt(-x*x-y*y)"]),
    "--surface-param": (1, ["condition=50", "n=20", "noise=0.1"]),
    "--optimizer": (1, ["gd", "adam", "momentum,rmsprop", "nesterov,adagrad,adamw"]),
    "--lr": (1, ["0.01", "0.1,1", "1e6", "0"]),
    "--lr-sweep": (3, ["1e-3", "1", "4", "0", "2"]),
    "--start": (2, ["1", "-1", "0", "2.5", "1e300"]),
    "--steps": (1, ["0", "1", "5"]),
    "--momentum": (1, ["0.9", "0"]),
    "--beta1": (1, ["0.9"]),
    "--eps": (1, ["1e-8"]),
    "--weight-decay": (1, ["0.01"]),
    "--batch": (1, ["full", "1", "4", "0"]),
    "--noise": (1, ["0.1", "0"]),
    "--seed": (1, ["3"]),
    "--out": (1, ["out.csv"]),
}
REQUIRED = ("--optimizer", "--start", "--steps")


@st.composite
def structured_argvs(draw) -> list[str]:
    """Options with the right number of values, each value sensible or not: reaches run_trace."""
    where = draw(st.sampled_from(["--surface", "--expr"]))
    rates = draw(st.sampled_from(["--lr", "--lr-sweep"]))
    argv = []
    for flag, (count, good) in OPTIONS.items():
        if flag in ("--surface", "--expr", "--lr", "--lr-sweep"):
            chance = 1.0 if flag in (where, rates) else 0.05
        else:
            chance = 0.9 if flag in REQUIRED else 0.25
        if draw(st.floats(0, 1)) < chance:
            argv += [flag, *(_value(draw, good) for _ in range(count))]
    return argv


def _value(draw, good: list[str]) -> str:
    """Mostly a sensible value; one in eight is anything at all."""
    return draw(TOKEN) if draw(st.integers(0, 7)) == 0 else draw(st.sampled_from(good))


@st.composite
def argvs(draw) -> list[str]:
    """Random tokens, a valid command line with random edits, or well-formed options."""
    kind = draw(st.sampled_from(["tokens", "edits", "options", "options"]))
    if kind == "tokens":
        return draw(st.lists(TOKEN, max_size=14))
    if kind == "options":
        return draw(structured_argvs())
    argv = list(VALID)
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.integers(0, len(argv)))
        edit = draw(st.sampled_from(["insert", "replace", "delete"]))
        if edit == "insert" or not argv:
            argv.insert(where, draw(TOKEN))
        elif edit == "replace":
            argv[min(where, len(argv) - 1)] = draw(TOKEN)
        else:
            del argv[min(where, len(argv) - 1)]
    return argv


def trace(argv: list[str], out_dir: Path) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``slope trace ARGV``, in-process."""
    parser = OneLineParser(prog="slope trace")
    add_trace_arguments(parser)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            args = parser.parse_args(argv)
        except SystemExit as exit_:
            return int(exit_.code or 0), out.getvalue(), err.getvalue()
        if args.out is not None:
            args.out = str(out_dir / "out.csv")  # never write where the fuzzer points
        code = run_trace(args, out, err)
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(argv=argvs())
def test_any_argv_exits_0_or_2_with_one_line(tmp_path_factory, argv):
    out_dir = tmp_path_factory.mktemp("fuzz")
    code, _, err = trace(argv, out_dir)
    assert code in (0, 2), (argv, code, err)
    if code == 2:
        assert err.count("\n") == 1 and err.endswith("\n"), (argv, err)
        assert "Traceback" not in err
        assert not (out_dir / "out.csv").exists(), argv  # no partial output file


def test_the_fuzz_harness_sees_success_and_failure(tmp_path):
    code, out, err = trace(VALID, tmp_path)
    assert (code, err) == (0, "")
    assert out.count("\n") == 1 + 4 * 4  # header + 4 runs x 4 steps
    code, _, err = trace([*VALID, "--steps", "abc"], tmp_path)
    assert code == 2 and err.count("\n") == 1


def test_main_py_gives_the_same_one_line():
    sweep = [*VALID[:4], "--lr-sweep", "nan", "1", "3", *VALID[6:]]
    argv = [sys.executable, str(ROOT / "main.py"), "trace", *sweep]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 2
    assert done.stderr == "slope trace: error: --lr-sweep MIN must be a finite number, got 'nan'\n"
