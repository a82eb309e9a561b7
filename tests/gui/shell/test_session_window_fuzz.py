"""Whatever network session the loader accepts, the window opens (runs, variants and view as
the file says); whatever it refuses, both workspaces keep what they showed.

The descent half of this idea is tests/gui/descent/test_descent_session_fuzz.py (it mutates the
descent part); here the descent part stays valid and the network part is mutated.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QThreadPool

from core.nn.activations import HIDDEN_ACTIVATIONS, INITS
from core.nn.datasets import DATASETS
from core.nn.presets import load_network_preset, network_preset_names
from core.optim.optimizers import OPTIMIZERS
from core.presets import load_preset
from core.session import NetworkSession, NetworkView, Session, load_session_file, session_to_dict
from gui.shell.main_window import MainWindow

NETWORK = network_preset_names()
EXTREMES = st.one_of(
    st.sampled_from([0, 1, -1, 2**31, 2**63, 10**12, 10**400, 1e308, -1e308, 1e-320]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.none(),
    st.booleans(),
    st.lists(st.integers(-3, 300), max_size=5),
)
# values a session may well hold, so that many mutated files are accepted
PLAUSIBLE = {
    "lr": st.floats(0, 5),
    "epochs": st.integers(1, 10_000_000),
    "seed": st.integers(0, 2**63 - 1),
    "data_seed": st.none() | st.integers(0, 2**31),
    "weight_seed": st.none() | st.integers(0, 2**31),
    "batch_size": st.integers(1, 64),
    "mode": st.sampled_from(["batch", "minibatch", "stochastic"]),
    "optimizer": st.sampled_from(list(OPTIMIZERS)),
    "init": st.sampled_from(list(INITS)),
    "activation": st.sampled_from(list(HIDDEN_ACTIVATIONS)),
    "dropout": st.floats(0, 0.9),
    "l1": st.floats(0, 1),
    "l2": st.floats(0, 1),
    "sample_index": st.none() | st.integers(0, 3),
    "name": st.sampled_from(list(DATASETS)),
    "n": st.integers(1, 400),
    "noise": st.none() | st.floats(0, 1),
    "variants_on": st.booleans(),
    "shown_run": st.integers(0, 3),
    "speed": st.none() | st.floats(0.1, 100_000),
    "step_through": st.booleans(),
    "label": st.text(min_size=1, max_size=10),
}
PATHS = (
    [
        ("config", key)
        for key in ("lr", "epochs", "seed", "data_seed", "weight_seed", "batch_size", "mode")
    ]
    + [
        ("config", key)
        for key in ("optimizer", "init", "activation", "dropout", "l1", "l2", "sample_index")
    ]
    + [
        ("config", "layers"),
        ("config", "initial_weights"),
        ("dataset", "name"),
        ("dataset", "n"),
        ("dataset", "noise"),
        ("view", "variants_on"),
        ("view", "shown_run"),
        ("view", "speed"),
        ("view", "step_through"),
        ("variants", 0, "label"),
        ("variants", 0, "config", "lr"),
        ("title",),
    ]
)


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
    name = data.draw(st.sampled_from(NETWORK), label="preset")
    preset = load_network_preset(name)
    view = NetworkView(True, len(preset.variants), None, False)
    doc = session_to_dict(
        Session("network", load_preset("saddle-escape"), NetworkSession(preset, view))
    )
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        path = data.draw(st.sampled_from(PATHS), label="path")
        target = doc["network"]
        for key in path[:-1]:
            if isinstance(target, dict) and key in target:
                target = target[key]
            elif isinstance(target, list) and isinstance(key, int) and key < len(target):
                target = target[key]
            else:
                break
        else:
            if isinstance(target, dict):
                plausible = data.draw(st.booleans(), label="plausible")
                values = PLAUSIBLE.get(path[-1], EXTREMES) if plausible else EXTREMES
                target[path[-1]] = data.draw(values, label="value")
    return doc


def _runs_expected(session: Session) -> int:
    part = session.network
    return 1 + len(part.preset.variants) if part.view.variants_on else 1


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_accepted_network_session_opens_and_every_refused_one_changes_nothing(
    window, qtbot, tmp_path_factory, data
):
    path = tmp_path_factory.mktemp("sessions") / "session.slope.json"
    path.write_text(json.dumps(_mutated(data)))
    space = window.network_space
    before = (window.controller.config, space.controller.config, space.controller.runs)
    try:
        session = load_session_file(path)
    except ValueError:
        event("refused")
        assert not window.open_session(str(path))
        after = (window.controller.config, space.controller.config, space.controller.runs)
        assert all(a is b for a, b in zip(after, before, strict=True))
        assert window.status.message.text().startswith("Cannot open the session: ")
        return
    event("accepted")
    assert window.open_session(str(path)), window.status.message.text()
    part = session.network
    assert space.controller.config == part.preset.config
    assert len(space.controller.runs) == _runs_expected(session)
    assert space.controls.variants.isChecked() == part.view.variants_on
    assert space.controller.selected == part.view.shown_run
    assert space.controller.speed == part.view.speed
    assert window.active.workspace == "network"
    qtbot.waitUntil(lambda: space.controller.shown is not None, timeout=20_000)
    assert space.worker.status != "error"
