"""Start the window: ``run_window`` is what ``python main.py [--preset ...]`` calls."""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from core.nn.presets import load_network_preset
from core.presets import list_presets, load_preset
from core.session import load_session_file
from gui.shell import theme

WINDOW_SIZE = (1600, 960)
GRID_WAIT_S = 10.0  # longest wait for the landscape before a screenshot is taken anyway
DEFAULT_PRESET = "lr-sweep-rosenbrock"


def _application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Slope")
    theme.apply_theme(app)
    return app


def _wait_until(app: QApplication, condition, timeout_s: float) -> None:
    """Process events until ``condition()`` holds or ``timeout_s`` passed."""
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


def _run_then_capture(app, window, run_for: float | None, screenshot: str | None) -> int:
    """Play ``run_for`` seconds (if given), save the screenshot (if asked), close."""
    loop = QEventLoop()
    QTimer.singleShot(int((run_for or 0.0) * 1000), loop.quit)
    loop.exec()
    # the landscape, then its resampling to the visible range (the filled picture)
    _wait_until(app, window.is_settled, GRID_WAIT_S)
    window.pause()
    _wait_until(app, lambda: False, 0.1)  # the paused state on its way
    _wait_until(app, lambda: window.up_to_date, 2.0)
    _wait_until(app, lambda: False, 0.05)  # and painted
    code = 0
    if screenshot:
        if not window.grab().save(screenshot):
            print(f"slope: could not write the screenshot {screenshot}", file=sys.stderr)
            code = 1
    window.close()
    window.deleteLater()  # the closed window's memory goes with it
    return code


def _read_session(path: str):
    """A saved session (`core.session.Session`: both workspaces, or an older file of one),
    or ValueError with one line naming the file and the problem."""
    try:
        return load_session_file(path)
    except ValueError as exc:
        raise ValueError(f"cannot open the session {path}: {exc}") from None


def run_window(
    preset: str | None = None,
    run_for: float | None = None,
    screenshot: str | None = None,
    session: str | None = None,
) -> int:
    """Open the window with ``preset`` (default: the learning-rate sweep) or a saved
    ``session`` file; optionally play ``run_for`` seconds and save ``screenshot``.

    With ``run_for`` or ``screenshot`` the window closes by itself afterwards; otherwise
    this returns when the user closes it. Returns the exit code (2 for a bad preset).
    """
    if run_for is not None and not run_for >= 0:
        print(f"slope: --run-for must be >= 0 seconds, got {run_for}", file=sys.stderr)
        return 2
    name = DEFAULT_PRESET if preset is None else preset
    workspace = {n: w for n, _, w in list_presets()}.get(name, "descent")
    try:  # without a preset the window opens on the first idea a learner should see
        if session is not None:
            workspace, loaded = "descent", _read_session(session)
        elif workspace == "network":
            loaded = load_network_preset(name)
        else:
            loaded = load_preset(name)
    except ValueError as exc:
        print(f"slope: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    app = _application()
    from gui.shell.main_window import MainWindow  # after the QApplication exists

    window = MainWindow()
    window.resize(*WINDOW_SIZE)
    if session is not None:
        window.apply_session(loaded)
    elif workspace == "network":
        window.show_space_of("network")
        window.network_space.load_preset(loaded)
    else:
        window.load_preset(loaded)
    if run_for is None and screenshot is None:  # pictures stay reproducible: no settings
        from gui.shell.settings import user_settings
        from gui.shell.window_memory import attach

        attach(window, user_settings(), restore_session=preset is None and session is None)
    window.show()
    app.aboutToQuit.connect(window.shutdown)
    if run_for is None and screenshot is None:
        return app.exec()
    if run_for:
        window.play()
    return _run_then_capture(app, window, run_for, screenshot)
