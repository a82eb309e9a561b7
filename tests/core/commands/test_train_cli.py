"""``python main.py train``: the CSV log, the summary line, and one-line errors."""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.commands.train import add_train_arguments, run_train

ROOT = Path(__file__).resolve().parents[3]
XOR = "--dataset xor --layers 2,4,1 "


def _run(text: str, *extra: str) -> tuple[int, str, str]:
    """Parse ``text`` (split on spaces) plus ``extra`` as main.py's train sub-parser does."""
    parser = argparse.ArgumentParser(prog="slope train")
    add_train_arguments(parser)
    args = parser.parse_args([*text.split(), *extra])
    out, err = io.StringIO(), io.StringIO()
    code = run_train(args, out, err)
    return code, out.getvalue(), err.getvalue()


def test_classification_log_and_summary_to_stderr():
    code, out, err = _run(XOR + "--lr 0.5 --epochs 30 --samples 40")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    header = ["epoch", "step", "train_loss", "test_loss", "train_accuracy", "test_accuracy"]
    assert rows[0] == [*header, "grad_norm_0", "grad_norm_1"]
    assert [int(r[0]) for r in rows[1:]] == list(range(31))
    assert all(r[2] == repr(float(r[2])) for r in rows[1:])  # shortest exact float text
    assert err.count("\n") == 1 and err.startswith("reached the epoch limit (30) at step 30")
    assert "test accuracy" in err


def test_out_file_and_regression_columns(tmp_path):
    log = tmp_path / "log.csv"
    code, out, err = _run(
        "--dataset sine --layers 1,8,1 --epochs 3 --batch 16 --optimizer adam --lr 1e-2 --out",
        str(log),
    )
    assert code == 0 and err == ""
    assert out.startswith("reached the epoch limit (3)") and "accuracy" not in out
    rows = list(csv.reader(log.open()))
    assert rows[0] == ["epoch", "step", "train_loss", "test_loss", "grad_norm_0", "grad_norm_1"]
    assert [r[:2] for r in rows[1:]] == [["0", "0"], ["1", "10"], ["2", "20"], ["3", "30"]]


def test_same_arguments_same_log():
    argv = "--dataset moons --layers 2,6,1 --epochs 4 --batch 8 --dropout 0.1 --seed "
    assert _run(argv + "3")[1] == _run(argv + "3")[1]
    assert _run(argv + "3")[1] != _run(argv + "4")[1]


def test_options_reach_the_config(tmp_path):
    blobs = "--dataset blobs --layers 2,8,3 "
    code, _, err = _run(blobs + "--epochs 2 --batch 1 --batch-norm --samples 40")
    assert code == 2 and "batch_norm needs batches" in err
    code, _, err = _run(
        blobs + "--epochs 20 --optimizer momentum --momentum 0.5 --l2 1e-3 --clip-norm 5 "
        "--target-loss 0.3 --activation relu --init he"
    )
    assert code == 0 and "test accuracy" in err
    points = tmp_path / "points.csv"
    points.write_text("a,b,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(12)))
    code, out, _ = _run("--layers 2,4,1 --epochs 2 --csv", str(points))
    assert code == 0 and out.count("\n") == 4


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (XOR + "--lr -1e-05", "--lr must be a number >= 0, got '-1e-05'"),
        (XOR + "--lr -inf", "--lr must be a number"),
        (XOR + "--lr fast", "--lr must be a number, got 'fast'"),
        ("--dataset xor --layers 2,x,1", "--layers must be whole numbers"),
        ("--dataset xor --layers 3,4,1", "layers must start with 2 inputs"),
        ("--dataset swirl --layers 2,4,1", "dataset must be one of"),
        (XOR + "--optimizer sgdx", "optimizer must be one of"),
        (XOR + "--epochs 0", "--epochs must be a whole number >= 1"),
        (XOR + "--epochs -3", "--epochs must be a whole number >= 1"),
        (XOR + "--batch half", "--batch must be a whole number"),
        (XOR + "--batch 0", "--batch must be a whole number >= 1"),
        (XOR + "--dropout 1.5", "dropout must be in [0, 1)"),
        (XOR + "--seed -1", "--seed must be a whole number >= 0"),
        (XOR + "--momentum 0.9 --optimizer adam", "adam has no hyperparameter 'momentum'"),
        (XOR + "--loss cross_entropy", "output 'softmax' needs at least 2 output units"),
        (XOR + "--activation swish", "activation must be one of"),
        ("--dataset sine --layers 1,4,1 --loss bce", "regression data set needs loss 'mse'"),
        (XOR + "--samples 2", "--samples must be a whole number >= 4"),
        ("--csv /no/such/file.csv --layers 2,4,1", "CSV file not found"),
    ],
)
def test_bad_input_is_one_line_and_status_2(argv, message):
    code, out, err = _run(argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("slope train: error: ")
    assert message in err


def test_divergence_is_explained():
    code, _, err = _run(XOR + "--loss mse --init large --activation relu --lr 50 --epochs 50")
    assert code == 0 and err.startswith("diverged at step ")
    assert "the learning rate 50 is too large" in err and "last finite values: train loss" in err


def test_unwritable_output_is_reported(tmp_path):
    code, _, err = _run(XOR + "--epochs 1 --out", str(tmp_path / "missing" / "log.csv"))
    assert code == 2 and "--out: the folder of" in err and err.count("\n") == 1
    code, _, err = _run(XOR + "--epochs 1 --out", str(tmp_path))  # a folder, not a file
    assert code == 2 and "cannot write" in err and err.count("\n") == 1
    code, _, err = _run(XOR + "--epochs 1 --save-weights", str(tmp_path / "no" / "w.npz"))
    assert code == 2 and "--save-weights: the folder of" in err and err.count("\n") == 1


def test_through_main_py(tmp_path):
    def main(text: str) -> subprocess.CompletedProcess:
        command = [sys.executable, str(ROOT / "main.py"), "train", *text.split()]
        return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120)

    ok = main(XOR + "--epochs 5 --samples 20 --out log.csv")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("reached the epoch limit (5)")
    assert (tmp_path / "log.csv").read_text().startswith("epoch,step,train_loss,test_loss")
    bad = main(XOR + "--lr -1e-05")
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    assert "--lr must be a number >= 0" in bad.stderr
    helped = main("--help")
    assert helped.returncode == 0 and "--batch-norm" in helped.stdout


