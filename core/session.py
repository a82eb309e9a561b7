"""Sessions: the whole setup of both workspaces in one ``.slope.json`` file.

A session file reads::

    {"format": "slope-session", "version": 1, "workspace": "descent" | "network",
     "descent": {"title", "idea", "config": {DescentConfig}, "view": {PresetView}},
     "network": {"title", "idea", "dataset": {DataSpec}, "config": {TrainConfig without
                 data}, "variants": [{"label", "config": {fields that differ}}],
                 "opens" (optional: the view beside the diagram, core.nn.presets.OPENS),
                 "view": {NetworkView}}}

``workspace`` is the one on screen. Each part reuses its workspace's strict loader
(`core.presets.preset_from_dict`, `core.nn.presets.network_preset_from_dict`), so what a
session holds is exactly what a preset may hold: seeds and hand-made starting weights
(``initial_weights`` / ``initial_biases``) included, so a session reopens the same runs
bit for bit. Files of the older descent-only format (no ``format`` key) and network
preset files open too. Files are parsed as data only (`core.presets.read_json_file`:
size, UTF-8, nesting, huge integers) and every refusal is a one-line ValueError naming
the field; an unknown version is refused, never guessed at.
"""

from __future__ import annotations

import contextlib
import json
import math
import numbers
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from core.commands.csv_out import write_text_atomic
from core.descent.limits import describe
from core.nn.presets import MAX_VARIANTS, NetworkPreset, network_preset_from_dict
from core.presets import (
    MAX_FILE_BYTES,
    MAX_MESSAGE,
    Preset,
    preset_from_dict,
    preset_to_dict,
    read_json_file,
)
from core.presets import _check_document as check_document

__all__ = [
    "FORMAT",
    "SESSION_SUFFIX",
    "VERSION",
    "NetworkSession",
    "NetworkView",
    "Session",
    "load_session_file",
    "save_session_file",
    "session_from_dict",
    "session_to_dict",
]

FORMAT = "slope-session"
VERSION = 1
SESSION_SUFFIX = ".slope.json"
WORKSPACES = ("descent", "network")
SPEED_RANGE = (0.1, 100_000.0)  # steps per second the network's pace control can show
_SESSION_FIELDS = ("format", "version", "workspace", "descent", "network")
_DESCENT_FIELDS = ("title", "idea", "config", "view")
_NETWORK_FIELDS = ("title", "idea", "dataset", "config", "variants", "view")


@dataclass(frozen=True, slots=True)
class NetworkView:
    """How the network workspace shows its runs: the variants trained beside the base
    (``variants_on``), the run the diagram follows (``shown_run``: 0 is the base), the pace
    (``speed`` steps per second, None: flat out) and the step-through tab."""

    variants_on: bool = True
    shown_run: int = 0
    speed: float | None = None
    step_through: bool = False

    def __post_init__(self) -> None:
        for name in ("variants_on", "step_through"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"network.view.{name} must be true or false")
        run = self.shown_run
        if not _is_int(run) or not 0 <= run <= MAX_VARIANTS:
            raise ValueError(
                f"network.view.shown_run must be an integer in [0, {MAX_VARIANTS}], "
                f"got {describe(run)}"
            )
        low, high = SPEED_RANGE
        speed = self.speed
        if speed is not None and not (_is_number(speed) and low <= speed <= high):
            raise ValueError(
                f"network.view.speed must be null (flat out) or a number of steps per "
                f"second in [{low:g}, {high:g}], got {describe(speed)}"
            )

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: Any) -> NetworkView:
        """The view a :meth:`to_dict` dict describes; every field is required."""
        _check_fields(data, tuple(f.name for f in fields(cls)), "network.view")
        return cls(**data)


@dataclass(frozen=True, slots=True)
class NetworkSession:
    """The network workspace: base config with its data set, variants, title and idea (as
    a `NetworkPreset`), and how they are shown (None: as the preset opens by itself)."""

    preset: NetworkPreset
    view: NetworkView | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.preset, NetworkPreset):
            raise ValueError(f"network must be a NetworkPreset, got {describe(self.preset)}")
        if self.view is None:
            return
        if not isinstance(self.view, NetworkView):
            raise ValueError(f"network.view must be a NetworkView, got {describe(self.view)}")
        runs = 1 + len(self.preset.variants) if self.view.variants_on else 1
        if self.view.shown_run >= runs:
            raise ValueError(
                f"network.view.shown_run must be below the number of runs shown ({runs}), "
                f"got {self.view.shown_run}"
            )


@dataclass(frozen=True, slots=True)
class Session:
    """Both workspaces and the one on screen; a part is None only in an older file that
    held one workspace (opening it leaves the other workspace as it is)."""

    workspace: str
    descent: Preset | None = None
    network: NetworkSession | None = None

    def __post_init__(self) -> None:
        if self.workspace not in WORKSPACES:
            raise ValueError(
                f"workspace must be 'descent' or 'network', got {describe(self.workspace)}"
            )
        if self.descent is not None and not isinstance(self.descent, Preset):
            raise ValueError(f"descent must be a Preset, got {describe(self.descent)}")
        if self.network is not None and not isinstance(self.network, NetworkSession):
            raise ValueError(f"network must be a NetworkSession, got {describe(self.network)}")
        if self.descent is None and self.network is None:
            raise ValueError("a session holds at least one workspace")

    def __repr__(self) -> str:
        parts = [name for name in WORKSPACES if getattr(self, name) is not None]
        return f"Session(shown={self.workspace!r}, parts={parts})"


def session_from_dict(data: Any) -> Session:
    """Validate a parsed session document and build the `Session` it describes.

    Raises ValueError with one line (at most MAX_MESSAGE characters) naming the field.
    """
    try:
        return _session_from_dict(data)
    except ValueError as exc:
        message = " ".join(str(exc).split())
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 3] + "..."
        raise ValueError(message) from None


