"""Fuzzing the session loader: any document or file either loads into a session that saves
back equal, or is refused with a one-line ValueError; nothing else, and nothing is run.

"Nothing is run" is watched with an audit hook (PEP 578): while the loader works, no code
object may be executed or evaluated, no process started, no pickle read.
"""

from __future__ import annotations

import contextlib
import json
import math
import sys

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from core.nn.presets import load_network_preset, network_preset_names
from core.presets import load_preset, preset_names
from core.session import (
    NetworkSession,
    NetworkView,
    Session,
    load_session_file,
    session_from_dict,
    session_to_dict,
)

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FORBIDDEN = ("exec", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork")
FORBIDDEN += ("subprocess.Popen", "pickle.find_class", "marshal.loads", "ctypes.dlopen")
_watching: list[list[str]] = []


def _audit(name: str, _args) -> None:
    if _watching and name.startswith(FORBIDDEN):
        _watching[-1].append(name)


sys.addaudithook(_audit)  # hooks cannot be removed: this one only records while watched


def _base_documents() -> list[dict]:
    """Saved sessions of every network preset (each with a descent preset beside it)."""
    descent = preset_names()
    docs = []
    for k, name in enumerate(network_preset_names()):
        preset = load_network_preset(name)
        view = NetworkView(bool(k % 2), len(preset.variants) if k % 2 else 0, 1.0 + k, True)
        part = NetworkSession(preset, view)
        session = Session("network", load_preset(descent[k % len(descent)]), part)
        docs.append(session_to_dict(session))
    return docs


BASES = _base_documents()
BASE_TEXT = [json.dumps(doc, indent=2) for doc in BASES]

NASTY = st.sampled_from(
    [0, -1, 1, 2, 3, 7, 2**31 - 1, 2**31, 2**63, 10**12, 10**400, 1e308, -1e308, math.inf,
     -math.inf, math.nan, 1e-320, -0.0, 0.5, 1e6, "", "abc", "1e3", "\ud800", "x**2 + y**2",
     "__import__('os').system('echo hacked')", "moons", "arrays", "relu", "adam", None, True,
     False, [], {}, [1, 2], [2, 1000000, 1], [[0.1, 0.2]], [[1e308, -1e308]], {"x": 1}]
)  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    NASTY,
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=12,
)


def _paths(value, prefix=()) -> list[tuple]:
    """Every place inside a document: objects' keys and lists' items, to depth 6."""
    found = [prefix] if prefix else []
    if len(prefix) < 6 and isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif len(prefix) < 6 and isinstance(value, list):
        for index, item in enumerate(value[:3]):
            found += _paths(item, (*prefix, index))
    return found


PATHS = [sorted({p for p in _paths(doc)}, key=repr) for doc in BASES]


@contextlib.contextmanager
def _watched():
    """Fail if code is executed, a process started or a pickle read inside the block."""
    _watching.append([])
    try:
        yield
    finally:
        ran = _watching.pop()
        assert not ran, f"the loader ran something: {ran}"


def _loads_or_refuses(load, *args):
    """Run the loader watching for execution; the Session, or None when it refused."""
    with _watched():
        try:
            return load(*args)
        except ValueError as exc:
            message = str(exc)
            assert message and "\n" not in message and len(message) <= 300, message
            event("refused")
            return None


def _check_accepted(session: Session) -> None:
    """An accepted session saves back to an equal one and its runs can be built."""
    event("accepted")
    if session.descent is None or session.network is None:
        return  # an older one-workspace file: it opens, it is not written back as is
    again = session_from_dict(json.loads(json.dumps(session_to_dict(session), allow_nan=False)))
    assert again == session
    for _, config in session.network.preset.runs():
        config.validate()
        assert config.data is not None


def _place(doc: dict, path: tuple):
    """The container ``path[-1]`` is in, or None when earlier edits removed the way there."""
    target = doc
    for key in path[:-1]:
        if isinstance(target, dict) and key in target:
            target = target[key]
        elif isinstance(target, list) and isinstance(key, int) and key < len(target):
            target = target[key]
        else:
            return None
    fits = isinstance(target, dict) or (
        isinstance(target, list) and isinstance(path[-1], int) and path[-1] < len(target)
    )
    return target if fits else None


def _mutate(data, doc: dict, paths: list[tuple]) -> dict:
    doc = json.loads(json.dumps(doc))
    for _ in range(data.draw(st.integers(1, 3), label="edits")):
        path = data.draw(st.sampled_from(paths), label="path")
        target = _place(doc, path)
        if target is None:
            continue
        action = data.draw(st.sampled_from(["set", "set", "delete", "add"]), label="action")
        if action == "set":
            target[path[-1]] = data.draw(NASTY | SCALARS | DOCUMENTS, label="value")
        elif action == "delete" and isinstance(target, dict):
            target.pop(path[-1], None)
        elif action == "add" and isinstance(target, dict):
            target[data.draw(st.text(max_size=6), label="key")] = 1
    return doc


@FUZZ
@given(data=st.data())
def test_mutated_sessions_load_equal_or_are_refused_in_one_line(data):
    k = data.draw(st.integers(0, len(BASES) - 1), label="base")
    doc = _mutate(data, BASES[k], PATHS[k])
    session = _loads_or_refuses(session_from_dict, doc)
    if session is not None:
        _check_accepted(session)


@FUZZ
@given(doc=DOCUMENTS)
def test_any_json_value_is_refused_in_one_line_or_loads(doc):
    session = _loads_or_refuses(session_from_dict, doc)
    if session is not None:
        _check_accepted(session)


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_damaged_files_are_refused_in_one_line(tmp_path_factory, data):
    k = data.draw(st.integers(0, len(BASE_TEXT) - 1), label="base")
    text = BASE_TEXT[k].encode()
    kind = data.draw(st.sampled_from(["truncated", "garbage", "flipped", "spliced"]))
    if kind == "truncated":
        raw = text[: data.draw(st.integers(0, len(text) - 1))]
    elif kind == "garbage":
        raw = data.draw(st.binary(max_size=4096))
    elif kind == "flipped":
        at = data.draw(st.integers(0, len(text) - 1))
        raw = text[:at] + bytes([data.draw(st.integers(0, 255))]) + text[at + 1 :]
    else:
        at = data.draw(st.integers(0, len(text)))
        raw = text[:at] + data.draw(st.binary(min_size=1, max_size=64)) + text[at:]
    path = tmp_path_factory.mktemp("damaged") / "s.slope.json"
    path.write_bytes(raw)
    session = _loads_or_refuses(load_session_file, path)
    if session is not None:
        _check_accepted(session)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\xff" * 600_000, "larger than 1000000 bytes"),
        (b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, "nested more than 16 levels"),
        (b"[" * 17 + b"]" * 17, "nested more than 16 levels"),
        (b"9" * 900_000, "an integer of 900000 digits"),
        (b'"' + b"x" * 900_000 + b'"', "a session must be a JSON object"),
        (b"NaN", "a session must be a JSON object"),
    ],
)
def test_megabytes_of_garbage_are_refused_in_one_line(tmp_path, content, message):
    path = tmp_path / "s.slope.json"
    path.write_bytes(content)
    with _watched(), pytest.raises(ValueError, match=message):
        load_session_file(path)


def test_the_audit_hook_sees_code_being_run():
    """The watch itself works: exec inside the loader's window is caught."""
    with pytest.raises(AssertionError, match="the loader ran something"), _watched():
        exec("1 + 1")