def test_every_option_reaches_the_config():
    from core.commands.train import config_from_args
    from core.nn.datasets import make_dataset
    from core.optim.optimizers import ClipSpec

    parser = argparse.ArgumentParser()
    add_train_arguments(parser)
    text = (
        "--dataset blobs --layers 2,5,4,3 --activation relu,elu --optimizer momentum "
        "--momentum 0.5 --lr 0.2 --epochs 7 --batch 8 --l1 1e-4 --l2 1e-3 --dropout 0.1 "
        "--clip-norm 5 --target-loss 0.3 --seed 3 --init he --batch-norm"
    )
    config = config_from_args(parser.parse_args(text.split()), make_dataset("blobs"))
    assert config.layers == (2, 5, 4, 3) and config.activation == ("relu", "elu")
    assert (config.loss, config.output) == ("cross_entropy", "softmax")
    assert config.hyper == (("momentum", 0.5),) and config.clip == ClipSpec("norm", 5.0)
    assert (config.mode, config.batch_size, config.epochs, config.seed) == ("minibatch", 8, 7, 3)
    assert (config.lr, config.l1, config.l2, config.dropout) == (0.2, 1e-4, 1e-3, 0.1)
    assert config.target_loss == 0.3 and config.batch_norm and config.init == "he"
    regression = parser.parse_args("--dataset sine --layers 1,4,1 --batch 1".split())
    config = config_from_args(regression, make_dataset("sine"))
    assert (config.loss, config.output, config.mode) == ("mse", "linear", "stochastic")
    assert config.clip == ClipSpec() and config.target_loss is None and config.hyper == ()


def test_backprop_by_hand_preset_logs_the_hand_loss_and_saves_the_hand_weights(tmp_path):
    log, weights = tmp_path / "log.csv", tmp_path / "w.npz"
    code, out, _ = _run(
        "--preset backprop-by-hand --epochs 1 --out", str(log), "--save-weights", str(weights)
    )
    assert code == 0 and out.startswith("reached the epoch limit (1) at step 1")
    rows = list(csv.reader(log.open()))
    assert rows[0] == ["epoch", "step", "train_loss", "test_loss", "grad_norm_0", "grad_norm_1"]
    assert rows[1][:2] == ["0", "0"] and rows[1][3] == ""  # no test part
    assert float(rows[1][2]) == pytest.approx(0.298371109, abs=1e-9)  # E before the update
    saved = np.load(weights)
    assert saved.files == ["W0", "b0", "W1", "b1"]
    assert saved["W0"].shape == (2, 2) and saved["W1"].shape == (2, 2)
    assert saved["W0"][0, 0] == pytest.approx(0.149780716, abs=1e-9)  # w1+
    assert saved["W1"][0, 0] == pytest.approx(0.35891648, abs=1e-8)  # w5+
    np.testing.assert_array_equal(saved["b0"], [0.35, 0.35])  # held fixed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.csv", "w.npz"]  # no temp left


def test_save_weights_replaces_an_old_file(tmp_path):
    weights = tmp_path / "w.npz"
    weights.write_bytes(b"old")
    code, _, _ = _run(XOR + "--epochs 2 --samples 20 --save-weights", str(weights))
    assert code == 0 and set(np.load(weights).files) == {"W0", "b0", "W1", "b1"}


