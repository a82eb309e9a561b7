"""Shared test set-up: offscreen Qt, and nothing left running after a test.

The leak check runs after pytest-qt has closed the widgets a test gave ``qtbot.addWidget``
(pytest-qt closes them in its ``pytest_runtest_teardown`` wrapper, before fixture
finalizers run), flushes their ``deleteLater`` and the garbage collector, and then fails
the test if any of these is still alive:

- a running ``QThread`` (found through ``gc.get_objects()``: every ``QThread`` made from
  Python, ours or superqt's, has a Python wrapper the collector tracks);
- a job still running in ``QThreadPool.globalInstance()`` or in any other live pool;
- an active ``QTimer`` (a repeating one keeps calling into objects the test is done with;
  a pending single shot fires in the middle of the next test);
- a Python thread.

Only what the test started counts: what was already running when it began (application-
wide objects made by an earlier test) is left to the test that made it.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
import weakref

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

GRACE_S = 1.0  # a thread or pool job told to stop may take this long to finish

# Application-wide timers that are not a test's to stop, by objectName. Empty today:
# neither Qt's internals (they use QObject::startTimer, not QTimer objects with Python
# wrappers) nor pyqtgraph's module-level objects leave a QTimer running after a test.
ALLOWED_TIMERS: frozenset[str] = frozenset()


def _qt_app():
    """The running QCoreApplication, or None when this test process never loaded Qt."""
    if "PySide6.QtCore" not in sys.modules:
        return None  # a core-only run: importing Qt just to look would be a side effect
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.instance()


def _flush_qt(app) -> None:
    """Run pending ``deleteLater`` calls and collect garbage, twice: deleting a widget can
    free Python objects whose own QObjects are then scheduled for deletion.

    No ``processEvents`` here: it would fire due timers, and a pending single shot is
    one of the leaks to report (pytest-qt has processed the other events already).
    """
    from PySide6.QtCore import QEvent

    for _ in range(2):
        # outside an event loop nothing else delivers DeferredDelete events
        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()


def _alive(objects_of_type: type, is_alive) -> list:
    """Python-wrapped Qt objects of ``objects_of_type`` whose C++ side exists and is alive."""
    import shiboken6

    return [
        o
        for o in gc.get_objects()
        if isinstance(o, objects_of_type) and shiboken6.isValid(o) and is_alive(o)
    ]


def _running_qthreads(app) -> list:
    from PySide6.QtCore import QThread

    main = app.thread()
    return _alive(QThread, lambda t: t is not main and t.isRunning())


def _active_timers() -> list:
    from PySide6.QtCore import QTimer

    return _alive(QTimer, lambda t: t.isActive() and t.objectName() not in ALLOWED_TIMERS)


def _busy_pools() -> list:
    from PySide6.QtCore import QThreadPool

    pools = _alive(QThreadPool, lambda p: p.activeThreadCount() > 0)
    glob = QThreadPool.globalInstance()
    if glob.activeThreadCount() > 0 and all(p is not glob for p in pools):
        pools.append(glob)
    return pools


def _owners(obj) -> str:
    """``obj``'s parent chain, nearest first: which widget a leaked object belongs to."""
    names, parent = [], obj.parent()
    while parent is not None and len(names) < 6:
        label = type(parent).__name__ + (
            f"({parent.objectName()!r})" if parent.objectName() else ""
        )
        names.append(label)
        parent = parent.parent()
    return " < ".join(names) if names else "no parent"


def _describe(kind: str, obj) -> str:
    from PySide6.QtCore import QThreadPool

    name = f" {obj.objectName()!r}" if obj.objectName() else ""
    if kind == "timer":
        shot = "single-shot" if obj.isSingleShot() else "repeating"
        return (
            f"QTimer{name} ({shot}, every {obj.interval()} ms) still active, "
            f"owned by {_owners(obj)}"
        )
    if kind == "qthread":
        return f"QThread {type(obj).__name__}{name} still running, owned by {_owners(obj)}"
    if obj is QThreadPool.globalInstance():
        return f"QThreadPool.globalInstance() has {obj.activeThreadCount()} job(s) still running"
    return (
        f"QThreadPool{name} has {obj.activeThreadCount()} job(s) still running, "
        f"owned by {_owners(obj)}"
    )


class LeakCheck:
    """What was running when a test began, and what it left running at the end.

    ``LeakCheck()`` takes the snapshot; ``leaks()`` names each thread, pool job and timer
    started since that is still alive; ``stop_leaks()`` stops them so that one test's
    leak does not spill into the next.
    """

    def __init__(self) -> None:
        self.app = _qt_app()
        self.threads = set(threading.enumerate())
        self.qt_before: weakref.WeakSet = weakref.WeakSet()
        if self.app is not None:
            self.qt_before.update(_running_qthreads(self.app) + _active_timers())
        self.found: dict[str, list] = {}

    def leaks(self, grace_s: float = GRACE_S) -> list[str]:
        """One line per leaked object; threads and pool jobs get ``grace_s`` to finish."""
        app = self.app if self.app is not None else _qt_app()
        found: dict[str, list] = {"timer": [], "qthread": [], "pool": [], "thread": []}
        if app is not None:
            _flush_qt(app)
            # timers first and without grace: a pending single shot must not fire here
            found["timer"] = [t for t in _active_timers() if t not in self.qt_before]
        deadline = time.monotonic() + grace_s
        while True:
            if app is not None:
                found["qthread"] = [t for t in _running_qthreads(app) if t not in self.qt_before]
                found["pool"] = _busy_pools()
            found["thread"] = self._new_python_threads()
            if not any(found[k] for k in ("qthread", "pool", "thread")):
                break
            if time.monotonic() >= deadline:
                break
            time.sleep(0.02)
            if app is not None:
                app.processEvents()  # a finishing worker posts its last signals here
        self.found, self.app = found, app
        lines = [_describe(kind, o) for kind in ("qthread", "pool", "timer") for o in found[kind]]
        lines += [
            f"Python thread {t.name!r} ({type(t).__name__}) still running" for t in found["thread"]
        ]
        return lines

    def stop_leaks(self, timeout_ms: int = 5000) -> None:
        """Stop what ``leaks()`` found, as far as it can be stopped from outside."""
        for timer in self.found.get("timer", []):
            if timer.thread() is self.app.thread():  # a timer stops only from its own thread
                timer.stop()
        for thread in self.found.get("qthread", []):
            thread.requestInterruption()
            thread.quit()
            thread.wait(timeout_ms)
        for pool in self.found.get("pool", []):
            pool.clear()
            pool.waitForDone(timeout_ms)

    def _new_python_threads(self) -> list[threading.Thread]:
        # _DummyThread: a QThread that touched the threading module; reported as a QThread
        return [
            t
            for t in threading.enumerate()
            if t not in self.threads and t.is_alive() and not isinstance(t, threading._DummyThread)
        ]


@pytest.fixture
def leak_check():
    """``LeakCheck`` itself, for tests of the check (``tests/gui/shell/test_leak_fixture.py``)."""
    return LeakCheck


@pytest.fixture(autouse=True)
def _nothing_left_running():
    """Fail a test that leaves a QThread, a pool job, a QTimer or a Python thread running
    (workers must be quit and waited for; timers stopped or deleted with their widget)."""
    check = LeakCheck()
    yield
    leaked = check.leaks()
    if leaked:
        check.stop_leaks()
        pytest.fail("left running after the test:\n  " + "\n  ".join(leaked), pytrace=False)
