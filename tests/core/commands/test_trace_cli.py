"""``python main.py trace``: the CSV, negative numbers, errors, and torch agreement."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_header_rows_and_exact_floats():
    out = run(
        "trace",
        "--surface",
        "rosenbrock",
        "--optimizer",
        "gd,adam",
        "--lr",
        "1e-4,1e-3",
        "--start",
        "-1.5",
        "2",
        "--steps",
        "5",
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "run,optimizer,lr,step,x,y,loss"
    table = rows(out.stdout)
    assert len(table) == 4 * 6
    assert [r["step"] for r in table[:6]] == ["0", "1", "2", "3", "4", "5"]
    assert {r["optimizer"] for r in table} == {"gd", "adam"}
    assert "np." not in out.stdout
    for r in table:
        for key in ("lr", "x", "y", "loss"):
            assert repr(float(r[key])) == r[key]  # shortest round-trip form


def test_steps_zero_prints_the_start_rows():
    out = run(
        "trace",
        "--surface",
        "booth",
        "--optimizer",
        "gd",
        "--lr",
        "0.1,0.2",
        "--start",
        "-1e-05",
        "2",
        "--steps",
        "0",
    )
    assert out.returncode == 0, out.stderr
    table = rows(out.stdout)
    assert [(r["run"], r["step"], r["x"], r["y"]) for r in table] == [
        ("0", "0", "-1e-05", "2.0"),
        ("1", "0", "-1e-05", "2.0"),
    ]


def test_lr_sweep_expr_and_out_file(tmp_path):
    target = tmp_path / "paths.csv"
    out = run(
        "trace",
        "--expr",
        "x**2 + 3*sin(y)",
        "--optimizer",
        "momentum",
        "--lr-sweep",
        "1e-3",
        "1e-1",
        "3",
        "--start",
        "-.5",
        "-1.5",
        "--steps",
        "4",
        "--out",
        str(target),
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == ""
    table = rows(target.read_text())
    assert sorted({float(r["lr"]) for r in table}) == pytest.approx([1e-3, 1e-2, 1e-1])


def test_diverged_run_rows_end_and_stderr_says_so():
    out = run(
        "trace",
        "--surface",
        "bowl",
        "--surface-param",
        "condition=10",
        "--optimizer",
        "gd",
        "--lr",
        "0.1,0.5",
        "--start",
        "1",
        "1",
        "--steps",
        "2000",
    )
    assert out.returncode == 0, out.stderr
    table = rows(out.stdout)
    steps_1 = [int(r["step"]) for r in table if r["run"] == "1"]
    assert len([r for r in table if r["run"] == "0"]) == 2001
    assert "run 1 (gd, lr=0.5) diverged at step" in out.stderr
    assert steps_1[-1] < 2000
    assert f"rows end at step {steps_1[-1]}" in out.stderr
    assert all(np.isfinite(float(r["loss"])) for r in table)


def test_linreg_batch_modes():
    common = [
        "trace",
        "--surface",
        "linreg",
        "--optimizer",
        "gd",
        "--lr",
        "0.05",
        "--start",
        "-2",
        "-3",
        "--steps",
        "20",
        "--seed",
        "3",
    ]
    full, sgd, again = run(*common), run(*common, "--batch", "1"), run(*common, "--batch", "1")
    assert full.returncode == sgd.returncode == 0, sgd.stderr
    assert full.stdout != sgd.stdout
    assert sgd.stdout == again.stdout


BASE = ["--optimizer", "gd", "--lr", "0.01", "--start", "1", "1", "--steps", "10"]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--surface", "rosenbrok", *BASE], "rosenbrok"),
        (["--surface", "rosenbrock", *BASE, "--optimizer", "sgdx"], "sgdx"),
        (["--surface", "rosenbrock", *BASE, "--lr", "0.o1"], "0.o1"),
        (["--surface", "rosenbrock", *BASE, "--lr", "-0.1"], "-0.1"),
        (["--surface", "rosenbrock", *BASE, "--steps", "-5"], "-5"),
        (["--surface", "rosenbrock", *BASE, "--start", "1", "x"], "'x'"),
        (["--expr", "x**2 + z", *BASE], "unknown name 'z'"),
        (["--expr", "__import__('os').system('echo hi')", *BASE], "attribute access"),
        (["--surface", "rosenbrock", *BASE, "--beta1", "0.9"], "--beta1 does not apply to gd"),
        (["--surface", "rosenbrock", *BASE, "--batch", "zero"], "--batch"),
        (["--surface", "bowl", "--surface-param", "condition=0", *BASE], "condition"),
        (
            [
                "--surface",
                "rosenbrock",
                "--optimizer",
                "gd",
                "--lr-sweep",
                "1",
                "0.1",
                "3",
                "--start",
                "1",
                "1",
                "--steps",
                "3",
            ],
            "lr sweep needs 0 <= min <= max",
        ),
        (
            ["--surface", "rosenbrock", "--optimizer", "gd", "--start", "1", "1", "--steps", "3"],
            "one of the arguments --lr --lr-sweep is required",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, needle):
    out = run("trace", *argv)
    assert out.returncode == 2, (argv, out.stdout, out.stderr)
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "Traceback" not in out.stderr
    assert needle in lines[0]
    assert out.stdout == ""


def test_help_documents_everything():
    out = run("trace", "--help")
    assert out.returncode == 0
    for flag in (
        "--surface",
        "--expr",
        "--optimizer",
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
        "--seed",
        "--out",
    ):
        assert flag in out.stdout
    top = run("--help")
    assert "trace" in top.stdout and "train" in top.stdout and "--screenshot" in top.stdout


@pytest.mark.parametrize(
    ("name", "flags", "cls_name", "kwargs"),
    [
        ("gd", [], "SGD", {}),
        ("momentum", ["--momentum", "0.8"], "SGD", {"momentum": 0.8}),
        ("nesterov", [], "SGD", {"momentum": 0.9, "nesterov": True}),
        ("adam", ["--beta1", "0.85"], "Adam", {"betas": (0.85, 0.999)}),
        ("adamw", ["--weight-decay", "0.1"], "AdamW", {"weight_decay": 0.1}),
        ("rmsprop", ["--alpha", "0.9"], "RMSprop", {"alpha": 0.9}),
        ("adagrad", [], "Adagrad", {}),
    ],
)
def test_trace_reproduces_torch_optim(name, flags, cls_name, kwargs):
    torch = pytest.importorskip("torch")
    lr = 1e-3
    out = run(
        "trace",
        "--surface",
        "rosenbrock",
        "--optimizer",
        name,
        "--lr",
        str(lr),
        "--start",
        "-1.5",
        "2",
        "--steps",
        "200",
        *flags,
    )
    assert out.returncode == 0, out.stderr
    ours = np.array([[float(r["x"]), float(r["y"])] for r in rows(out.stdout)])
    p = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, cls_name)([p], lr=lr, **kwargs)
    ref = [p.detach().numpy().copy()]
    for _ in range(200):
        opt.zero_grad()
        ((1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2).backward()
        opt.step()
        ref.append(p.detach().numpy().copy())
    np.testing.assert_allclose(ours, np.array(ref), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--lr-sweep", "abc", "1", "3"], "--lr-sweep MIN must be a number, got 'abc'"),
        (["--lr-sweep", "nan", "1", "3"], "--lr-sweep MIN must be a finite number, got 'nan'"),
        (["--lr-sweep", "1e-3", "inf", "3"], "--lr-sweep MAX must be a finite number, got 'inf'"),
        (
            ["--lr", "0.1", "--surface-param", "condition=abc"],
            "--surface-param condition must be a number, got 'abc'",
        ),
        (
            ["--lr", "0.1", "--surface-param", "condition=1e400"],
            "--surface-param condition must be a finite number, got '1e400'",
        ),
        (
            ["--lr", "0.1", "--surface-param", "condition=nan"],
            "--surface-param condition must be a finite number, got 'nan'",
        ),
        (
            ["--lr-sweep", "1e-9", "1e-6", "20000", "--steps", "10000000"],
            "too much work: 20,000 runs x 10,000,001 steps = 200,000,020,000 rows (4.8 TB in"
            " memory, about 14 TB of CSV to write); the limit is 5,000,000 rows: use fewer runs"
            " or steps",
        ),
    ],
)
def test_bad_numbers_and_too_much_work_exit_2_at_once_with_one_line(tmp_path, argv, message):
    out_file = tmp_path / "trace.csv"
    base = ["--surface", "bowl", "--optimizer", "gd", "--start", "1", "1", "--steps", "3"]
    out = run("trace", *base, *argv, "--out", str(out_file))
    assert out.returncode == 2
    assert out.stderr == f"slope trace: error: {message}\n"
    assert out.stdout == ""
    assert not out_file.exists()


def test_formula_errors_exit_2_without_a_python_warning():
    base = ["--optimizer", "gd", "--lr", "0.1", "--start", "1", "1", "--steps", "3"]
    warned = run("trace", "--expr", "1if x else 2", *base)
    assert warned.returncode == 2
    assert (
        warned.stderr == "slope trace: error: syntax error at column 1: invalid decimal literal\n"
    )
    early = run("trace", "--expr", "x**", *base)
    assert (
        early.stderr == "slope trace: error: syntax error at column 3: the formula ends too early\n"
    )
    undefined = run("trace", "--expr", "1/0", *base)
    assert undefined.stderr == "slope trace: error: division by zero at column 2\n"


def test_unknown_argument_with_a_newline_stays_one_line():
    out = run("trace", "--surface", "bowl", *BASE, "--bad\nflag")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "--bad\\nflag" in out.stderr


def test_work_limit_counts_rows_of_runs_times_steps():
    from core.commands.limits import MAX_TRACE_ROWS, check_work_size

    assert check_work_size(3, 99) == 300
    assert check_work_size(1, MAX_TRACE_ROWS - 1) == MAX_TRACE_ROWS  # exactly at the limit
    with pytest.raises(ValueError, match=r"2 runs x 5,000,000 steps = 10,000,000 rows"):
        check_work_size(2, MAX_TRACE_ROWS - 1)
