"""``run_window(preset, run_for, screenshot)``: the CLI path that makes the README pictures."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QImage

from gui.shell.app import run_window


def image_colours(path) -> tuple[int, int, int]:
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB32)
    width, height = image.width(), image.height()
    pixels = np.frombuffer(image.constBits(), dtype=np.uint32, count=width * height)
    return width, height, len(np.unique(pixels))


def test_screenshot_writes_a_real_image(tmp_path):
    path = tmp_path / "shot.png"
    assert run_window("lr-sweep-rosenbrock", 0.5, str(path)) == 0
    assert QThreadPool.globalInstance().waitForDone(2000)
    width, height, colours = image_colours(path)
    assert width >= 1000 and height >= 600
    assert colours > 500  # a heat map, paths and text; a blank window has a handful


def test_bad_preset_name_exits_with_2(capsys, tmp_path):
    path = tmp_path / "never.png"
    assert run_window("no-such-preset", 0.1, str(path)) == 2
    err = capsys.readouterr().err
    assert "unknown preset 'no-such-preset'" in err and "lr-sweep-rosenbrock" in err
    assert not path.exists()


def test_a_saved_session_opens_at_start_and_a_bad_one_exits_with_2(capsys, tmp_path):
    from core.presets import load_preset, save_preset

    session = tmp_path / "lesson.json"
    save_preset(load_preset("saddle-escape"), session)
    shot = tmp_path / "shot.png"
    assert run_window(run_for=0.3, screenshot=str(shot), session=str(session)) == 0
    assert QThreadPool.globalInstance().waitForDone(2000)
    assert image_colours(shot)[2] > 500
    bad = tmp_path / "bad.json"
    bad.write_text('{"config": {"steps": -1}}')
    never = tmp_path / "never.png"
    assert run_window(run_for=0.1, screenshot=str(never), session=str(bad)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot open the session" in err[0] and "steps" in err[0]
    assert not never.exists()
