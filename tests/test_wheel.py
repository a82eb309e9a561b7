"""Slope installs as a wheel and runs from anywhere: presets and help come from the package.

The wheel is built from a copy of the source (so the shared tree gets no ``build/``),
installed with ``--no-deps`` into a fresh ``python -m venv`` and run from another working
directory, with ``PYTHONPATH`` cleared. The new venv sees the project venv's dependencies
(PySide6, pyqtgraph, NumPy...) through one ``.pth`` file that appends the project venv's
site-packages to ``sys.path``: installing them again would need the network. A ``.pth``
line is a plain path, so the project's own editable install there stays inactive; the test
checks that ``core`` really comes from the new venv.

Skipped, with the reason, only when building is impossible offline: no setuptools (the
build backend, used without build isolation) or no ``venv`` module.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "main.py", "core", "gui", "resources")
TIMEOUT_S = 300  # two shared cores: building, installing and starting Qt take a while

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("setuptools") is None or importlib.util.find_spec("venv") is None,
    reason="building the wheel offline needs setuptools and venv in the project venv",
)


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """Build, install into a fresh venv; the venv's paths, a neutral cwd and the env."""
    base = tmp_path_factory.mktemp("wheel")
    source, dist, venv, cwd = (base / name for name in ("src", "dist", "venv", "elsewhere"))
    source.mkdir()
    cwd.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=ignore)
        else:
            shutil.copy2(path, source / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PIP_NO_INDEX"] = "1"  # offline: everything comes from here
    pip = [sys.executable, "-m", "pip"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), "."], source, env)
    (wheel,) = dist.glob("slope-*.whl")
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], base, env)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    # the project venv's dependencies, appended after the new venv's own packages
    (site / "project_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([*pip, "--python", str(python), "install", "--no-deps", str(wheel)], base, env)
    return {"bin": venv / "bin", "python": python, "site": site, "cwd": cwd, "env": env}


def test_the_installed_package_is_the_wheel_not_the_source_tree(installed) -> None:
    code = "import core, gui, resources, main; print(core.__file__); print(resources.__file__)"
    result = _run([str(installed["python"]), "-c", code], installed["cwd"], installed["env"])
    for line in result.stdout.split():
        assert Path(line).resolve().is_relative_to(installed["site"].resolve()), line


def test_presets_and_help_are_read_from_the_installed_package(installed) -> None:
    code = (
        "from importlib.resources import files; from core.presets import PRESET_DIR;"
        "print(PRESET_DIR);"
        "print(*sorted(p.name for p in (files('resources') / 'help').iterdir()), sep='\\n')"
    )
    result = _run([str(installed["python"]), "-c", code], installed["cwd"], installed["env"])
    preset_dir, *help_files = result.stdout.splitlines()
    assert Path(preset_dir).resolve().is_relative_to(installed["site"].resolve())
    shipped = sorted(
        p.name for p in (ROOT / "resources" / "help").iterdir() if p.suffix in (".html", ".png")
    )
    assert shipped and help_files == shipped


def test_slope_list_names_the_presets_from_another_folder(installed) -> None:
    result = _run([str(installed["bin"] / "slope"), "--list"], installed["cwd"], installed["env"])
    assert "saddle-escape" in result.stdout
    assert "xor-needs-a-hidden-layer" in result.stdout
    assert "optimizers:" in result.stdout


def test_slope_preset_screenshot_writes_a_picture_of_the_window(installed) -> None:
    from PySide6.QtGui import QImage

    shot = installed["cwd"] / "shot.png"
    args = [str(installed["bin"] / "slope"), "--preset", "saddle-escape", "--run-for", "0.2"]
    _run([*args, "--screenshot", "shot.png"], installed["cwd"], installed["env"])
    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() >= 1024 and image.height() >= 700
    # a drawn window, not a blank one: many distinct colours along the middle row
    row = {image.pixel(x, image.height() // 2) for x in range(0, image.width(), 4)}
    assert len(row) > 20


def test_slope_render_writes_the_figure_when_the_command_exists(installed) -> None:
    slope = str(installed["bin"] / "slope")
    usage = _run([slope, "--help"], installed["cwd"], installed["env"]).stdout
    if "render" not in usage:
        pytest.skip("main.py has no render command yet")
    from PySide6.QtGui import QImage

    args = ["render", "--preset", "saddle-escape", "--out", "figure.png"]
    _run([slope, *args, "--width", "800", "--height", "450"], installed["cwd"], installed["env"])
    image = QImage(str(installed["cwd"] / "figure.png"))
    assert (image.width(), image.height()) == (800, 450)
