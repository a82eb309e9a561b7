"""The leak check in ``tests/conftest.py`` sees each kind of leak it guards against.

In-process tests call ``LeakCheck`` directly (through the ``leak_check`` fixture) and
clean up after themselves; one subprocess run of a small test file proves that the
autouse fixture fails exactly the tests that leak, after pytest-qt closed their widgets.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import shiboken6
from PySide6.QtCore import QRunnable, QThread, QThreadPool, QTimer
from PySide6.QtWidgets import QWidget

GRACE_S = 0.05  # in-process checks need not wait: these leaks never end on their own


def test_a_running_qthread_is_reported_by_class_name(qapp, leak_check):
    class SolverThread(QThread):
        def run(self) -> None:
            self.exec()  # an event loop that runs until quit()

    check = leak_check()
    thread = SolverThread()
    thread.start()
    try:
        leaks = check.leaks(grace_s=GRACE_S)
        assert any("QThread SolverThread" in line and "running" in line for line in leaks)
    finally:
        thread.quit()
        assert thread.wait(5000)
    assert check.leaks(grace_s=GRACE_S) == []  # quit and waited for: nothing to report


def test_a_job_still_running_in_the_global_pool_is_reported(qapp, leak_check):
    release = threading.Event()
    started = threading.Event()

    def job() -> None:
        started.set()
        release.wait(10)

    check = leak_check()
    pool = QThreadPool.globalInstance()
    pool.start(QRunnable.create(job))
    try:
        assert started.wait(5)
        leaks = check.leaks(grace_s=GRACE_S)
        assert "QThreadPool.globalInstance() has 1 job(s) still running" in leaks
    finally:
        release.set()
        assert pool.waitForDone(5000)
    assert check.leaks(grace_s=GRACE_S) == []


def test_a_busy_private_pool_is_reported_with_its_owner(qapp, leak_check):
    release = threading.Event()
    owner = QWidget()
    owner.setObjectName("landscape")
    pool = QThreadPool(owner)
    pool.setMaxThreadCount(1)
    check = leak_check()
    pool.start(QRunnable.create(lambda: release.wait(10)))
    pool.start(QRunnable.create(lambda: None))  # pending behind the first
    try:
        leaks = check.leaks(grace_s=GRACE_S)
        assert any(
            line.startswith("QThreadPool has 1 job(s)") and "QWidget('landscape')" in line
            for line in leaks
        )
    finally:
        release.set()
        assert pool.waitForDone(5000)


def test_an_active_timer_is_reported_with_interval_and_owner(qapp, leak_check):
    check = leak_check()
    owner = QWidget()
    owner.setObjectName("status")
    timer = QTimer(owner, interval=500)
    timer.start()
    leaks = check.leaks(grace_s=GRACE_S)
    assert leaks == ["QTimer (repeating, every 500 ms) still active, owned by QWidget('status')"]
    timer.stop()
    assert check.leaks(grace_s=GRACE_S) == []


def test_a_pending_single_shot_is_reported_and_does_not_fire_during_the_check(qapp, leak_check):
    fired = []
    check = leak_check()
    timer = QTimer(singleShot=True, interval=0)
    timer.timeout.connect(lambda: fired.append(True))
    timer.start()
    leaks = check.leaks(grace_s=GRACE_S)
    assert leaks == ["QTimer (single-shot, every 0 ms) still active, owned by no parent"]
    assert fired == []
    timer.stop()


def test_a_timer_deleted_with_its_widget_is_not_a_leak(qapp, leak_check):
    check = leak_check()
    widget = QWidget()
    QTimer(widget, interval=10).start()
    widget.close()
    widget.deleteLater()  # what pytest-qt does with a widget given to qtbot.addWidget
    assert check.leaks(grace_s=GRACE_S) == []
    assert not shiboken6.isValid(widget)  # the check ran the deferred delete first


def test_timers_active_before_the_test_began_are_not_its_leak(qapp, leak_check):
    app_wide = QTimer(interval=1000)
    app_wide.start()
    try:
        check = leak_check()
        assert check.leaks(grace_s=GRACE_S) == []
    finally:
        app_wide.stop()


def test_a_python_thread_is_reported_by_name(leak_check):
    release = threading.Event()
    check = leak_check()
    thread = threading.Thread(target=release.wait, args=(10,), name="exporter", daemon=True)
    thread.start()
    try:
        leaks = check.leaks(grace_s=GRACE_S)
        assert "Python thread 'exporter' (Thread) still running" in leaks
    finally:
        release.set()
        thread.join(5)


def test_stop_leaks_stops_a_leaked_timer_and_thread(qapp, leak_check):
    check = leak_check()
    timer = QTimer(interval=100)
    timer.start()
    thread = QThread()
    thread.start()
    assert len(check.leaks(grace_s=GRACE_S)) == 2
    check.stop_leaks()
    assert not timer.isActive() and thread.isFinished()


LEAKY_TESTS = """
import threading
import time

from PySide6.QtCore import QRunnable, QThread, QThreadPool, QTimer
from PySide6.QtWidgets import QWidget

kept = []


def test_clean_widget_with_a_running_timer(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)  # closed and deleted by pytest-qt: its timer goes with it
    QTimer(widget, interval=50).start()


def test_leaves_a_qthread(qapp):
    thread = QThread()
    thread.start()
    kept.append(thread)


def test_leaves_a_pool_job(qapp):
    QThreadPool.globalInstance().start(QRunnable.create(lambda: time.sleep(3)))


def test_leaves_a_timer(qtbot):
    widget = QWidget()
    widget.setObjectName("not_given_to_qtbot")
    QTimer(widget, interval=50).start()
    kept.append(widget)


def test_leaves_a_python_thread():
    release = threading.Event()
    kept.append(release)
    threading.Thread(target=release.wait, args=(3,), name="leaky").start()


def test_after_the_leaks_nothing_spills_over(qtbot):
    assert not kept[0].isRunning()  # the fixture stopped the leaked thread
    assert not kept[1].findChild(QTimer).isActive()
"""


def test_the_autouse_fixture_fails_exactly_the_tests_that_leak(tmp_path):
    conftest = Path(__file__).resolve().parents[2] / "conftest.py"
    (tmp_path / "conftest.py").write_text(conftest.read_text())
    (tmp_path / "test_leaky.py").write_text(LEAKY_TESTS)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rA", "test_leaky.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = result.stdout
    assert "6 passed, 4 errors" in out, out
    errors = {line for line in out.splitlines() if line.startswith("ERROR test_leaky.py::")}
    assert {e.split("::")[1].split(" ")[0] for e in errors} == {
        "test_leaves_a_qthread",
        "test_leaves_a_pool_job",
        "test_leaves_a_timer",
        "test_leaves_a_python_thread",
    }
    assert "QThread QThread still running, owned by no parent" in out
    assert "QThreadPool.globalInstance() has 1 job(s) still running" in out
    assert "owned by QWidget('not_given_to_qtbot')" in out
    assert "Python thread 'leaky' (Thread) still running" in out
