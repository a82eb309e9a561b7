"""Shared test set-up: offscreen Qt, and no thread or timer left behind."""

from __future__ import annotations

import os
import threading

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _no_leftover_threads():
    """Fail a test that leaves a Python thread running (workers must be quit and joined)."""
    before = set(threading.enumerate())
    yield
    leftover = [
        t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon
    ]
    assert not leftover, f"threads left running: {leftover}"
