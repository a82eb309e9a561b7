"""``python main.py render``: writes the asked file headless; bad input exits 2 with one
line (a hypothesis fuzz of its arguments); no Qt at the parser's module level."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QImage

import main

ROOT = Path(__file__).resolve().parents[3]
PRESET = "saddle-escape"


def _main(argv, capsys) -> tuple[int, str, str]:
    try:
        code = main.main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_render_writes_a_png_of_the_asked_size(qtbot, tmp_path, capsys):
    out = tmp_path / "fig"
    argv = ["render", "--preset", PRESET, "--out", str(out), "--width", "400", "--height", "300"]
    code, stdout, err = _main([*argv, "--view", "loss", "--steps", "0:20"], capsys)
    assert code == 0, err
    assert stdout.strip() == str(tmp_path / "fig.png")
    image = QImage(str(tmp_path / "fig.png"))
    assert (image.width(), image.height()) == (400, 300)


def test_render_runs_headless_in_a_fresh_process(tmp_path):
    out = tmp_path / "fig.svg"
    result = subprocess.run(
        [sys.executable, "main.py", "render", "--preset", PRESET, "--out", str(out),
         "--width", "320", "--height", "180", "--steps", "0:10"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.read_text().lstrip().startswith("<?xml")


def test_the_parser_imports_no_qt():
    code = "import sys, core.commands.render; print('PySide6' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--out", "x.png"], "--preset"),
        (["--preset", "nope", "--out", "x.png"], "unknown preset"),
        (["--preset", PRESET, "--out", "x.bmp"], ".png"),
        (["--preset", PRESET, "--out", "x.png", "--steps", "9:3"], "before it starts"),
        (["--preset", PRESET, "--out", "x.png", "--steps", "99999:100000"], "after the run"),
        (["--preset", PRESET, "--out", "x.png", "--width", "0"], "16..8192"),
        (["--preset", PRESET, "--out", "x.png", "--fps", "nan"], "1..60"),
        (["--preset", PRESET, "--out", "x.png", "--view", "pie"], "invalid choice"),
        (["--preset", PRESET, "--session", "s.json", "--out", "x.png"], "not allowed"),
        (["--session", "/no/such/file.json", "--out", "x.png"], "file"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, argv, words):
    code, _, err = _main(["render", *argv], capsys)
    assert code == 2
    assert err.count("\n") == 1 and words in err
    assert list(tmp_path.iterdir()) == []


_BAD_VALUES = st.sampled_from(
    ["", "-1", "0", "1e9", "nan", "inf", "abc", "3:", ":4", "5:2", "x\ny", "../", "\x00", "é"]
)
_OPTIONS = st.sampled_from(["--width", "--height", "--fps", "--steps", "--view", "--style"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(pairs=st.lists(st.tuples(_OPTIONS, _BAD_VALUES), min_size=1, max_size=3))
def test_fuzzed_bad_arguments_exit_2_with_one_line(capsys, pairs):
    argv = ["render", "--preset", PRESET, "--out", "never-written.png"]
    for option, value in pairs:
        argv += [option, value]
    code, stdout, err = _main(argv, capsys)
    assert code == 2
    assert stdout == "" and err.endswith("\n") and err.count("\n") == 1
    assert not Path("never-written.png").exists()
