"""``python main.py train``: train a small network headless and log its losses as CSV."""

from __future__ import annotations

import argparse
import csv
import math
import re
from dataclasses import replace
from typing import TextIO

from core.nn.activations import HIDDEN_ACTIVATIONS, INITS, OUTPUT_ACTIVATIONS
from core.nn.datasets import Dataset, dataset_names, load_csv, make_dataset
from core.nn.losses import LOSSES
from core.nn.training import (
    STOP_REASONS,
    TrainConfig,
    TrainFrame,
    build_network,
    steps_per_epoch,
    train,
)
from core.optim.optimizers import OPTIMIZERS, ClipSpec

TRAIN_EPILOG = """\
Output: a CSV log with one row at the start and one at the end of every epoch:
epoch,step,train_loss,test_loss (plus train_accuracy,test_accuracy for classification),
floats in their shortest exact form. It goes to --out, or to stdout; the one-line summary
then goes to stdout, or to stderr so that stdout stays pure CSV.

Defaults follow the data: loss bce (one output) or cross_entropy (one output per class)
for classification, mse for regression; the output function is the one the loss needs.

examples:
  python main.py train --dataset xor --layers 2,4,1 --lr 0.5 --epochs 500
  python main.py train --dataset moons --layers 2,16,16,1 --activation relu \\
      --optimizer adam --lr 0.01 --epochs 50 --batch 32 --out log.csv
  python main.py train --dataset blobs --layers 2,8,3 --loss cross_entropy --batch 1
  python main.py train --csv points.csv --layers 2,8,1 --l2 1e-3 --dropout 0.2
"""

# argparse reads "-1e-05" or "-inf" as an unknown option; this admits every float notation
_NEGATIVE_NUMBER = re.compile(
    r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-(inf|infinity|nan)$", re.IGNORECASE
)
HYPER_FLAGS = ("momentum", "beta1", "beta2", "eps", "alpha", "weight_decay")
DEFAULT_OUTPUT = {"mse": "linear", "bce": "sigmoid", "cross_entropy": "softmax"}


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """Add every option of ``python main.py train`` to ``parser``."""
    parser.epilog = TRAIN_EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser._negative_number_matcher = _NEGATIVE_NUMBER
    _data_arguments(parser.add_argument_group("data"))
    _network_arguments(parser.add_argument_group("network"))
    _training_arguments(parser.add_argument_group("training"))
    parser.add_argument("--out", metavar="FILE.csv", help="write the CSV log here, not stdout")


def _data_arguments(group) -> None:
    source = group.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", metavar="NAME", help=f"one of: {', '.join(dataset_names())}")
    source.add_argument("--csv", metavar="FILE", help="your data: header x1,x2,label or ..,target")
    group.add_argument("--samples", default="200", metavar="N", help="generated sets: samples")
    group.add_argument("--noise", metavar="SIGMA", help="generated sets: noise (default: its own)")
    group.add_argument("--test-fraction", default="0.25", metavar="F", help="share kept for tests")
    group.add_argument("--seed", default="0", metavar="S", help="seed of data, weights, shuffling")


def _network_arguments(group) -> None:
    add = group.add_argument
    add("--layers", required=True, metavar="2,8,8,1", help="units per layer, input first")
    names = ", ".join(HIDDEN_ACTIVATIONS)
    add(
        "--activation",
        default="tanh",
        metavar="A[,A...]",
        help=f"hidden activation (one, or one per hidden layer): {names}",
    )
    add("--output", metavar="O", help=f"output function: {', '.join(OUTPUT_ACTIVATIONS)}")
    add("--loss", metavar="L", help=f"loss: {', '.join(LOSSES)}")
    add("--init", default="xavier", metavar="I", help=f"initial weights: {', '.join(INITS)}")
    add("--dropout", default="0", metavar="P", help="drop hidden units with probability P")
    add("--batch-norm", action="store_true", help="normalize hidden layers over each batch")


def _training_arguments(group) -> None:
    add = group.add_argument
    add("--optimizer", default="gd", metavar="NAME", help=f"one of: {', '.join(OPTIMIZERS)}")
    add("--lr", default="0.1", metavar="LR", help="learning rate (default 0.1)")
    add("--epochs", default="100", metavar="N", help="passes over the training data (default 100)")
    add(
        "--batch",
        default="full",
        metavar="full|B|1",
        help="full batch, mini-batches of B samples, or 1 sample per step (stochastic)",
    )
    add("--l1", default="0", metavar="L", help="L1 penalty l1 * sum|W| (default 0)")
    add("--l2", default="0", metavar="L", help="L2 penalty (l2 / 2) * sum W^2 (default 0)")
    add("--clip-norm", metavar="C", help="rescale gradients whose norm exceeds C")
    add("--target-loss", metavar="L", help="stop once the training loss is <= L (per epoch)")
    for flag in HYPER_FLAGS:
        add(f"--{flag.replace('_', '-')}", metavar="V", help=f"optimizer {flag.replace('_', ' ')}")


def _number(flag: str, text, low: float = -math.inf, integer: bool = False):
    """Parse an option value; ValueError names the flag and the allowed range."""
    kind = "a whole number" if integer else "a number"
    try:
        value = int(text) if integer else float(text)
    except (TypeError, ValueError):
        raise ValueError(f"--{flag} must be {kind}, got {text!r}") from None
    if not math.isfinite(value) or value < low:
        raise ValueError(f"--{flag} must be {kind} >= {low:g}, got {text!r}")
    return value


def _batch(text: str) -> tuple[str, int]:
    if text == "full":
        return "batch", 32
    size = _number("batch", text, 1, integer=True)
    return ("stochastic", 1) if size == 1 else ("minibatch", size)


