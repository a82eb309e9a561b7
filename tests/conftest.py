"""Shared test set-up: offscreen Qt, and nothing left running after a test.

The leak check runs after pytest-qt has closed the widgets a test gave ``qtbot.addWidget``
(pytest-qt closes them in its ``pytest_runtest_teardown`` wrapper, before fixture
finalizers run), delivers their ``deleteLater`` (and, before blaming a test, collects
garbage that might hold the rest), and then fails the test if any of these is alive:

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


def _flush_deletes(app) -> None:
    """Run pending ``deleteLater`` calls (outside an event loop nothing else delivers them).

    No ``processEvents`` here: it would fire due timers, and a pending single shot is
    one of the leaks to report (pytest-qt has processed the other events already).
    """
    from PySide6.QtCore import QEvent

    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


_KIND_OF_TYPE: dict[type, str | None] = {}  # isinstance on Qt wrapper types is slow


def _kind_of_type(cls: type) -> str | None:
    from PySide6.QtCore import QThread, QThreadPool, QTimer

    kinds = (("timer", QTimer), ("qthread", QThread), ("pool", QThreadPool))
    kind = next((name for name, qt_type in kinds if issubclass(cls, qt_type)), None)
    _KIND_OF_TYPE[cls] = kind
    return kind


def _qt_running(app) -> dict[str, list]:
    """Active QTimers, running QThreads and busy QThreadPools that have a Python wrapper
    (every one made from Python has), in one pass over the collector's objects."""
    import shiboken6
    from PySide6.QtCore import QThreadPool

    found: dict[str, list] = {"timer": [], "qthread": [], "pool": []}
    kind_of, unseen = _KIND_OF_TYPE.get, object()
    for obj in gc.get_objects():  # ~10 ms for 100,000 objects: a dict lookup each
        try:
            kind = kind_of(type(obj), unseen)
        except TypeError:  # a type made unhashable by its metaclass: not a Qt wrapper
            continue
        if kind is None:
            continue
        if kind is unseen:
            kind = _kind_of_type(type(obj))
        if kind is not None and shiboken6.isValid(obj):
            found[kind].append(obj)
    main = app.thread()
    found["timer"] = [
        t for t in found["timer"] if t.isActive() and t.objectName() not in ALLOWED_TIMERS
    ]
    found["qthread"] = [t for t in found["qthread"] if t is not main and t.isRunning()]
    found["pool"] = [p for p in found["pool"] if p.activeThreadCount() > 0]
    glob = QThreadPool.globalInstance()
    if glob.activeThreadCount() > 0 and all(p is not glob for p in found["pool"]):
        found["pool"].append(glob)
    return found


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
            running = _qt_running(self.app)
            self.qt_before.update(running["timer"] + running["qthread"])
        self.found: dict[str, list] = {}

    def leaks(self, grace_s: float = GRACE_S) -> list[str]:
        """One line per leaked object; threads and pool jobs get ``grace_s`` to finish."""
        self.app = self.app if self.app is not None else _qt_app()
        found = self._find()
        if any(found.values()) and self.app is not None:
            gc.collect()  # only garbage holding them? (a full collection costs ~0.2 s)
            found = self._find()
        deadline = time.monotonic() + grace_s
        while any(found[k] for k in ("qthread", "pool", "thread")):
            if time.monotonic() >= deadline:
                break
            time.sleep(0.02)
            if self.app is not None:
                self.app.processEvents()  # a finishing worker posts its last signals here
            # timers keep their first reading: a pending single shot may fire meanwhile
            found = {**self._find(), "timer": found["timer"]}
        self.found = found
        lines = [_describe(kind, o) for kind in ("qthread", "pool", "timer") for o in found[kind]]
        lines += [
            f"Python thread {t.name!r} ({type(t).__name__}) still running" for t in found["thread"]
        ]
        return lines

    def _find(self) -> dict[str, list]:
        found: dict[str, list] = {"timer": [], "qthread": [], "pool": []}
        if self.app is not None:
            _flush_deletes(self.app)
            found = _qt_running(self.app)
            for kind in ("timer", "qthread"):
                found[kind] = [o for o in found[kind] if o not in self.qt_before]
        found["thread"] = self._new_python_threads()
        return found

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
