"""What crosses the pipes between the window and its run's process, encoded and decoded.

Both ends are this program: the window sends a run (its configuration, the function that
makes its frames, the function that records them), the child sends back the records'
journals and frames. The encoding is pickle (arrays go as raw buffers, an object
referenced twice goes once), but decoding rebuilds only a closed set of types, checked
by `RunUnpickler.find_class`:

- NumPy arrays, dtypes, scalars and random generators (NumPy's own rebuilding functions);
- the messages' envelope (`gui.shell.run_child.RecordNews`);
- a few plain builtins (``complex``, ``slice``, ``range``, ``set``, ``frozenset``,
  ``bytearray``) and ``functools.partial``;
- classes defined in the project's ``core`` package (configurations, frames, records);
- functions there marked with `core.run_kinds.run_function` (the run kinds' factories
  and recorders).

Anything else (``os.system``, ``builtins.eval``, a class from another package) is refused
with `RunDataError`, so even bytes that did not come from the window could call nothing
but a run kind's entry points. Session and preset files never come this way: they are
JSON, read as data. Tests that run their own frame kinds in a child name their module
with `allow_module`; the window sends that list with each run.
"""

from __future__ import annotations

import builtins
import functools
import importlib
import io
import pickle
import pickletools
from typing import Any

from core.run_kinds import is_run_function

__all__ = [
    "RunDataError",
    "RunUnpickler",
    "allow_module",
    "allowed_modules",
    "dumps",
    "loads",
    "refused_name",
    "resolve",
]

PACKAGES = ("core",)  # whose classes and marked functions a run's data may name
# NumPy's own rebuilding functions and classes, by (module, name)
_NUMPY = {
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy.random._pickle", "__bit_generator_ctor"),
    ("numpy.random._pickle", "__generator_ctor"),
    ("numpy.random._pickle", "__randomstate_ctor"),
    ("numpy.random.bit_generator", "SeedSequence"),
    ("numpy.random.bit_generator", "__pyx_unpickle_SeedSequence"),
    ("numpy.random._pcg64", "PCG64"),
    ("numpy.random._pcg64", "PCG64DXSM"),
    ("numpy.random._mt19937", "MT19937"),
    ("numpy.random._philox", "Philox"),
    ("numpy.random._sfc64", "SFC64"),
}
_PROTOCOL = {("gui.shell.run_child", "RecordNews")}  # the message's own envelope
_BUILTINS = {"complex", "slice", "range", "set", "frozenset", "bytearray"}

_extra_modules: set[str] = set()


class RunDataError(pickle.UnpicklingError, ValueError):
    """The data names something a run may not be made of."""


def allow_module(name: str) -> None:
    """Let runs name classes and marked functions of module ``name`` too (tests' own
    frame kinds; the window sends the list to its run process with each run)."""
    _extra_modules.add(str(name))


def allowed_modules() -> tuple[str, ...]:
    """The modules `allow_module` added, sorted."""
    return tuple(sorted(_extra_modules))


def dumps(value: Any) -> bytes:
    """``value`` encoded for the other end of the pipe."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes, modules: tuple[str, ...] | None = None) -> Any:
    """Decode ``data``, refusing every global that is not a run's (see the module).

    ``modules`` adds modules whose classes and marked functions are allowed (the child
    gets the window's `allowed_modules` with each run); None: this process's own list.
    """
    extra = allowed_modules() if modules is None else tuple(modules)
    return RunUnpickler(io.BytesIO(data), extra).load()


def resolve(module: str, name: str, modules: tuple[str, ...] = ()) -> Any:
    """The global ``module.name`` if a run may be made of it, else `RunDataError`."""
    if (module, name) in _NUMPY or (module, name) in _PROTOCOL:
        return getattr(importlib.import_module(module), name)
    if module == "builtins" and name in _BUILTINS:
        return getattr(builtins, name)
    if (module, name) == ("functools", "partial"):
        return functools.partial
    if module.split(".", 1)[0] in PACKAGES or module in modules:
        value = getattr(importlib.import_module(module), name, None)
        if isinstance(value, type) or is_run_function(value):
            return value
        raise RunDataError(
            f"run data names {module}.{name}, which is neither a class nor a run function"
        )
    raise RunDataError(f"run data names {module}.{name}, which no run is made of")


class RunUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds only a run's types (see the module)."""

    def __init__(self, file, modules: tuple[str, ...] = ()) -> None:
        super().__init__(file)
        self._modules = tuple(modules)

    def find_class(self, module: str, name: str) -> Any:
        return resolve(module, name, self._modules)


_STRINGS = {"SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE", "SHORT_BINSTRING"}


def refused_name(data: bytes, modules: tuple[str, ...] | None = None) -> str | None:
    """The first global in ``data`` that `loads` would refuse (as ``"module.name"``), or
    None: a check that builds nothing (the window runs a refused run in a thread)."""
    extra = allowed_modules() if modules is None else tuple(modules)
    memo: dict[int, Any] = {}
    strings: list[str] = []  # the strings pushed so far (STACK_GLOBAL takes the last two)
    last: Any = None
    for opcode, arg, _ in pickletools.genops(data):
        op = opcode.name
        if op in _STRINGS:
            last = arg
            strings.append(arg)
        elif op == "MEMOIZE":
            memo[len(memo)] = last
        elif op in ("BINPUT", "LONG_BINPUT", "PUT"):
            memo[int(arg)] = last
        elif op in ("BINGET", "LONG_BINGET", "GET"):
            last = memo.get(int(arg))
            if isinstance(last, str):
                strings.append(last)
        else:
            last = None
        if op in ("GLOBAL", "INST"):  # (INST: protocol 0's instance of a named class)
            module, name = arg.split(" ", 1)
        elif op == "STACK_GLOBAL" and len(strings) >= 2:
            module, name = strings[-2], strings[-1]
        else:
            continue
        try:
            resolve(module, name, extra)
        except (RunDataError, ImportError):
            return f"{module}.{name}"
    return None
