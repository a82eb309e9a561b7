"""Whatever session file the loader accepts, the window opens; whatever it refuses, the
window keeps what it showed (issue: 15 of 26 accepted sessions once broke the window)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QThreadPool

from core.presets import PRESET_DIR, list_presets, load_preset_file
from gui.shell.main_window import MainWindow

DESCENT = [name for name, _, workspace in list_presets() if workspace == "descent"]
EXTREMES = st.one_of(
    st.integers(min_value=-(2**64), max_value=2**64),
    st.sampled_from([0, 1, -1, 2**31 - 1, 2**31, 10**12, 2**40, 4294967295]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 1e-308, 1e6, -1e6, 1e-9, 0.5]),
    st.text(max_size=8),
    st.none(),
    st.booleans(),
    st.lists(st.floats(min_value=-1e7, max_value=1e7), max_size=4),
)
# values a session may well hold: at and near the limits, so that many files are accepted
PLAUSIBLE = {
    "steps": st.sampled_from([0, 1, 10_000_000]) | st.integers(0, 10_000_000),
    "seed": st.sampled_from([0, 2**31 - 1]) | st.integers(0, 2**31 - 1),
    "seeds": st.integers(1, 1000),
    "learning_rates": st.lists(st.floats(0, 1000), min_size=1, max_size=5),
    "bounds": st.sampled_from(
        [[-1e6, 1e6, -1e6, 1e6], [0.0, 1e-9, 0.0, 1e-9], [999_999.0, 1e6, -1e6, -999_999.0]]
    ),
    "noise": st.floats(0, 100),
    "speed": st.sampled_from([1, 100_000, None]),
    "start_grid": st.integers(0, 30),
    "view3d": st.booleans(),
}
PATHS = [
    ("config", "steps"),
    ("config", "seed"),
    ("config", "seeds"),
    ("config", "learning_rates"),
    ("config", "bounds"),
    ("config", "surface"),
    ("config", "expr"),
    ("config", "noise"),
    ("config", "batch"),
    ("config", "surface_params"),
    ("config", "schedule"),
    ("view", "speed"),
    ("view", "start_grid"),
    ("view", "lr_mode"),
    ("view", "sweep"),
    ("view", "view3d"),
    ("title",),
]


@pytest.fixture
def window(qtbot):
    """One window for all of hypothesis's examples (a test function's fixture)."""
    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1024, 768)
    w.show()
    yield w
    w.close()
    assert QThreadPool.globalInstance().waitForDone(5000)


def _mutated(data) -> dict:
    name = data.draw(st.sampled_from(DESCENT), label="preset")
    doc = json.loads((PRESET_DIR / f"{name}.json").read_text())
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        path = data.draw(st.sampled_from(PATHS), label="path")
        target = doc
        for key in path[:-1]:
            target = target.setdefault(key, {})
        if isinstance(target, dict):
            values = PLAUSIBLE.get(path[-1], EXTREMES) if data.draw(st.booleans()) else EXTREMES
            target[path[-1]] = data.draw(values, label="value")
    return doc


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_accepted_session_opens_and_every_refused_one_changes_nothing(
    window, qtbot, tmp_path_factory, data
):
    path = tmp_path_factory.mktemp("sessions") / "session.slope.json"
    path.write_text(json.dumps(_mutated(data)))
    before = window.controller.config
    try:
        preset = load_preset_file(path)
    except ValueError:
        event("refused")
        assert not window.open_session(str(path))
        assert window.controller.config is before
        assert "Cannot open the session" in window.status.message.text()
        return
    event("accepted")
    assert window.open_session(str(path)), window.status.message.text()
    assert window.controller.config == preset.config
    assert window.controls.config() == preset.config
    qtbot.waitUntil(lambda: window.grid_ready, timeout=20_000)
    qtbot.waitUntil(lambda: window.worker.latest is not None, timeout=20_000)
    assert window.worker.status != "error"
