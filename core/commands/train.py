"""``python main.py train``: train a small network headless and log its losses as CSV."""

from __future__ import annotations

import argparse
import math
import re
from dataclasses import fields, replace
from pathlib import Path
from typing import TextIO

from core.commands.common import one_line
from core.commands.csv_out import write_log
from core.nn.activations import HIDDEN_ACTIVATIONS, INITS, OUTPUT_ACTIVATIONS
from core.nn.datasets import Dataset, dataset_names, load_csv, make_dataset
from core.nn.losses import LOSSES
from core.nn.presets import load_network_preset, network_preset_names
from core.nn.training import (
    STOP_REASONS,
    TrainConfig,
    TrainFrame,
    build_network,
    steps_per_epoch,
    train,
)
from core.nn.weights_file import save_weights
from core.optim.optimizers import OPTIMIZERS, ClipSpec, ScheduleSpec
from core.optim.schedules import SCHEDULES

TRAIN_EPILOG = """\
Output: a CSV log with one row at the start (the loss before any update) and one at the
end of every epoch: epoch,step,train_loss,test_loss (plus train_accuracy,test_accuracy
for classification), then grad_norm_0..grad_norm_L-1, the Frobenius norm of each layer's
batch gradient dL/dW at that step. Floats in their shortest exact form; an empty cell
where there is no test part. It goes to --out, or to stdout; the one-line summary then
goes to stdout, or to stderr so that stdout stays pure CSV.

--preset NAME takes a network preset's data set and settings; any other option given
overrides them. A preset with variants trains its base run, or the one --variant names.
--save-weights FILE.npz writes the final W0, b0, W1, b1, ... (W of shape (n_in, n_out)).
--schedule KIND[:NAME=VALUE,...] sets the learning-rate schedule, e.g. step:step_size=10,
gamma=0.5 or cosine:t_max=500 (kinds: constant, step, exponential, cosine, warmup_cosine).

Defaults follow the data: loss bce (one output) or cross_entropy (one output per class)
for classification, mse for regression; the output function is the one the loss needs.

examples:
  python main.py train --dataset xor --layers 2,4,1 --lr 0.5 --epochs 500
  python main.py train --dataset moons --layers 2,16,16,1 --activation relu \\
      --optimizer adam --lr 0.01 --epochs 50 --batch 32 --out log.csv
  python main.py train --preset backprop-by-hand --out log.csv --save-weights w.npz
  python main.py train --preset vanishing-gradients-deep-sigmoid --variant tanh
  python main.py train --csv points.csv --layers 2,8,1 --l2 1e-3 --dropout 0.2
"""

# argparse reads "-1e-05" or "-inf" as an unknown option; this admits every float notation
_NEGATIVE_NUMBER = re.compile(
    r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^-(inf|infinity|nan)$", re.IGNORECASE
)
HYPER_FLAGS = ("momentum", "beta1", "beta2", "eps", "alpha", "weight_decay")
DEFAULT_OUTPUT = {"mse": "linear", "bce": "sigmoid", "cross_entropy": "softmax"}
# what the command line trains when neither a preset nor an option says otherwise
CLI_DEFAULTS = TrainConfig(activation="tanh", init="xavier", lr=0.1, epochs=100)


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """Add every option of ``python main.py train`` to ``parser``."""
    parser.epilog = TRAIN_EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser._negative_number_matcher = _NEGATIVE_NUMBER
    presets = parser.add_argument_group("preset")
    presets.add_argument("--preset", metavar="NAME", help="a network preset (see --help end)")
    presets.add_argument("--variant", metavar="LABEL", help="train this variant of the preset")
    _data_arguments(parser.add_argument_group("data"))
    _network_arguments(parser.add_argument_group("network"))
    _training_arguments(parser.add_argument_group("training"))
    parser.add_argument("--out", metavar="FILE.csv", help="write the CSV log here, not stdout")
    parser.add_argument("--save-weights", metavar="FILE.npz", help="write the final weights")


def _data_arguments(group) -> None:
    source = group.add_mutually_exclusive_group()
    source.add_argument("--dataset", metavar="NAME", help=f"one of: {', '.join(dataset_names())}")
    source.add_argument("--csv", metavar="FILE", help="your data: header x1,x2,label or ..,target")
    group.add_argument("--samples", metavar="N", help="generated sets: samples (default 200)")
    group.add_argument("--noise", metavar="SIGMA", help="generated sets: noise (default: its own)")
    group.add_argument("--test-fraction", metavar="F", help="share kept for tests (default 0.25)")
    group.add_argument("--seed", metavar="S", help="seed of data, weights, shuffling (default 0)")
    group.add_argument("--data-seed", metavar="S", help="seed of the data and the batch order")
    group.add_argument("--weight-seed", metavar="S", help="seed of the initial weights, dropout")


