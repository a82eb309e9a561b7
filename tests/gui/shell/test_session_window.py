"""File → Save session / Open session in the window: both workspaces come back exactly
(configs, view settings, the first frames of every run bit for bit); a refused file
changes nothing and says why once; ``--session`` opens the new format or exits 2."""

from __future__ import annotations

import dataclasses
import itertools
import json

import numpy as np
import pytest
from PySide6.QtCore import QThreadPool

from core.presets import load_preset
from core.session import load_session_file
from gui.shell.app import run_window
from gui.shell.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    yield w
    w.close()
    assert QThreadPool.globalInstance().waitForDone(5000)


def _set_up(w: MainWindow, qtbot) -> None:
    """A state no preset has: edited descent config, edited network base with typed-in
    starting weights, the second variant shown, a slow pace, the step-through tab."""
    base = load_preset("sgd-vs-batch-linreg")
    config = dataclasses.replace(base.config, seed=1234, learning_rates=(0.02, 0.07))
    w.load_preset(dataclasses.replace(base, config=config, title="My descent"))
    w.arrow_actions["velocity"].setChecked(True)
    space = w.network_space
    w.load_preset_name("batch-vs-minibatch-vs-sgd")
    edited = dataclasses.replace(space.controller.config, seed=77, lr=0.37, l2=0.001)
    rng = np.random.default_rng(5)
    layers = edited.layers
    weights = tuple(
        tuple(map(tuple, rng.normal(size=(a, b)) * 0.7)) for a, b in itertools.pairwise(layers)
    )
    edited = dataclasses.replace(edited, initial_weights=weights)
    space.controls.set_config(edited)
    assert space.controller.apply_config(edited, playing=False)
    space.controls.shown_run.setCurrentIndex(2)
    space.controls.training.flat_out.setChecked(False)
    space.controls.training.speed.setValue(3.5)
    space.widget.show_step_through(True)
    w.show_space_of("network")
    _wait_for_first_frames(w, qtbot)


def _wait_for_first_frames(w: MainWindow, qtbot) -> None:
    qtbot.waitUntil(lambda: w.network_space.controller.shown is not None, timeout=20_000)
    qtbot.waitUntil(lambda: w.worker.latest is not None, timeout=20_000)


def _snapshot(w: MainWindow, qtbot) -> dict:
    """Everything a session must bring back, with the first two frames of every run."""
    space, controller = w.network_space, w.network_space.controller
    frames = {"network": [controller.shown.frame.frames], "descent": [w.worker.latest.frame]}
    for run_space in (space, w.descent_space):
        run_space.controller.step()
    qtbot.waitUntil(lambda: controller.shown.frame.step == 1, timeout=20_000)
    qtbot.waitUntil(lambda: w.worker.latest.frame.step == 1, timeout=20_000)
    frames["network"].append(controller.shown.frame.frames)
    frames["descent"].append(w.worker.latest.frame)
    return {
        "shown": w.active.workspace,
        "descent": w.current_preset(),
        "network_config": controller.config,
        "runs": [(r.label, r.config) for r in controller.runs],
        "view": (
            space.controls.variants.isChecked(),
            controller.selected,
            space.controls.shown_run.currentIndex(),
            controller.speed,
            space.widget.side.currentWidget() is space.widget.step_through,
        ),
        "frames": frames,
    }


def _same_frames(a: dict, b: dict) -> None:
    for left, right in zip(a["network"], b["network"], strict=True):
        for x, y in zip(left, right, strict=True):
            assert x.step == y.step and x.batch_loss == y.batch_loss
            for name in ("weights", "biases", "dW", "db", "weight_update"):
                for p, q in zip(getattr(x, name), getattr(y, name), strict=True):
                    assert np.array_equal(p, q), name
    for x, y in zip(a["descent"], b["descent"], strict=True):
        assert x.step == y.step
        assert np.array_equal(x.points, y.points) and np.array_equal(x.loss, y.loss)


def test_a_saved_session_reopens_both_workspaces_exactly(window, qtbot, tmp_path):
    _set_up(window, qtbot)
    path = tmp_path / "mine.slope.json"
    assert window.save_session(str(path)), window.status.message.text()
    before = _snapshot(window, qtbot)
    assert before["view"] == (True, 2, 2, 3.5, True)
    # change everything: other presets in both workspaces, the other workspace shown
    window.load_preset_name("himmelblau-basins")
    window.load_preset_name("xor-needs-a-hidden-layer")
    window.show_space_of("descent")
    assert window.open_session(str(path)), window.status.message.text()
    _wait_for_first_frames(window, qtbot)
    after = _snapshot(window, qtbot)
    assert after["shown"] == "network"
    assert after["descent"] == before["descent"]
    assert after["descent"].view.arrows.velocity
    assert after["network_config"] == dataclasses.replace(
        before["network_config"], sample_index=window.network_space.controller.sample
    )
    assert after["network_config"].initial_weights == before["network_config"].initial_weights
    assert after["runs"] == before["runs"]
    assert after["view"] == before["view"]
    _same_frames(before["frames"], after["frames"])


def test_variants_switched_off_stay_off_and_come_back_on(window, qtbot, tmp_path):
    space = window.network_space
    window.load_preset_name("batch-vs-minibatch-vs-sgd")
    space.controls.variants.setChecked(False)
    assert len(space.controller.runs) == 1
    path = tmp_path / "off.slope.json"
    assert window.save_session(str(path))
    window.load_preset_name("xor-needs-a-hidden-layer")
    assert window.open_session(str(path))
    assert not space.controls.variants.isChecked() and len(space.controller.runs) == 1
    space.controls.variants.setChecked(True)
    assert [r.label for r in space.controller.runs] == ["base", "mini-batch 16", "stochastic"]
    _wait_for_first_frames(window, qtbot)


def test_a_refused_file_changes_nothing_and_says_why(window, qtbot, tmp_path):
    path = tmp_path / "s.slope.json"
    window.load_preset_name("zeros-init-symmetry")
    assert window.save_session(str(path))
    doc = json.loads(path.read_text())
    doc["network"]["config"]["lr"] = -1.0
    path.write_text(json.dumps(doc))
    window.load_preset_name("vanishing-gradients-deep-sigmoid")
    descent, network = window.controller.config, window.network_space.controller.config
    assert not window.open_session(str(path))
    assert window.controller.config is descent
    assert window.network_space.controller.config is network
    message = window.status.message.text()
    assert message.startswith("Cannot open the session: network: config: lr must be")
    _wait_for_first_frames(window, qtbot)


def test_an_older_descent_session_leaves_the_network_workspace_as_it_is(window, qtbot, tmp_path):
    from core.presets import save_preset

    path = tmp_path / "old.json"
    save_preset(load_preset("himmelblau-basins"), path)
    window.load_preset_name("zeros-init-symmetry")
    network = window.network_space.controller.config
    assert window.open_session(str(path))
    assert window.active.workspace == "descent"
    assert window.controller.config == load_preset("himmelblau-basins").config
    assert window.network_space.controller.config is network
    _wait_for_first_frames(window, qtbot)


def test_save_dialog_gives_a_bare_name_the_session_extension(window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    target = tmp_path / "lesson"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    window.save_dialog()
    assert load_session_file(tmp_path / "lesson.slope.json").network is not None


def test_command_line_session_opens_or_exits_2_with_one_line(tmp_path, capsys, qtbot):
    bad = tmp_path / "bad.slope.json"
    bad.write_text('{"format": "slope-session", "version": 9}')
    assert run_window(session=str(bad)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "version 9 cannot be opened" in err
    assert str(bad) in err
