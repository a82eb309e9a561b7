"""Network presets: one idea about training networks each, as JSON next to the descent ones.

A network preset file (``resources/presets/NAME.json``, the folder of
:data:`core.presets.PRESET_DIR`) reads::

    {"workspace": "network", "title": "...", "idea": "one or two sentences",
     "dataset": {DataSpec.to_dict()},
     "config": {TrainConfig fields, without "data"},
     "variants": [{"label": "tanh", "config": {fields that differ}}, ...],   (optional)
     "opens": "landscape"}   (optional: the view beside the diagram at first, one of OPENS)

The base config and each variant (the base with its fields replaced) are runs to compare
side by side. Files are parsed as data only (``json.loads``) and validated completely:
unknown fields, wrong types, out-of-range numbers and configs that do not fit the data set
are refused with one-line ValueErrors naming the field.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.nn.data_spec import DataSpec
from core.nn.train_config import TrainConfig
from core.nn.training import build_network
from core.presets import PRESET_DIR, read_json_file

__all__ = [
    "MAX_VARIANTS",
    "OPENS",
    "NetworkPreset",
    "load_network_preset",
    "load_network_preset_file",
    "network_preset_from_dict",
    "network_preset_names",
]

MAX_VARIANTS = 8
MAX_TITLE, MAX_IDEA, MAX_LABEL = 120, 1000, 60
_FIELDS = {"workspace", "title", "idea", "dataset", "config", "variants", "opens"}
# the views beside the diagram a preset can open with ("" = the data view, or the
# step-through when the config traces a sample)
OPENS = ("", "data", "step-through", "neurons", "weights", "landscape", "gradient-check")
_CONFIG_FIELDS = {f.name for f in dataclasses.fields(TrainConfig)} - {"data"}


@dataclass(frozen=True, slots=True)
class NetworkPreset:
    """A demonstration: the base run ``config`` (its ``data`` set), and labelled variants."""

    title: str
    idea: str
    config: TrainConfig
    variants: tuple[tuple[str, TrainConfig], ...] = ()
    name: str = dataclasses.field(default="", compare=False)
    opens: str = ""

    @property
    def labels(self) -> tuple[str, ...]:
        """Variant labels, in file order."""
        return tuple(label for label, _ in self.variants)

    def runs(self) -> list[tuple[str, TrainConfig]]:
        """(label, config) of every run: the base (labelled ``base``) then the variants."""
        return [("base", self.config), *self.variants]

    def variant(self, label: str) -> TrainConfig:
        """The config of the variant ``label`` (``base``: the base config)."""
        for name, config in self.runs():
            if name == label:
                return config
        choices = ", ".join(["base", *self.labels])
        raise ValueError(f"variant must be one of {choices}; got {label!r}")

    def __repr__(self) -> str:
        return f"NetworkPreset({self.name or self.title!r}, variants={list(self.labels)})"


def network_preset_from_dict(data: Any, name: str = "") -> NetworkPreset:
    """Validate a parsed preset document; every run must build against its data set."""
    if not isinstance(data, dict):
        raise ValueError(f"a network preset must be a JSON object, got {_kind(data)}")
    _check_keys(data, _FIELDS, "preset")
    if data.get("workspace") != "network":
        raise ValueError(f"workspace must be 'network', got {data.get('workspace')!r}")
    title = _text(data, "title", MAX_TITLE)
    idea = _text(data, "idea", MAX_IDEA)
    if "dataset" not in data or "config" not in data:
        raise ValueError("a network preset needs a 'dataset' and a 'config'")
    spec = DataSpec.from_dict(data["dataset"])
    base = _config(data["config"], {}, spec, "config")
    variants = _variants(data.get("variants", []), data["config"], spec)
    opens = data.get("opens", "")
    if opens not in OPENS:
        raise ValueError(f"opens must be one of {', '.join(map(repr, OPENS))}; got {opens!r}")
    datasets: dict = {}  # one draw per data seed
    for label, config in [("config", base), *variants]:
        try:
            seed = 0 if spec.is_arrays else config.data_seeds
            dataset = datasets.setdefault(seed, spec.build(seed))
            build_network(config, dataset)
        except ValueError as exc:
            raise ValueError(f"{label}: {exc}") from None
    return NetworkPreset(title, idea, base, tuple(variants), name, opens)


def load_network_preset_file(path: str | Path, name: str = "") -> NetworkPreset:
    """Read and validate one network preset file (ValueError says what is wrong)."""
    path = Path(path)
    return network_preset_from_dict(read_json_file(path), name or path.stem)


def load_network_preset(name: str, folder: str | Path = PRESET_DIR) -> NetworkPreset:
    """The network preset ``name`` from the presets folder."""
    if not isinstance(name, str) or name not in network_preset_names(folder):
        choices = ", ".join(network_preset_names(folder))
        raise ValueError(f"preset must be one of {choices}; got {name!r}")
    return load_network_preset_file(Path(folder) / f"{name}.json", name)


def network_preset_names(folder: str | Path = PRESET_DIR) -> list[str]:
    """Names (file stems) of the presets in ``folder`` that belong to the network workspace."""
    names = []
    for path in sorted(Path(folder).glob("*.json")):
        try:
            data = read_json_file(path)
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("workspace") == "network":
            names.append(path.stem)
    return names


def _variants(items: Any, base: dict, spec: DataSpec) -> list[tuple[str, TrainConfig]]:
    if not isinstance(items, list) or len(items) > MAX_VARIANTS:
        raise ValueError(f"variants must be a list of at most {MAX_VARIANTS}, got {_kind(items)}")
    variants, seen = [], {"base"}
    for k, item in enumerate(items):
        where = f"variants[{k}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where} must be an object, got {_kind(item)}")
        _check_keys(item, {"label", "config"}, where)
        label = _text(item, "label", MAX_LABEL, where)
        if label in seen:
            raise ValueError(f"{where}.label {label!r} is used twice (or is 'base')")
        seen.add(label)
        variants.append((label, _config(base, item.get("config", {}), spec, f"{where}.config")))
    return variants


def _config(base: Any, override: Any, spec: DataSpec, where: str) -> TrainConfig:
    for part in (base, override):
        if not isinstance(part, dict):
            raise ValueError(f"{where} must be an object, got {_kind(part)}")
        _check_keys(part, _CONFIG_FIELDS, where)
    values = {**base, **override}
    try:
        config = TrainConfig.from_dict(values)
        config = dataclasses.replace(config, data=spec)
        config.validate()
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    except (TypeError, OverflowError) as exc:  # a value of a type no check expected
        raise ValueError(f"{where}: a field has a value of the wrong type ({exc})") from None
    return config


def _check_keys(data: dict, allowed: set, where: str) -> None:
    for key in data:
        if key not in allowed:
            raise ValueError(f"{where} has no field {key!r} (fields: {', '.join(sorted(allowed))})")


def _text(data: dict, key: str, limit: int, where: str = "") -> str:
    value = data.get(key)
    field = f"{where}.{key}" if where else key
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ValueError(f"{field} must be text of 1 to {limit} characters, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"a {type(value).__name__}"
