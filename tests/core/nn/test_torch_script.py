"""The PyTorch script of a training run: written without torch, run with it, same losses.

Each case writes the script of a config, runs it in a subprocess (where torch is
importable) and compares its printed batch losses with ``TrainFrame.batch_loss`` of
Slope's own :func:`core.nn.training.train`, step by step.

Tolerance: 1e-6 relative. Both sides compute in float64 with the same data, starting
weights, batches and dropout masks, but torch orders some operations differently
(addmm for a @ W + b, its BCE-with-logits formula, recursive schedulers, the norm of
norms in clip_grad_norm_), so the last few bits differ and grow a little per update; a
wrong rule (a missing penalty, another batch, another lr) differs by far more than 1e-6.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import replace
from itertools import islice

import numpy as np
import pytest

from core.nn.data_spec import DataSpec
from core.nn.presets import load_network_preset
from core.nn.torch_script import MAX_LITERALS, torch_script
from core.nn.train_config import TrainConfig
from core.nn.training import train
from core.optim.optimizers import ClipSpec, ScheduleSpec

STEPS = 25  # losses compared per case
MOONS = DataSpec("moons", n=60)
BLOBS = DataSpec("blobs", n=60, params=(("classes", 3),))

CASES = {
    "backprop_by_hand_fixed_biases": load_network_preset("backprop-by-hand").config,
    "sigmoid_mse_gd_full_batch": TrainConfig(
        layers=(2, 5, 1),
        activation="sigmoid",
        output="sigmoid",
        loss="mse",
        lr=0.5,
        epochs=20,
        data=MOONS,
    ),
    "tanh_bce_sgd_minibatch_l2_step_schedule": TrainConfig(
        layers=(2, 6, 4, 1),
        activation="tanh",
        loss="bce",
        optimizer="gd",
        lr=0.3,
        mode="minibatch",
        batch_size=16,
        l2=1e-2,
        epochs=10,
        data=MOONS,
        seed=3,
        schedule=ScheduleSpec("step", step_size=5, gamma=0.5),
    ),
    "relu_cross_entropy_3_classes_adam_clip_norm_cosine": TrainConfig(
        layers=(2, 8, 3),
        activation="relu",
        output="softmax",
        loss="cross_entropy",
        optimizer="adam",
        lr=0.02,
        mode="minibatch",
        batch_size=10,
        epochs=6,
        data=BLOBS,
        clip=ClipSpec("norm", 0.5),
        schedule=ScheduleSpec("cosine", t_max=30),
        init="he",
        seed=1,
    ),
    "momentum_stochastic_l1_clip_value_exponential": TrainConfig(
        layers=(2, 4, 1),
        activation="tanh",
        loss="bce",
        optimizer="momentum",
        lr=0.05,
        mode="stochastic",
        l1=1e-3,
        epochs=1,
        data=MOONS,
        clip=ClipSpec("value", 0.1),
        schedule=ScheduleSpec("exponential", gamma=0.97),
    ),
    "dropout_batch_norm_adamw_warmup_folded_batch": TrainConfig(
        layers=(2, 8, 8, 1),
        activation=("relu", "elu"),
        loss="bce",
        optimizer="adamw",
        lr=0.01,
        mode="minibatch",
        batch_size=11,
        dropout=0.3,
        batch_norm=True,
        epochs=5,
        data=MOONS,
        weight_seed=7,
        schedule=ScheduleSpec("warmup_cosine", warmup=5, t_max=20),
    ),
    "mse_softmax_one_hot_nesterov_fixed_biases": TrainConfig(
        layers=(2, 5, 3),
        activation="leaky_relu",
        output="softmax",
        loss="mse",
        optimizer="nesterov",
        lr=0.2,
        mode="minibatch",
        batch_size=20,
        epochs=8,
        data=BLOBS,
        fixed_biases=True,
        hyper=(("weight_decay", 1e-3),),
    ),
    "regression_softplus_linear_output_target_loss": TrainConfig(
        layers=(1, 6, 1),
        activation="softplus",
        output="linear",
        loss="mse",
        lr=0.05,
        epochs=60,
        data=DataSpec("sine", n=40),
        target_loss=0.2,
        eval_every=3,
    ),
}
OPTIMIZER_CASES = {
    name: TrainConfig(
        layers=(2, 4, 1),
        loss="bce",
        optimizer=name,
        lr=0.05,
        hyper=hyper,
        epochs=4,
        mode="minibatch",
        batch_size=15,
        data=MOONS,
        l2=1e-3,
    )
    for name, hyper in [
        ("adagrad", (("lr_decay", 0.01), ("initial_accumulator_value", 0.1))),
        ("rmsprop", (("centered", 1.0), ("momentum", 0.5), ("weight_decay", 1e-3))),
        ("amsgrad", ()),
        ("nadam", (("weight_decay", 1e-3),)),
        ("adamax", ()),
        ("adadelta", (("rho", 0.8),)),
        ("gd", (("momentum", 0.8), ("dampening", 0.3))),
    ]
}


def run_script(tmp_path, config: TrainConfig) -> tuple[list[list[str]], str]:
    """The script's CSV rows (split) and its whole output."""
    path = tmp_path / "carry_on.py"
    path.write_text(torch_script(config), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(path)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "step,epoch,lr,batch_loss,train_loss"
    rows = [line.split(",") for line in lines[1:] if line[:1].isdigit()]
    return rows, done.stdout


def check_losses_match(tmp_path, config: TrainConfig) -> None:
    pytest.importorskip("torch")
    # the frame after the last update (epoch limit) has no row: the script's loop ends
    frames = [f for f in islice(train(config), STEPS) if f.stop_reason != "epoch_limit"]
    rows, _ = run_script(tmp_path, config)
    assert len(rows) >= min(len(frames), STEPS)
    for frame, row in zip(frames, rows, strict=False):
        step, epoch, lr, batch_loss, train_loss = row
        assert (int(step), int(epoch)) == (frame.step, frame.epoch)
        assert float(lr) == pytest.approx(frame.lr, rel=1e-12)
        assert float(batch_loss) == pytest.approx(frame.batch_loss, rel=1e-6), frame.step
        assert float(train_loss) == pytest.approx(frame.train_loss, rel=1e-6), frame.step


@pytest.mark.parametrize("name", list(CASES))
def test_script_losses_equal_slopes(tmp_path, name):
    check_losses_match(tmp_path, CASES[name])


@pytest.mark.parametrize("name", list(OPTIMIZER_CASES))
def test_script_optimizer_losses_equal_slopes(tmp_path, name):
    check_losses_match(tmp_path, OPTIMIZER_CASES[name])


def test_backprop_by_hand_final_loss_is_the_textbook_one(tmp_path):
    """After the one step at lr 0.5 the worked example's error is 0.291027924 (Mazur's
    published value, from intermediates rounded to 9 digits: hence 1e-6)."""
    pytest.importorskip("torch")
    _, output = run_script(tmp_path, CASES["backprop_by_hand_fixed_biases"])
    final = float(output.split("final train loss ")[1].split()[0])
    last = list(train(CASES["backprop_by_hand_fixed_biases"]))[-1]
    assert final == pytest.approx(last.train_loss, rel=1e-12)
    assert final == pytest.approx(0.291027924, abs=1e-6)


def test_target_loss_stops_the_script_where_slope_stops(tmp_path):
    pytest.importorskip("torch")
    config = CASES["regression_softplus_linear_output_target_loss"]
    frames = list(train(config))
    assert frames[-1].stop_reason == "target_loss"
    rows, output = run_script(tmp_path, config)
    assert "reached the target loss" in output
    assert int(rows[-1][0]) == frames[-1].step


def test_script_is_valid_python_with_the_starting_weights_transposed():
    """Written without torch: it parses, and nn.Linear gets W.T of Slope's W."""
    config = CASES["tanh_bce_sgd_minibatch_l2_step_schedule"]
    text = torch_script(config)
    tree = ast.parse(text)
    assigned = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    weights = ast.literal_eval(assigned["WEIGHTS"])
    net = config.make_network()
    for literal, W in zip(weights, net.weights, strict=True):
        assert np.array_equal(np.array(literal), W)  # exact: shortest round-trip repr
    assert "linear.weight.copy_(torch.tensor(W).T)" in text
    assert "torch.optim.SGD(" in text and "StepLR(optimizer, step_size=5, gamma=0.5)" in text
    assert not re.search(r"(?<![.\w])(eval|exec|compile|__import__)\(", text)


def test_data_literals_are_the_data_set_exactly():
    config = CASES["relu_cross_entropy_3_classes_adam_clip_norm_cosine"]
    tree = ast.parse(torch_script(config))
    assigned = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
    }
    data = config.make_dataset()
    assert np.array_equal(ast.literal_eval(assigned["X_TRAIN"]), data.X_train)
    assert np.array_equal(ast.literal_eval(assigned["Y_TRAIN"]), data.y_train)
    assert np.array_equal(ast.literal_eval(assigned["X_TEST"]), data.X_test)


def test_config_without_data_raises_naming_data():
    with pytest.raises(ValueError, match=r"^data"):
        torch_script(TrainConfig())


def test_config_that_does_not_fit_the_data_raises_naming_layers():
    with pytest.raises(ValueError, match=r"^layers"):
        torch_script(replace(CASES["sigmoid_mse_gd_full_batch"], layers=(3, 4, 1)))


def test_data_too_large_to_write_out_raises_naming_data(monkeypatch):
    monkeypatch.setattr("core.nn.torch_script.MAX_LITERALS", 100)
    assert MAX_LITERALS > 100
    with pytest.raises(ValueError, match=r"^data: .* too many"):
        torch_script(CASES["sigmoid_mse_gd_full_batch"])


def test_network_too_large_to_write_out_raises_naming_layers(monkeypatch):
    monkeypatch.setattr("core.nn.torch_script.MAX_LITERALS", 200)
    config = replace(CASES["sigmoid_mse_gd_full_batch"], data=DataSpec("moons", n=20))
    config = replace(config, layers=(2, 64, 1))
    with pytest.raises(ValueError, match=r"^layers: .* too many"):
        torch_script(config)