def test_options_override_the_preset_and_variants_are_chosen_by_label():
    code, out, err = _run("--preset xor-needs-a-hidden-layer --epochs 3")
    assert code == 0 and len(out.splitlines()) == 5 and "grad_norm_1" not in out
    code, out, err = _run(
        "--preset xor-needs-a-hidden-layer --epochs 3 --variant", "one hidden layer of 4"
    )
    assert code == 0 and out.splitlines()[0].endswith("grad_norm_0,grad_norm_1")
    code, _, err = _run("--preset xor-needs-a-hidden-layer --variant deep")
    assert code == 2 and "variant must be one of base, one hidden layer of 4; got 'deep'" in err
    code, _, err = _run(XOR + "--variant tanh")
    assert code == 2 and "--variant needs --preset" in err
    code, _, err = _run("--preset no-such-thing")
    assert code == 2 and "--preset must be one of backprop-by-hand" in err
    code, _, err = _run("--epochs 3")
    assert code == 2 and "give --dataset NAME, --csv FILE or --preset NAME" in err


def test_grad_norm_columns_are_the_frames_gradient_norms():
    from core.nn.datasets import make_dataset
    from core.nn.training import TrainConfig, train

    code, out, _ = _run(XOR + "--epochs 2 --samples 40 --lr 0.5")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))[1:]
    config = TrainConfig(layers=(2, 4, 1), lr=0.5, epochs=2)
    frames = list(train(config, make_dataset("xor", n=40)))
    for row, frame in zip(rows, frames, strict=True):
        assert [float(v) for v in row[-2:]] == list(frame.grad_norms)


def test_schedule_option():
    from core.commands.train import parse_schedule
    from core.optim.optimizers import ScheduleSpec

    assert parse_schedule("step:step_size=10,gamma=0.5") == ScheduleSpec("step", 10, 0.5)
    assert parse_schedule("cosine:t_max=500") == ScheduleSpec("cosine", t_max=500)
    assert parse_schedule("constant") == ScheduleSpec()
    flat = _run(XOR + "--epochs 5 --samples 20")[1]
    decayed = _run(XOR + "--epochs 5 --samples 20 --schedule exponential:gamma=0.5")[1]
    assert flat.splitlines()[1] == decayed.splitlines()[1] and flat != decayed
    for text, message in [
        ("sawtooth", "--schedule kind must be one of constant"),
        ("step:size=3", "--schedule parts must be NAME=VALUE"),
        ("step:step_size=2.5", "--schedule step_size must be a whole number"),
        ("step:gamma=2", "schedule gamma must be in (0, 1]"),
    ]:
        code, _, err = _run(XOR + "--schedule", text)
        assert code == 2 and message in err and err.count("\n") == 1, text


def test_too_large_a_network_is_refused_up_front():
    code, out, err = _run("--dataset xor --layers 2,100000,100000,1")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "10,000,500,001 parameters, more than the limit 1,000,000" in err
    code, _, err = _run("--dataset moons --samples 100000 --layers 2,500,500,1")
    assert code == 2 and "activation values per pass, more than the limit" in err


TOKENS = [
    *"--dataset --csv --samples --noise --test-fraction --seed --data-seed --weight-seed".split(),
    *"--layers --activation --output --loss --init --dropout --batch-norm --fixed-biases".split(),
    *"--optimizer --lr --epochs --batch --l1 --l2 --clip-norm --target-loss --schedule".split(),
    *"--momentum --beta1 --eps --preset --variant".split(),
    *"xor moons sine blobs 2,4,1 1,4,1 2,0,1 2,,1 relu tanh,relu sigmoid softmax".split(),
    *"bce mse cross_entropy he zeros large adam momentum full 1 8 0 -1 0.5 1e999 nan".split(),
    *"-inf 1e-3 step:gamma=0.5 cosine:t_max=0 backprop-by-hand base tanh x \n é".split(" "),
    "zeros-init-symmetry",
    "a\nb",
]


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(tokens=st.lists(st.sampled_from(TOKENS) | st.text(max_size=6), max_size=8))
def test_fuzzed_command_lines_exit_0_or_2_with_one_line(tokens):
    from core.commands.common import OneLineParser

    parser = OneLineParser(prog="slope train")
    add_train_arguments(parser)
    stderr = io.StringIO()
    small = ["--epochs", "1", "--samples", "20"]  # the last occurrence wins: work stays small
    with contextlib.redirect_stderr(stderr):
        try:
            args = parser.parse_args([*tokens, *small])
        except SystemExit as exc:
            assert exc.code == 2
            args = None
    if args is not None:
        args.out = args.save_weights = None
        code = run_train(args, io.StringIO(), stderr)
        assert code in (0, 2)
    text = stderr.getvalue()
    if text.startswith("slope train: error"):
        assert text.count("\n") == 1 and "Traceback" not in text
