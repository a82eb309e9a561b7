"""``python main.py train``: the CSV log, the summary line, and one-line errors."""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert rows[0] == header
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
    assert rows[0] == ["epoch", "step", "train_loss", "test_loss"]
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
    assert "learning rate is too large" in err and "last finite values: train loss" in err


def test_unwritable_output_is_reported(tmp_path):
    code, _, err = _run(XOR + "--epochs 1 --out", str(tmp_path / "missing" / "log.csv"))
    assert code == 2 and "cannot write" in err and err.count("\n") == 1


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
