"""`render --session` reads the session format of both workspaces (and older descent files)."""

from __future__ import annotations

import io
from types import SimpleNamespace

from PySide6.QtGui import QImage

from core.commands.render import load_source
from core.nn.presets import load_network_preset
from core.presets import load_preset, save_preset
from core.session import NetworkSession, Session, save_session_file


def _session(preset) -> Session:
    network = NetworkSession(load_network_preset("backprop-by-hand"), None)
    return Session("descent", preset, network)


def test_render_takes_the_descent_part_of_a_session_file(tmp_path):
    preset = load_preset("saddle-escape")
    path = tmp_path / "lesson.slope.json"
    save_session_file(_session(preset), path)
    loaded, view = load_source(SimpleNamespace(preset=None, session=str(path), view=None))
    assert loaded.config == preset.config and view == "landscape"
    old = tmp_path / "old.json"
    save_preset(preset, old)
    args = SimpleNamespace(preset=None, session=str(old), view=None)
    assert load_source(args)[0].config == preset.config


def test_render_takes_the_network_part_for_a_network_view(tmp_path):
    path = tmp_path / "lesson.slope.json"
    save_session_file(_session(load_preset("saddle-escape")), path)
    part, view = load_source(SimpleNamespace(preset=None, session=str(path), view="curves"))
    assert isinstance(part, NetworkSession) and view == "curves"
    assert part.preset.config == load_network_preset("backprop-by-hand").config


def test_render_of_a_session_writes_the_figure(qapp, tmp_path):
    from main import main

    path = tmp_path / "lesson.slope.json"
    save_session_file(_session(load_preset("saddle-escape")), path)
    out = tmp_path / "fig.png"
    argv = ["render", "--session", str(path), "--out", str(out), "--width", "640"]
    assert main([*argv, "--height", "360"]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (640, 360)
    assert io.BytesIO(out.read_bytes()).read(4) == b"\x89PNG"
