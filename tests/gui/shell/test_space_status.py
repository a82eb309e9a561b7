"""The status bar is shared by the workspaces: it speaks of the one on screen."""

from __future__ import annotations

from gui.shell.main_window import MainWindow


def test_switching_spaces_shows_the_runs_and_state_of_the_space_on_screen(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show_space_of("descent")
    window.load_preset_name("lr-sweep-rosenbrock")
    descent = window.active.controller.runs_message()
    assert descent == "7 run(s) on Rosenbrock"
    window.show_space_of("network")
    network = window.active.controller.runs_message()
    assert "run(s) of [" in network
    assert window.status.message.text() == network != descent
    assert window.status.state_label.text() != ""
    window.show_space_of("descent")
    assert window.status.message.text() == descent
    window.close()
