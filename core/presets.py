"""Presets and sessions: a `DescentConfig` plus a title, an idea and view settings, as JSON.

A preset file (``resources/presets/NAME.json``) and a saved session share one format::

    {"workspace": "descent", "title": "...", "idea": "one sentence",
     "config": {DescentConfig.to_dict()}, "view": {PresetView.to_dict()}}

``workspace`` is "descent" when absent; "network" files belong to `core.nn.presets`.
Files are read with ``json.loads`` only (data, never code) and validated completely before
anything is shown: every value a loaded `Preset` holds is within
`core.descent.limits.LIMITS`, its surface and formula build, and its configuration starts
a run. Every refusal is a one-line ValueError naming the field (or saying the file is not
UTF-8, not JSON, too large or too deeply nested).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from core.descent.config import DescentConfig
from core.descent.engine import build_surface
from core.descent.limits import LIMITS, describe
from core.descent.preset_view import ArrowOptions, PresetView, SweepView, check_text

__all__ = [
    "PRESET_DIR",
    "ArrowOptions",
    "Preset",
    "PresetView",
    "SweepView",
    "list_presets",
    "load_preset",
    "load_preset_file",
    "preset_from_dict",
    "preset_names",
    "preset_to_dict",
    "save_preset",
]

# the presets ship inside the `resources` package (a wheel installs it next to `core`); an
# unpacked install (pip, editable or not) gives a real folder, which list_presets globs
PRESET_DIR = Path(os.fspath(files("resources") / "presets"))
WORKSPACES = ("descent", "network")
MAX_FILE_BYTES = 1_000_000
MAX_NESTING = 16  # the format itself nests 5 deep (config.optimizers[i].hyper)
MAX_MESSAGE = 300  # characters of a refusal: one line in the status bar
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_FIELDS = {"workspace", "title", "idea", "config", "view"}


@dataclass(frozen=True, slots=True)
class Preset:
    """One demonstration: what to run (``config``), what it shows (``title``, ``idea``),
    how the window shows it (``view``); ``name`` says where it came from (not compared)."""

    title: str
    idea: str
    config: DescentConfig
    view: PresetView = field(default_factory=PresetView)
    name: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        check_text("title", self.title)
        check_text("idea", self.idea)
        if not isinstance(self.config, DescentConfig):
            raise ValueError(f"config must be a DescentConfig, got {describe(self.config)}")
        if not isinstance(self.view, PresetView):
            raise ValueError(f"view must be a PresetView, got {describe(self.view)}")

    def __repr__(self) -> str:
        return f"Preset({self.name or 'session'}: {self.title!r}, surface={self.config.surface})"


def check_runnable(config: DescentConfig) -> None:
    """ValueError naming the field unless ``config``'s surface builds and the window can
    show its parameters (what `DescentRun` and the surface panel do with it)."""
    try:
        surface = build_surface(config)
    except ValueError as exc:
        where = "expr" if config.surface == "expr" else "surface_params"
        message = str(exc)
        if message.startswith("unknown surface"):
            raise ValueError(f"surface: {message}") from None
        raise ValueError(f"{where}: {message}") from None
    limit = LIMITS["surface_params.integer"]
    for spec in surface.parameters:
        if spec.integer:
            limit.check(f"surface_params.{spec.name}", dict(surface.params)[spec.name])


def preset_from_dict(data: Any, name: str = "") -> Preset:
    """Validate a parsed JSON object and build a `Preset` (ValueError names the field)."""
    try:
        return _preset_from_dict(data, name)
    except ValueError as exc:
        message = str(exc)
        if "\n" in message or len(message) > MAX_MESSAGE:  # e.g. a key quoted by a surface
            message = message.replace("\n", "\\n").replace("\r", "\\r")
            if len(message) > MAX_MESSAGE:
                message = message[: MAX_MESSAGE - 3] + "..."
            raise ValueError(message) from exc
        raise


def _preset_from_dict(data: Any, name: str) -> Preset:
    if not isinstance(data, dict):
        raise ValueError(f"a preset must be a JSON object, got {describe(data)}")
    _check_document(data, name or "the preset")
    unknown = sorted(set(data) - _FIELDS, key=str)
    if unknown:
        raise ValueError(f"unknown preset fields: {', '.join(map(describe, unknown))}")
    workspace = data.get("workspace", "descent")
    if workspace not in WORKSPACES:
        raise ValueError(f"workspace must be 'descent' or 'network', got {describe(workspace)}")
    if workspace == "network":
        raise ValueError(f"{name or 'this preset'} belongs to the network workspace: open it there")
    title, idea = (
        check_text("title", data.get("title", "")),
        check_text("idea", data.get("idea", "")),
    )
    if "config" not in data:
        raise ValueError("config is missing: a preset needs the DescentConfig fields")
    config = DescentConfig.from_dict(data["config"])
    check_runnable(config)
    view = PresetView.from_dict(data.get("view", {}), config.learning_rates)
    return Preset(title, idea, config, view, name)


def preset_to_dict(preset: Preset) -> dict[str, Any]:
    """The JSON object of ``preset`` (inverse of `preset_from_dict`)."""
    return {
        "workspace": "descent",
        "title": preset.title,
        "idea": preset.idea,
        "config": preset.config.to_dict(),
        "view": preset.view.to_dict(),
    }


class _HugeInteger:
    """An integer literal too long to convert: kept as a marker so the field check names it."""

    __slots__ = ("digits",)

    def __init__(self, text: str) -> None:
        self.digits = len(text.lstrip("-"))

    def __repr__(self) -> str:
        return f"<an integer of {self.digits} digits>"


def _json_int(text: str) -> int | _HugeInteger:
    return int(text) if len(text) <= 300 else _HugeInteger(text)


def _check_document(data: Any, label: str) -> None:
    """Depth and text checks over the whole parsed document, without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list) and depth > MAX_NESTING:
            raise ValueError(f"{label} is nested more than {MAX_NESTING} levels deep")
        if isinstance(value, dict):
            stack.extend((key, depth) for key in value)
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(f"{label} holds text with an unpaired surrogate escape") from None