def _session_from_dict(data: Any) -> Session:
    if not isinstance(data, dict):
        raise ValueError(f"a session must be a JSON object, got {describe(data)}")
    check_document(data, "the session")
    if "format" not in data:  # before version 1: a descent session or a network preset
        return _single_workspace(data)
    if data["format"] != FORMAT:
        raise ValueError(f"format must be {FORMAT!r}, got {describe(data['format'])}")
    if "version" not in data:
        raise ValueError("the session is missing the field 'version'")
    version = data["version"]
    if not _is_int(version) or version != VERSION:
        newer = _is_int(version) and version > VERSION
        why = "a newer Slope wrote it" if newer else "not a version this Slope knows"
        raise ValueError(
            f"session version {describe(version)} cannot be opened ({why}); "
            f"this Slope reads version {VERSION}"
        )
    _check_fields(data, _SESSION_FIELDS, "the session")
    return Session(
        data["workspace"], _descent_from_dict(data["descent"]), _network_from_dict(data["network"])
    )


def _single_workspace(data: dict) -> Session:
    """A file of one workspace: a descent session (today's presets) or a network preset."""
    if data.get("workspace") == "network":
        return Session("network", network=NetworkSession(network_preset_from_dict(data)))
    return Session("descent", descent=preset_from_dict(data))


def _descent_from_dict(data: Any) -> Preset:
    _check_fields(data, _DESCENT_FIELDS, "descent")
    try:
        return preset_from_dict({"workspace": "descent", **data})
    except ValueError as exc:
        raise ValueError(f"descent: {exc}") from None


def _network_from_dict(data: Any) -> NetworkSession:
    if isinstance(data, dict):  # "opens" (the view beside the diagram) may be left out
        _check_fields({k: v for k, v in data.items() if k != "opens"}, _NETWORK_FIELDS, "network")
    else:
        _check_fields(data, _NETWORK_FIELDS, "network")
    document = {key: data[key] for key in _NETWORK_FIELDS if key != "view"}
    if "opens" in data:
        document["opens"] = data["opens"]
    try:
        preset = network_preset_from_dict({"workspace": "network", **document})
    except ValueError as exc:
        raise ValueError(f"network: {exc}") from None
    return NetworkSession(preset, NetworkView.from_dict(data["view"]))


def session_to_dict(session: Session) -> dict[str, Any]:
    """The JSON object of ``session`` (inverse of `session_from_dict`); both parts needed."""
    for name in WORKSPACES:
        if getattr(session, name) is None:
            raise ValueError(f"{name}: a version {VERSION} session holds both workspaces")
    descent = preset_to_dict(session.descent)
    del descent["workspace"]
    return {
        "format": FORMAT,
        "version": VERSION,
        "workspace": session.workspace,
        "descent": descent,
        "network": _network_to_dict(session.network),
    }


def _network_to_dict(part: NetworkSession) -> dict[str, Any]:
    """A variant is written as the fields in which its config differs from the base."""
    preset = part.preset
    base = preset.config.to_dict()
    dataset = base.pop("data")
    variants = []
    for label, config in preset.variants:
        full = config.to_dict()
        del full["data"]
        variants.append({"label": label, "config": {k: v for k, v in full.items() if v != base[k]}})
    view = part.view or NetworkView()
    return {
        "title": preset.title,
        "idea": preset.idea,
        "dataset": dataset,
        "config": base,
        "variants": variants,
        **({"opens": preset.opens} if preset.opens else {}),
        "view": view.to_dict(),
    }


def load_session_file(path: str | Path) -> Session:
    """Read and validate one session file (ValueError says what is wrong, in one line)."""
    return session_from_dict(read_json_file(path))


def save_session_file(session: Session, path: str | Path) -> None:
    """Write ``session`` as indented JSON, replacing ``path`` atomically.

    The text is checked to load back first (and to fit the loader's size limit); it goes
    to a temporary file in the same folder, flushed to disk, then renamed over ``path``,
    so a crash or a full disk leaves the old file whole. ValueError on any failure.
    """
    path = Path(path)
    try:
        text = json.dumps(session_to_dict(session), indent=2, allow_nan=False) + "\n"
    except (TypeError, ValueError) as exc:  # a value JSON cannot hold: nothing is written
        raise ValueError(f"cannot save the session: {exc}") from None
    size = len(text.encode("utf-8"))
    if size > MAX_FILE_BYTES:
        raise ValueError(
            f"the session would take {size} bytes, over the {MAX_FILE_BYTES} a session may "
            "have (a hand-made data set or starting weights too large to keep)"
        )
    session_from_dict(json.loads(text))  # never write a session that would not open
    mode = 0o644
    with contextlib.suppress(OSError):
        mode = path.stat().st_mode & 0o777

    def write(handle) -> None:
        handle.write(text)
        with contextlib.suppress(OSError, AttributeError):  # no fchmod on some systems
            os.fchmod(handle.fileno(), mode)

    try:
        write_text_atomic(path, write)
    except OSError as exc:
        raise ValueError(f"cannot save to {path}: {exc.strerror or exc}") from None


def _check_fields(data: Any, names: tuple[str, ...], where: str) -> None:
    """ValueError unless ``data`` is an object with exactly the fields ``names``."""
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be a JSON object, got {describe(data)}")
    unknown = [key for key in data if key not in names]
    if unknown:
        raise ValueError(
            f"{where} has no field {describe(unknown[0])} (fields: {', '.join(names)})"
        )
    missing = [name for name in names if name not in data]
    if missing:
        raise ValueError(f"{where} is missing the field {missing[0]!r}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
