"""``render --view neurons|weights|landscape|gradient-check``: the views inside the network,
trained and computed off screen, written at the asked size; bad input exits 2 in one line."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtGui import QImage

from core.nn.presets import load_network_preset
from core.presets import load_preset
from core.session import NetworkSession, Session, save_session_file
from gui.export.inside_render import inside_host

PRESET = "loss-landscape-of-a-network"
SIZE = ["--width", "640", "--height", "360"]


def _render(run_main, out, view, *extra):
    argv = ["render", "--preset", PRESET, "--view", view, "--out", str(out), *SIZE, *extra]
    return run_main(argv)


def _assert_size(path, fmt: str) -> None:
    if fmt == "png":
        image = QImage(str(path))
        assert (image.width(), image.height()) == (640, 360)
    elif fmt == "svg":
        root = ET.parse(path).getroot()
        assert root.tag.endswith("svg")
        assert root.get("viewBox").split()[2:] == ["640", "360"]
    else:
        data = path.read_bytes()
        assert data.startswith(b"%PDF") and b"/Page" in data


@pytest.mark.parametrize(
    "view, fmt",
    [("neurons", "png"), ("weights", "svg"), ("landscape", "png"), ("gradient-check", "pdf")],
)
def test_each_inside_view_renders_at_the_asked_size(qapp, run_main, tmp_path, view, fmt):
    out = tmp_path / f"{view}.{fmt}"
    code, stdout, stderr = _render(run_main, out, view, "--steps", "0:40")
    assert code == 0, stderr
    assert stdout.strip() == str(out)
    _assert_size(out, fmt)
    assert QThreadPool.globalInstance().waitForDone(2000)  # nothing left computing


def test_render_landscape_shows_the_slice_of_the_runs_last_step(qapp, tmp_path):
    preset = load_network_preset(PRESET)
    with inside_host(preset, None) as host:
        _run, frame, _history = host.space.controller.shown_run()
        assert host.space.worker.status == "finished"
        path = host.export("landscape", tmp_path / "slice.png", 640, 360, "slide")
        result = host.part_of("landscape").view.shown
        assert result is not None and result.step == frame.step == 300
        for origin, weights in zip(result.origin[0], frame.weights, strict=True):
            np.testing.assert_array_equal(origin, weights)  # the slice is around these weights
        assert np.isfinite(result.loss).all() and np.ptp(result.loss) > 0
    assert not host.space.worker.is_running()
    assert host.space.jobs.running == 0
    image = QImage(str(path))
    assert (image.width(), image.height()) == (640, 360)


def test_render_of_a_sessions_network_part_draws_its_weights(qapp, run_main, tmp_path):
    session = tmp_path / "lesson.slope.json"
    network = NetworkSession(load_network_preset("xor-needs-a-hidden-layer"), None)
    save_session_file(Session("network", load_preset("saddle-escape"), network), session)
    out = tmp_path / "w.png"
    argv = ["render", "--session", str(session), "--view", "weights", "--out", str(out)]
    code, _stdout, stderr = run_main([*argv, *SIZE, "--steps", "0:20"])
    assert code == 0, stderr
    _assert_size(out, "png")


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--preset", PRESET, "--view", "loss"], "not a view of a network preset"),
        (["--preset", "saddle-escape", "--view", "neurons"], "not a view of a descent preset"),
        (["--preset", PRESET, "--view", "weights", "--out-gif"], "is a picture"),
        (["--preset", PRESET, "--view", "landscape", "--out-mp4"], "is a picture"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_file(run_main, tmp_path, argv, words):
    suffix = argv[-1][len("--out-") :] if argv[-1].startswith("--out-") else "png"
    argv = [a for a in argv if not a.startswith("--out-")]
    out = tmp_path / f"x.{suffix}"
    code, _stdout, stderr = run_main(["render", *argv, "--out", str(out)])
    assert code == 2
    assert stderr.count("\n") == 1 and words in stderr
    assert not out.exists()


def test_landscape_of_a_descent_preset_is_still_the_descent_landscape(qapp, run_main, tmp_path):
    out = tmp_path / "d.png"
    argv = ["render", "--preset", "saddle-escape", "--view", "landscape", "--out", str(out)]
    code, _stdout, stderr = run_main([*argv, *SIZE, "--steps", "0:10"])
    assert code == 0, stderr
    _assert_size(out, "png")