def read_json_file(path: str | Path) -> Any:
    """Parse one JSON file: at most MAX_FILE_BYTES of UTF-8, nested at most MAX_NESTING deep.

    Shared by the network workspace's loader; every failure is a one-line ValueError.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"{path.name} is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path.name} is not UTF-8 text (bad byte at {exc.start})") from None
    try:
        data = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name} is not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except RecursionError:
        raise ValueError(f"{path.name} is nested more than {MAX_NESTING} levels deep") from None
    _check_document(data, path.name)
    return data


def load_preset_file(path: str | Path, name: str = "") -> Preset:
    """Read and validate one preset or session file (ValueError says what is wrong)."""
    path = Path(path)
    return preset_from_dict(read_json_file(path), name or path.stem)


def save_preset(preset: Preset, path: str | Path) -> None:
    """Write ``preset`` as indented JSON (a session file), replacing ``path`` atomically.

    The text is checked to load back first; it goes to a temporary file in the same folder,
    which is flushed to disk and then renamed over ``path``, so a crash or a full disk
    leaves the old file whole. Raises ValueError with a one-line message on failure.
    """
    path = Path(path)
    text = json.dumps(preset_to_dict(preset), indent=2, allow_nan=False) + "\n"
    preset_from_dict(json.loads(text))  # never write a session that would not load
    try:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise ValueError(f"cannot save to {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise ValueError(f"cannot save to {path}: {exc.strerror or exc}") from None
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); not possible, nor needed, everywhere."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def list_presets(folder: str | Path = PRESET_DIR) -> list[tuple[str, str, str]]:
    """(name, title, workspace) of every preset file in ``folder``, sorted by name.

    Only the title and workspace are read, so menus can group titles by workspace; a file
    that cannot be read or lacks a text title is skipped.
    """
    found = []
    for path in sorted(Path(folder).glob("*.json")):
        if not _NAME.match(path.stem):
            continue
        try:
            data = read_json_file(path)
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        title, workspace = data.get("title"), data.get("workspace", "descent")
        if isinstance(title, str) and title and workspace in WORKSPACES:
            found.append((path.stem, title, workspace))
    return found


def preset_names() -> list[str]:
    """Names of the descent presets shipped in ``resources/presets`` (sorted)."""
    return [name for name, _, workspace in list_presets() if workspace == "descent"]


def load_preset(name: str) -> Preset:
    """Load the shipped preset ``name`` (ValueError lists the known names)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"unknown preset {describe(name)}; known presets: {_known()}")
    path = PRESET_DIR / f"{name}.json"
    if not path.is_file():
        raise ValueError(f"unknown preset {name!r}; known presets: {_known()}")
    return load_preset_file(path, name)


def _known() -> str:
    return ", ".join(preset_names())
