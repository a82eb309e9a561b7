"""Presets and sessions: a `DescentConfig` plus a title, an idea and view settings, as JSON.

A preset file (``resources/presets/NAME.json``) and a saved session share one format::

    {"title": "...", "idea": "one sentence", "config": {DescentConfig.to_dict()},
     "view": {"lr_mode": "sweep", "sweep": {...}, "speed": 200, ...}}

Files are read with ``json.load`` only (data, never code) and validated: a bad field
raises ValueError naming the field.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.descent.engine import DescentConfig

PRESET_DIR = Path(__file__).resolve().parent.parent / "resources" / "presets"
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_MAX_FILE_BYTES = 1_000_000

# view settings a preset may carry, with their types (all optional)
_VIEW_FIELDS: dict[str, type | tuple[type, ...]] = {
    "lr_mode": str,  # "single" | "sweep"
    "sweep": dict,  # {"min": float, "max": float, "count": int, "log": bool}
    "start_grid": int,  # n for an n x n grid of starts (0 = off)
    "speed": (int, float, type(None)),  # steps per second, None = flat out
    "arrows": dict,  # {"gradient": bool, "velocity": bool, "update": bool}
    "view3d": bool,
}


@dataclass(frozen=True, slots=True)
class Preset:
    """One demonstration: what to run (``config``), what it shows (``title``, ``idea``)."""

    title: str
    idea: str
    config: DescentConfig
    view: dict[str, Any] = field(default_factory=dict, hash=False)
    name: str = ""

    def __repr__(self) -> str:
        return f"Preset({self.name or 'session'}: {self.title!r}, surface={self.config.surface})"


def _check_view(view: Any) -> dict[str, Any]:
    if not isinstance(view, dict):
        raise ValueError(f"view must be an object, got {type(view).__name__}")
    for key, value in view.items():
        if key not in _VIEW_FIELDS:
            raise ValueError(f"view.{key} is not a known setting ({', '.join(_VIEW_FIELDS)})")
        if isinstance(value, bool) and _VIEW_FIELDS[key] in (int, (int, float, type(None))):
            raise ValueError(f"view.{key} must be a number, got {value!r}")
        if not isinstance(value, _VIEW_FIELDS[key]):
            raise ValueError(f"view.{key} has the wrong type: {value!r}")
    if view.get("lr_mode", "single") not in ("single", "sweep"):
        raise ValueError(f"view.lr_mode must be 'single' or 'sweep', got {view['lr_mode']!r}")
    speed = view.get("speed")
    if speed is not None and not speed > 0:
        raise ValueError(f"view.speed must be > 0 or null (flat out), got {speed!r}")
    if not 0 <= view.get("start_grid", 0) <= 30:
        raise ValueError(f"view.start_grid must be in [0, 30], got {view['start_grid']!r}")
    return json.loads(json.dumps(view))  # a deep, JSON-only copy


def preset_from_dict(data: Any, name: str = "") -> Preset:
    """Validate a parsed JSON object and build a `Preset` (ValueError names the field)."""
    if not isinstance(data, dict):
        raise ValueError(f"a preset must be a JSON object, got {type(data).__name__}")
    unknown = set(data) - {"title", "idea", "config", "view"}
    if unknown:
        raise ValueError(f"unknown preset fields: {', '.join(sorted(unknown))}")
    for key in ("title", "idea"):
        if not isinstance(data.get(key, ""), str):
            raise ValueError(f"{key} must be a string, got {data[key]!r}")
    if not isinstance(data.get("config"), dict):
        raise ValueError("config must be an object with the DescentConfig fields")
    config = DescentConfig.from_dict(data["config"])
    config.validate()
    view = _check_view(data.get("view", {}))
    return Preset(data.get("title", ""), data.get("idea", ""), config, view, name)


def preset_to_dict(preset: Preset) -> dict[str, Any]:
    """The JSON object of ``preset`` (inverse of `preset_from_dict`)."""
    return {
        "title": preset.title,
        "idea": preset.idea,
        "config": preset.config.to_dict(),
        "view": json.loads(json.dumps(preset.view)),
    }


def load_preset_file(path: str | Path, name: str = "") -> Preset:
    """Read and validate one preset or session file."""
    path = Path(path)
    try:
        if path.stat().st_size > _MAX_FILE_BYTES:
            raise ValueError(f"{path.name} is larger than {_MAX_FILE_BYTES} bytes")
        with path.open(encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path.name} is not valid JSON: {exc.msg} (line {exc.lineno})") from exc
    return preset_from_dict(data, name or path.stem)


def save_preset(preset: Preset, path: str | Path) -> None:
    """Write ``preset`` as indented JSON (a session file)."""
    text = json.dumps(preset_to_dict(preset), indent=2)
    Path(path).write_text(text + "\n", encoding="utf-8")


def preset_names() -> list[str]:
    """Names of the presets shipped in ``resources/presets`` (sorted)."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.json"))


def load_preset(name: str) -> Preset:
    """Load the shipped preset ``name`` (ValueError lists the known names)."""
    if not isinstance(name, str) or not _NAME.match(name) or name not in preset_names():
        known = ", ".join(preset_names())
        raise ValueError(f"unknown preset {name!r}; known presets: {known}")
    return load_preset_file(PRESET_DIR / f"{name}.json", name)
