"""What crosses the run process's pipes rebuilds only a run's types: the runs the window
sends come back whole, and bytes naming anything else are refused before it is called,
in the window and in the child; a pair the child would refuse trains in a thread."""

from __future__ import annotations

import os
import pickle
from functools import partial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from run_factories import count_ticks, record_ticks

from core.descent.engine import DescentConfig, lr_sweep
from core.descent.recording import descent_history
from core.descent.replay import DescentFrames
from core.nn.data_spec import DataSpec
from core.nn.presets import load_network_preset, network_preset_names
from core.nn.train_config import TrainConfig
from core.nn.variant_run import variant_frames, variant_history
from core.presets import build_surface, load_preset, load_preset_file, preset_names
from gui.shell import run_codec
from gui.shell.worker import RunWorker

BOOT_MS = 30_000


class _Calls:
    """A reducer that would call ``target(*args)`` when unpickled."""

    def __init__(self, target, *args) -> None:
        self.target, self.args = target, args

    def __reduce__(self):
        return self.target, self.args


def _network_run():
    config = TrainConfig(layers=(2, 4, 1), epochs=3, data=DataSpec("moons", n=40))
    return partial(variant_frames, [(config, config.make_dataset())]), variant_history


def test_the_runs_the_window_sends_come_back_equal():
    descent = DescentFrames(
        DescentConfig(surface="rosenbrock", learning_rates=lr_sweep(1e-4, 1e-3, 3))
    )
    factory, recorder = run_codec.loads(run_codec.dumps((descent, descent_history)))
    assert recorder is descent_history and factory.config == descent.config
    factory, recorder = run_codec.loads(run_codec.dumps(_network_run()))
    assert recorder is variant_history and factory.func is variant_frames
    ((config, data),) = factory.args[0]
    np.testing.assert_array_equal(data.X_train, _network_run()[0].args[0][0][1].X_train)
    assert config.layers == (2, 4, 1)


@pytest.mark.parametrize("name", preset_names())
def test_every_descent_preset_runs_in_the_child(name):
    config = load_preset(name).config
    run = (DescentFrames(config, surface=build_surface(config)), descent_history)
    assert run_codec.refused_name(run_codec.dumps(run)) is None


@pytest.mark.parametrize("name", network_preset_names())
def test_every_network_preset_runs_in_the_child(name):
    pairs = [(config, config.make_dataset()) for _, config in load_network_preset(name).runs()]
    run = (partial(variant_frames, pairs), variant_history)
    assert run_codec.refused_name(run_codec.dumps(run)) is None


@pytest.mark.parametrize(
    ("target", "named"),
    [
        (os.system, "posix.system"),
        (eval, "builtins.eval"),
        (getattr, "builtins.getattr"),
        (load_preset_file, "core.presets.load_preset_file"),  # core, but no run function
    ],
)
def test_a_global_outside_the_run_types_is_refused_before_it_is_called(tmp_path, target, named):
    marker = tmp_path / "ran"
    data = pickle.dumps(_Calls(target, f"touch {marker}"))
    assert run_codec.refused_name(data) == named
    with pytest.raises(run_codec.RunDataError, match=named.replace(".", r"\.")):
        run_codec.loads(data)
    assert not marker.exists()


def test_the_scan_reads_every_protocols_names_as_loads_does():
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        data = pickle.dumps(_Calls(os.system, "true"), protocol=protocol)
        assert run_codec.refused_name(data) == "posix.system", protocol
    inst = b"(iposix\nsystem\nS'true'\np0\nb."  # protocol 0's INST opcode
    assert run_codec.refused_name(inst) == "posix.system"
    with pytest.raises(run_codec.RunDataError, match=r"posix\.system"):
        run_codec.loads(inst)


def test_an_allowed_module_counts_only_where_it_is_named():
    data = run_codec.dumps((partial(count_ticks, 3), record_ticks))
    assert run_codec.refused_name(data) is None  # run_factories named itself here
    assert run_codec.refused_name(data, modules=()) == "run_factories.count_ticks"
    with pytest.raises(run_codec.RunDataError, match=r"run_factories\.count_ticks"):
        run_codec.loads(data, modules=())


_NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_.", min_size=1, max_size=24)


@settings(max_examples=300, deadline=None)
@given(
    module=st.sampled_from(
        ["os", "builtins", "subprocess", "numpy", "core", "gui.shell.worker", "core.presets"]
    )
    | _NAMES,
    name=_NAMES,
)
def test_any_global_the_codec_does_not_know_is_refused(module, name):
    data = b"c" + module.encode() + b"\n" + name.encode() + b"\n."
    try:
        value = run_codec.loads(data)
    except run_codec.RunDataError:
        assert run_codec.refused_name(data) == f"{module}.{name}"
        return
    except (ImportError, AttributeError):  # a core module or name that is not there
        return
    assert (
        (module, name)
        in {("builtins", n) for n in ("complex", "slice", "range", "set", "frozenset", "bytearray")}
        or isinstance(value, type)
        or getattr(value, "__slope_run_function__", False)
    )


def unmarked_ticks(n: int):
    """Frames like `count_ticks`, from a function no run kind marked."""
    yield from count_ticks(n)


def test_a_pair_the_child_would_refuse_trains_in_a_thread(qtbot):
    worker = RunWorker(use_process=True)
    try:
        worker.start(partial(unmarked_ticks, 5), record_ticks, playing=True)
        assert worker.route == "thread"
        qtbot.waitUntil(lambda: worker.status == "finished", timeout=BOOT_MS)
        assert worker.latest.frame.step == 4
        worker.start(partial(count_ticks, 5), record_ticks, playing=True)
        assert worker.route == "process"
        qtbot.waitUntil(lambda: worker.status == "finished", timeout=BOOT_MS)
    finally:
        assert worker.shutdown(5000)


def test_the_child_refuses_a_run_naming_anything_else(qtbot, tmp_path):
    worker = RunWorker(use_process=True)
    errors: list[str] = []
    worker.errored.connect(errors.append)
    marker = tmp_path / "ran"
    try:
        worker.start(partial(count_ticks, 5), record_ticks, playing=True)  # boots the child
        qtbot.waitUntil(lambda: worker.status == "finished", timeout=BOOT_MS)
        payload = pickle.dumps((_Calls(os.system, f"touch {marker}"), record_ticks))
        worker._generation += 1
        with qtbot.waitSignal(worker.errored, timeout=BOOT_MS):
            worker._start_process(payload, record_ticks, True)
        assert "posix.system" in errors[-1] and "RunDataError" in errors[-1]
        assert not marker.exists()
        worker.start(partial(count_ticks, 5), record_ticks, playing=True)  # it serves on
        qtbot.waitUntil(lambda: worker.status == "finished", timeout=BOOT_MS)
        assert worker.latest.frame.step == 4
    finally:
        assert worker.shutdown(5000)
