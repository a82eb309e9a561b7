"""File → Export of data from the window: the commands' CSV formats, weights, the PyTorch
script; a name without an extension gets one; a failure is reported and writes nothing."""

from __future__ import annotations

import ast
import io
import os
from types import SimpleNamespace
from unittest.mock import MagicMock

import numpy as np
import pytest
from PySide6.QtCore import QThreadPool

from core.commands.csv_out import write_log
from core.commands.trace import write_trace_csv
from core.descent.engine import DescentConfig, OptimizerSpec
from core.descent.trajectories import descend_config
from core.nn.torch_script import torch_script
from core.nn.training import train
from core.nn.weights_file import load_weights
from gui.shell.data_export import DATA_EXPORTS, run_export, with_extension
from gui.shell.main_window import MainWindow

DESCENT = DescentConfig(
    surface="rosenbrock",
    optimizers=(OptimizerSpec("gd"), OptimizerSpec("adam")),
    learning_rates=(0.001, 0.5),  # gd at 0.5 diverges: its rows end at its last finite step
    starts=((-1.5, 2.0),),
    steps=40,
)


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    yield w
    w.close()
    assert not w.worker.is_running() and not w.network_space.worker.is_running()
    assert QThreadPool.globalInstance().waitForDone(2000)


def _finished_descent(w: MainWindow, qtbot):
    w.controller.apply_config(DESCENT, playing=True)
    qtbot.waitUntil(
        lambda: w.controller.shown is not None and w.controller.shown.frame.step == 40,
        timeout=20_000,
    )
    return w.controller


def _trained_network(w: MainWindow, qtbot, preset: str = "backprop-by-hand"):
    w.show_space_of("network")
    w.load_preset_name(preset)
    space = w.network_space
    qtbot.waitUntil(lambda: space.controller.shown is not None, timeout=10_000)
    space.controller.play()
    qtbot.waitUntil(lambda: space.worker.status == "finished", timeout=60_000)
    qtbot.waitUntil(lambda: space.up_to_date, timeout=5_000)
    return space.controller


def test_a_name_without_extension_gets_the_formats_own():
    assert with_extension("/tmp/run", ".csv").name == "run.csv"
    assert with_extension("/tmp/run.txt", ".csv").name == "run.txt"  # the user's choice
    assert with_extension("/tmp/w", ".npz").name == "w.npz"


def test_file_menu_offers_the_four_data_exports(window):
    file_action = window.menuBar().actions()[0]  # kept: the menu's wrapper lives through it
    assert file_action.text() == "&File"
    files = file_action.menu()
    texts = [a.text() for a in files.actions()]
    for export in DATA_EXPORTS.values():
        assert export.text in texts


def test_trajectories_csv_equals_the_trace_commands(window, qtbot, tmp_path):
    controller = _finished_descent(window, qtbot)
    written = run_export(window, "trajectories", tmp_path / "paths")
    assert written == tmp_path / "paths.csv"
    expected = io.StringIO()
    write_trace_csv(descend_config(DESCENT), ["gd", "adam"], expected)
    assert written.read_text(encoding="utf-8") == expected.getvalue()
    assert "Exported the trajectories" in window.status.message.text()
    assert controller.shown.history.diverged_at[1] > 0  # the stopped run was covered


def test_network_exports_log_weights_and_script(window, qtbot, tmp_path):
    controller = _trained_network(window, qtbot)
    run = controller.runs[controller.selected]
    frames = list(train(run.config, run.dataset))

    log = run_export(window, "training_log", tmp_path / "log")
    expected = io.StringIO()
    write_log(iter(frames), False, expected, 2)
    assert log.read_text(encoding="utf-8") == expected.getvalue()

    weights = load_weights(run_export(window, "weights", tmp_path / "w"))
    assert sorted(weights) == ["W0", "W1", "b0", "b1"]
    assert weights["W0"][0, 0] == pytest.approx(0.149780716, abs=1e-9)  # Mazur's w1 after
    assert weights["W1"][0, 0] == pytest.approx(0.35891648, abs=1e-8)  # ... and w5
    np.testing.assert_array_equal(weights["b0"], [0.35, 0.35])  # fixed biases

    script = run_export(window, "torch_script", tmp_path / "carry_on")
    assert script.name == "carry_on.py"
    text = script.read_text(encoding="utf-8")
    assert text == torch_script(run.config, run.dataset)
    ast.parse(text)
    assert sorted(os.listdir(tmp_path)) == ["carry_on.py", "log.csv", "w.npz"]


def test_a_folder_that_does_not_exist_is_reported_and_nothing_is_written(window, qtbot, tmp_path):
    _finished_descent(window, qtbot)
    missing = tmp_path / "gone" / "paths.csv"
    assert run_export(window, "trajectories", missing) is None
    message = window.status.message.text()
    assert message.startswith("Cannot write the trajectories") and "\n" not in message
    assert not missing.parent.exists() and os.listdir(tmp_path) == []


def test_a_script_that_cannot_be_written_leaves_the_old_file(window, qtbot, tmp_path, monkeypatch):
    _trained_network(window, qtbot)
    target = tmp_path / "carry_on.py"
    target.write_text("# the learner's own edits\n", encoding="utf-8")
    monkeypatch.setattr("core.nn.torch_script.MAX_LITERALS", 1)
    assert run_export(window, "torch_script", target) is None
    assert "Cannot export the PyTorch script: data:" in window.status.message.text()
    assert target.read_text(encoding="utf-8") == "# the learner's own edits\n"
    assert os.listdir(tmp_path) == ["carry_on.py"]


def _empty_window():
    """A window whose workspaces have shown nothing yet."""
    descent = SimpleNamespace(shown=None, config=None, runs=None)
    network = SimpleNamespace(runs=[], selected=0, shown=None)
    return SimpleNamespace(
        descent_space=SimpleNamespace(controller=descent),
        network_space=SimpleNamespace(controller=network),
        status=MagicMock(),
    )


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("trajectories", "there is no descent run on screen yet"),
        ("training_log", "there is no network on screen yet"),
        ("weights", "there is no network on screen yet"),
        ("torch_script", "there is no network on screen yet"),
    ],
)
def test_nothing_to_export_says_so_and_writes_nothing(tmp_path, key, reason):
    w = _empty_window()
    assert run_export(w, key, tmp_path / "out") is None
    w.status.show_error.assert_called_once()
    assert w.status.show_error.call_args.args[0].endswith(reason)
    assert os.listdir(tmp_path) == []