def load_dataset(args: argparse.Namespace) -> Dataset:
    """The data set the options name (ValueError for bad names or values)."""
    seed = _number("seed", args.seed, 0, integer=True)
    fraction = _number("test-fraction", args.test_fraction, 0.0)
    if args.csv:
        return load_csv(args.csv, test_fraction=fraction, seed=seed)
    noise = None if args.noise is None else _number("noise", args.noise, 0.0)
    samples = _number("samples", args.samples, 4, integer=True)
    return make_dataset(args.dataset, n=samples, noise=noise, seed=seed, test_fraction=fraction)


def config_from_args(args: argparse.Namespace, dataset: Dataset) -> TrainConfig:
    """The TrainConfig the options describe, with loss and output defaulted from the data."""
    layers = _layers(args.layers)
    loss = args.loss or _default_loss(dataset, layers[-1])
    mode, batch_size = _batch(args.batch)
    names = tuple(a.strip() for a in args.activation.split(","))
    clip = ClipSpec("norm", _number("clip-norm", args.clip_norm)) if args.clip_norm else ClipSpec()
    return TrainConfig(
        layers=layers,
        activation=names[0] if len(names) == 1 else names,
        output=args.output or DEFAULT_OUTPUT.get(loss, "linear"),
        loss=loss,
        init=args.init,
        optimizer=args.optimizer,
        hyper=_hyper(args),
        mode=mode,
        batch_size=batch_size,
        batch_norm=args.batch_norm,
        clip=clip,
        **_numeric_options(args),
    )


def _layers(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ValueError(
            f"--layers must be whole numbers separated by commas, got {text!r}"
        ) from None


def _default_loss(dataset: Dataset, n_out: int) -> str:
    if dataset.task == "regression":
        return "mse"
    return "bce" if n_out == 1 else "cross_entropy"


def _hyper(args: argparse.Namespace) -> tuple[tuple[str, float], ...]:
    """The optimizer hyperparameters given on the command line, as (name, value) pairs."""
    given = [flag for flag in HYPER_FLAGS if getattr(args, flag) is not None]
    return tuple(
        (flag, _number(flag.replace("_", "-"), getattr(args, flag), 0.0)) for flag in given
    )


def _numeric_options(args: argparse.Namespace) -> dict:
    """lr, epochs, l1, l2, dropout, seed and target_loss, parsed and range-checked."""
    target = None if args.target_loss is None else _number("target-loss", args.target_loss)
    return {
        "lr": _number("lr", args.lr, 0.0),
        "epochs": _number("epochs", args.epochs, 1, integer=True),
        "l1": _number("l1", args.l1, 0.0),
        "l2": _number("l2", args.l2, 0.0),
        "dropout": _number("dropout", args.dropout, 0.0),
        "seed": _number("seed", args.seed, 0, integer=True),
        "target_loss": target,
    }


def _row(frame: TrainFrame, classification: bool) -> list:
    row = [frame.epoch, frame.step, repr(float(frame.train_loss)), repr(float(frame.test_loss))]
    if classification:
        row += [repr(float(frame.train_accuracy)), repr(float(frame.test_accuracy))]
    return row


def write_log(frames, classification: bool, out: TextIO) -> TrainFrame:
    """Write the CSV log of a run (start, every epoch end, and the last frame); return the last."""
    writer = csv.writer(out, lineterminator="\n")
    header = ["epoch", "step", "train_loss", "test_loss"]
    writer.writerow(header + (["train_accuracy", "test_accuracy"] if classification else []))
    last = None
    for frame in frames:
        if last is None or frame.epoch != last.epoch or frame.stop_reason:
            writer.writerow(_row(frame, classification))
        last = frame
    return last


def summary(frame: TrainFrame, epochs: int) -> str:
    """One line: why the run stopped, where, and its final losses (and accuracies)."""
    where = f"at step {frame.step}, epoch {frame.epoch}"
    losses = f"train loss {frame.train_loss:.6g}, test loss {frame.test_loss:.6g}"
    if frame.train_accuracy is not None:
        losses += (
            f", train accuracy {100 * frame.train_accuracy:.1f}%, test accuracy "
            f"{100 * frame.test_accuracy:.1f}%"
        )
    if frame.stop_reason == "diverged":
        why = STOP_REASONS["diverged"].split(": ", 1)[1]
        return f"diverged {where}: {why}; last finite values: {losses}"
    why = STOP_REASONS[frame.stop_reason]
    why += f" ({epochs})" if frame.stop_reason == "epoch_limit" else ""
    return f"{why} {where}: {losses}"


def run_train(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Run ``train``; the exit status is 0, or 2 with one line on stderr for bad input."""
    try:
        dataset = load_dataset(args)
        config = config_from_args(args, dataset)
        # the log has one row per epoch: evaluating the whole data set after every step
        # would only slow stochastic training on large files
        config = replace(config, eval_every=steps_per_epoch(config, len(dataset.X_train)))
        net = build_network(config, dataset)
        frames = train(config, dataset, net)
        classification = dataset.task == "classification"
        if args.out:
            with open(args.out, "w", newline="", encoding="utf-8") as handle:
                last = write_log(frames, classification, handle)
        else:
            last = write_log(frames, classification, stdout)
    except ValueError as exc:
        stderr.write(f"slope train: error: {exc}\n")
        return 2
    except OSError as exc:
        stderr.write(f"slope train: error: cannot write {args.out!r}: {exc.strerror}\n")
        return 2
    (stdout if args.out else stderr).write(summary(last, config.epochs) + "\n")
    return 0