def _network_arguments(group) -> None:
    add = group.add_argument
    add("--layers", metavar="2,8,8,1", help="units per layer, input first")
    names = ", ".join(HIDDEN_ACTIVATIONS)
    add("--activation", metavar="A[,A...]", help=f"hidden activation(s), default tanh: {names}")
    add("--output", metavar="O", help=f"output function: {', '.join(OUTPUT_ACTIVATIONS)}")
    add("--loss", metavar="L", help=f"loss: {', '.join(LOSSES)}")
    add("--init", metavar="I", help=f"initial weights, default xavier: {', '.join(INITS)}")
    add("--dropout", metavar="P", help="drop hidden units with probability P (default 0)")
    add("--batch-norm", action="store_const", const=True, help="normalize hidden layers")
    add("--fixed-biases", action="store_const", const=True, help="biases keep their values")


def _training_arguments(group) -> None:
    add = group.add_argument
    add("--optimizer", metavar="NAME", help=f"default gd; one of: {', '.join(OPTIMIZERS)}")
    add("--lr", metavar="LR", help="learning rate (default 0.1)")
    add("--epochs", metavar="N", help="passes over the training data (default 100)")
    add("--batch", metavar="full|B|1", help="full batch (default), B samples, or 1 per step")
    add("--l1", metavar="L", help="L1 penalty l1 * sum|W| (default 0)")
    add("--l2", metavar="L", help="L2 penalty (l2 / 2) * sum W^2 (default 0)")
    add("--clip-norm", metavar="C", help="rescale gradients whose norm exceeds C")
    add("--target-loss", metavar="L", help="stop once the training loss is <= L (per epoch)")
    add("--schedule", metavar="KIND[:K=V,...]", help="learning-rate schedule (see below)")
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


def parse_schedule(text: str) -> ScheduleSpec:
    """``KIND[:NAME=VALUE,...]`` as a ScheduleSpec, e.g. ``step:step_size=10,gamma=0.5``.

    ValueError names --schedule and the bad part.
    """
    kind, _, rest = text.partition(":")
    if kind not in SCHEDULES:
        raise ValueError(f"--schedule kind must be one of {', '.join(SCHEDULES)}; got {kind!r}")
    known = {f.name: f.type for f in fields(ScheduleSpec) if f.name != "kind"}
    values: dict = {}
    for part in filter(None, rest.split(",")):
        name, equals, value = part.partition("=")
        if not equals or name not in known:
            raise ValueError(
                f"--schedule parts must be NAME=VALUE with NAME one of {', '.join(known)}; "
                f"got {part!r}"
            )
        integer = known[name] in (int, "int")
        values[name] = _number(f"schedule {name}", value, 0.0, integer)
    return ScheduleSpec(kind, **values)


def _batch(text: str) -> tuple[str, int]:
    if text == "full":
        return "batch", 32
    size = _number("batch", text, 1, integer=True)
    return ("stochastic", 1) if size == 1 else ("minibatch", size)


def preset_config(args: argparse.Namespace) -> TrainConfig | None:
    """The config of --preset (its --variant), or None without --preset."""
    if args.preset is None:
        if args.variant is not None:
            raise ValueError("--variant needs --preset")
        return None
    if args.preset not in network_preset_names():
        names = ", ".join(network_preset_names())
        raise ValueError(f"--preset must be one of {names}; got {args.preset!r}")
    preset = load_network_preset(args.preset)
    return preset.config if args.variant is None else preset.variant(args.variant)


def load_dataset(args: argparse.Namespace, base: TrainConfig | None = None) -> Dataset:
    """The data set the options (or the preset ``base``) name (ValueError for bad values)."""
    seed = _data_seed(args, base)
    fraction = None if args.test_fraction is None else _number("test-fraction", args.test_fraction)
    if args.csv:
        return load_csv(args.csv, test_fraction=0.25 if fraction is None else fraction, seed=seed)
    changes = {}
    if args.noise is not None:
        changes["noise"] = _number("noise", args.noise, 0.0)
    if args.samples is not None:
        changes["n"] = _number("samples", args.samples, 4, integer=True)
    if fraction is not None:
        changes["test_fraction"] = fraction
    if args.dataset is None:
        if base is None or base.data is None:
            raise ValueError("give --dataset NAME, --csv FILE or --preset NAME")
        return (replace(base.data, **changes) if changes else base.data).build(seed)
    changes.setdefault("n", 200)
    return make_dataset(args.dataset, seed=seed, **changes)


def _seed(args, flag: str) -> int | None:
    text = getattr(args, flag.replace("-", "_"))
    return None if text is None else _number(flag, text, 0, integer=True)


def _data_seed(args, base: TrainConfig | None) -> int:
    for flag in ("data-seed", "seed"):
        if _seed(args, flag) is not None:
            return _seed(args, flag)
    return 0 if base is None else base.data_seeds


