"""The main window with the network workspace in front, shared by the window tests here."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QThreadPool

from gui.shell.main_window import MainWindow


@pytest.fixture
def window(qtbot):
    """A shown 1400 x 900 main window on the network workspace; closed after the test, its
    run stopped and the thread pool idle."""
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    w.show_space_of("network")
    yield w
    w.close()
    assert not w.network_space.worker.is_running()
    assert QThreadPool.globalInstance().waitForDone(2000)
