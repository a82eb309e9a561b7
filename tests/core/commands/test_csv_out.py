"""The shared CSV writers: a window's recorded history gives the commands' very bytes."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest

from core.commands.csv_out import (
    TRACE_HEADER,
    training_log_from_history,
    write_log,
    write_text_atomic,
    write_trajectories,
    write_trajectories_from_history,
)
from core.commands.trace import write_trace_csv
from core.descent.engine import DescentConfig, DescentRun, OptimizerSpec, build_surface
from core.descent.frame import RunTable
from core.descent.recording import descent_history
from core.descent.trajectories import descend_config
from core.nn.data_spec import DataSpec
from core.nn.train_config import TrainConfig
from core.nn.training import train
from core.nn.training_history import training_history

DESCENT = DescentConfig(
    surface="rosenbrock",
    optimizers=(OptimizerSpec("gd"), OptimizerSpec("adam")),
    learning_rates=(0.001, 0.5),  # gd at 0.5 diverges on rosenbrock: its rows end early
    starts=((-1.5, 2.0),),
    steps=60,
)
NETWORK = TrainConfig(
    layers=(2, 4, 1), lr=0.5, epochs=6, mode="minibatch", batch_size=20,
    data=DataSpec("moons", n=60),
)  # fmt: skip


def _descent_history(config: DescentConfig, capacity: int = 4096):
    surface = build_surface(config)
    history = None
    for frame in DescentRun(config, surface).frames():
        history = history or descent_history(frame, capacity)
        history.append(frame)
    return history.snapshot(), RunTable.from_config(config, surface.start)


def test_trajectories_hand_computed_rows():
    """Two runs, three steps; run 1 stopped at step 2: its rows are steps 0 and 1."""
    out = io.StringIO()
    path = np.arange(12, dtype=float).reshape(3, 2, 2)
    loss = np.array([[1.0, 2.0], [0.5, 3.0], [0.25, 4.0]])
    write_trajectories(out, np.array([0, 1, 2]), path, loss, [-1, 2], ["gd", "adam"], [0.1, 1.0])
    assert out.getvalue().splitlines() == [
        ",".join(TRACE_HEADER),
        "0,gd,0.1,0,0.0,1.0,1.0",
        "0,gd,0.1,1,4.0,5.0,0.5",
        "0,gd,0.1,2,8.0,9.0,0.25",
        "1,adam,1.0,0,2.0,3.0,2.0",
        "1,adam,1.0,1,6.0,7.0,3.0",
    ]


def test_history_trajectories_equal_the_trace_command_bytes():
    snapshot, runs = _descent_history(DESCENT)
    assert (snapshot.diverged_at >= 0).any()  # the case covers a stopped run
    from_window = io.StringIO()
    write_trajectories_from_history(from_window, snapshot, runs, ["gd", "adam"])
    from_trace = io.StringIO()
    write_trace_csv(descend_config(DESCENT), ["gd", "adam"], from_trace)
    assert from_window.getvalue() == from_trace.getvalue()


def test_thinned_history_writes_its_kept_steps():
    snapshot, runs = _descent_history(DESCENT, capacity=16)
    out = io.StringIO()
    write_trajectories_from_history(out, snapshot, runs, ["gd", "adam"])
    steps = [int(line.split(",")[3]) for line in out.getvalue().splitlines()[1:]]
    kept = [int(s) for s in snapshot.steps]
    assert steps[: len(kept)] == kept  # run 0 runs to the end: every kept step


def test_history_training_log_equals_the_train_command_log():
    frames = list(train(NETWORK))
    history = training_history(frames[0], capacity=4096)
    for frame in frames:
        history.append(frame)
    from_window, from_train = io.StringIO(), io.StringIO()
    training_log_from_history(from_window, history.snapshot(), classification=True)
    write_log(iter(frames), True, from_train, 2)
    assert from_window.getvalue() == from_train.getvalue()
    assert len(from_train.getvalue().splitlines()) == 1 + 1 + NETWORK.epochs  # header, start


def test_running_training_log_ends_with_the_newest_row():
    frames = list(train(NETWORK))[:5]  # mid-epoch, no stop reason yet
    history = training_history(frames[0])
    for frame in frames:
        history.append(frame)
    out = io.StringIO()
    training_log_from_history(out, history.snapshot(), classification=True)
    rows = out.getvalue().splitlines()
    assert [r.split(",")[1] for r in rows[1:]] == ["0", "3", "4"]  # start, epoch 1, newest
    assert rows[-1].split(",")[2] == repr(frames[-1].train_loss)


def test_atomic_write_replaces_the_file_whole(tmp_path):
    target = tmp_path / "log.csv"
    target.write_text("old", encoding="utf-8")
    write_text_atomic(target, lambda out: out.write("new,text\n"))
    assert target.read_text(encoding="utf-8") == "new,text\n"
    assert os.listdir(tmp_path) == ["log.csv"]


def test_atomic_write_failure_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "log.csv"
    target.write_text("old", encoding="utf-8")

    def half_then_fail(out):
        out.write("half")
        raise ValueError("the run has no recorded steps yet")

    with pytest.raises(ValueError, match="no recorded steps"):
        write_text_atomic(target, half_then_fail)
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["log.csv"]


def test_atomic_write_into_a_missing_folder_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        write_text_atomic(tmp_path / "nowhere" / "log.csv", lambda out: out.write("x"))
    assert os.listdir(tmp_path) == []