def config_from_args(
    args: argparse.Namespace, dataset: Dataset, base: TrainConfig | None = None
) -> TrainConfig:
    """The TrainConfig the options describe: ``base`` (a preset's) with the options given
    replacing its fields; without a base, loss and output are defaulted from the data."""
    if args.layers is None and base is None:
        raise ValueError("--layers is required (or give --preset NAME)")
    changes = _network_changes(args) | _training_changes(args)
    layers = changes.get("layers", base.layers if base else None)
    if args.loss:
        loss = args.loss
    else:
        loss = base.loss if base else _default_loss(dataset, layers[-1])
    changes["loss"] = loss
    if args.output or base is None or args.loss:
        changes["output"] = args.output or DEFAULT_OUTPUT.get(loss, "linear")
    if args.dataset or args.csv:
        changes["data"] = None  # the run's data come from the options, not the preset
    return replace(base or CLI_DEFAULTS, **changes)


def _network_changes(args: argparse.Namespace) -> dict:
    changes: dict = {}
    if args.layers is not None:
        changes["layers"] = _layers(args.layers)
    if args.activation is not None:
        names = tuple(a.strip() for a in args.activation.split(","))
        changes["activation"] = names[0] if len(names) == 1 else names
    if args.init is not None:
        changes["init"] = args.init
    if args.dropout is not None:
        changes["dropout"] = _number("dropout", args.dropout, 0.0)
    for flag in ("batch_norm", "fixed_biases"):
        if getattr(args, flag):
            changes[flag] = True
    return changes


def _training_changes(args: argparse.Namespace) -> dict:
    """The training fields the options set: optimizer, batching, numbers, clip, schedule."""
    changes: dict = {}
    if args.optimizer is not None:
        changes["optimizer"] = args.optimizer
    if args.batch is not None:
        changes["mode"], changes["batch_size"] = _batch(args.batch)
    if args.clip_norm is not None:
        changes["clip"] = ClipSpec("norm", _number("clip-norm", args.clip_norm))
    if args.schedule is not None:
        changes["schedule"] = parse_schedule(args.schedule)
    if any(getattr(args, flag) is not None for flag in HYPER_FLAGS):
        changes["hyper"] = _hyper(args)
    for name, low, integer in _NUMBERS:
        text = getattr(args, name)
        if text is not None:
            changes[name] = _number(name.replace("_", "-"), text, low, integer)
    return changes


# config field (= option name), lowest value, whole number?
_NUMBERS = (
    ("lr", 0.0, False),
    ("epochs", 1, True),
    ("l1", 0.0, False),
    ("l2", 0.0, False),
    ("target_loss", -math.inf, False),
    ("seed", 0, True),
    ("data_seed", 0, True),
    ("weight_seed", 0, True),
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


def summary(frame: TrainFrame, epochs: int) -> str:
    """One line: why the run stopped, where, and its final losses (and accuracies)."""
    where = f"at step {frame.step}, epoch {frame.epoch}"
    losses = f"train loss {frame.train_loss:.6g}"
    if frame.test_loss is not None:
        losses += f", test loss {frame.test_loss:.6g}"
    if frame.train_accuracy is not None:
        losses += f", train accuracy {100 * frame.train_accuracy:.1f}%"
    if frame.test_accuracy is not None:
        losses += f", test accuracy {100 * frame.test_accuracy:.1f}%"
    if frame.stop_reason == "diverged":
        return f"diverged {where}: {frame.stop_detail}; last finite values: {losses}"
    why = STOP_REASONS[frame.stop_reason]
    why += f" ({epochs})" if frame.stop_reason == "epoch_limit" else ""
    return f"{why} {where}: {losses}"


def _check_folder(flag: str, path: str | None) -> None:
    """Refuse an output whose folder does not exist before training, not after."""
    if path is not None and not Path(path).resolve().parent.is_dir():
        raise ValueError(f"--{flag}: the folder of {path!r} does not exist")


def run_train(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Run ``train``; the exit status is 0, or 2 with one line on stderr for bad input."""
    try:
        _check_folder("out", args.out)
        _check_folder("save-weights", args.save_weights)
        base = preset_config(args)
        dataset = load_dataset(args, base)
        config = config_from_args(args, dataset, base)
        # the log has one row per epoch: evaluating the whole data set after every step
        # would only slow stochastic training on large files
        config = replace(config, eval_every=steps_per_epoch(config, len(dataset.X_train)))
        net = build_network(config, dataset)
        frames = train(config, dataset, net)
        classification = dataset.task == "classification"
        if args.out:
            with open(args.out, "w", newline="", encoding="utf-8") as handle:
                last = write_log(frames, classification, handle, net.n_layers)
        else:
            last = write_log(frames, classification, stdout, net.n_layers)
        if args.save_weights:
            save_weights(args.save_weights, last)
    except ValueError as exc:
        stderr.write(f"slope train: error: {one_line(exc)}\n")
        return 2
    except OSError as exc:
        target = args.save_weights if exc.filename != args.out else args.out
        stderr.write(f"slope train: error: cannot write {target!r}: {one_line(exc.strerror)}\n")
        return 2
    (stdout if args.out else stderr).write(summary(last, config.epochs) + "\n")
    return 0
