"""A standalone PyTorch script that rebuilds a Slope training run: carry on in torch.

:func:`torch_script` turns a :class:`~core.nn.train_config.TrainConfig` (and its data set)
into the text of a ``.py`` file that needs only torch and numpy. It rebuilds the same
network (``nn.Linear`` holds W.T, since Slope's W[l] is (n_in, n_out) and z = a @ W + b),
the same loss in torch's own class, the optimizer and schedule under their
``torch.optim`` names, clipping, penalties, dropout and batch norm, and embeds the data
and the starting weights as literals. The batch order and the dropout masks come from the
same seeded NumPy generators Slope uses, so the script's first losses equal Slope's.

torch is not needed to write the script; Slope never runs it (the text is data).
"""

from __future__ import annotations

import numpy as np

from core.nn.datasets import Dataset
from core.nn.losses import prepare_targets, targets_from_labels
from core.nn.torch_script_template import SCRIPT, literal
from core.nn.train_config import TrainConfig
from core.nn.train_run import Run
from core.nn.training import build_network
from core.optim.optimizers import OPTIMIZERS

__all__ = ["MAX_LITERALS", "torch_script"]

MAX_LITERALS = 2_000_000  # numbers written out: beyond, a file of tens of megabytes

_ACTIVATIONS = {
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()",
    "leaky_relu": "nn.LeakyReLU(0.01)",
    "linear": "nn.Identity()",
    "elu": "nn.ELU(alpha=1.0)",
    # torch's softplus returns z itself beyond z = 20, where log(1 + e^z) - z < 2.1e-9
    "softplus": "nn.Softplus()",
}
_LOSSES = {
    "mse": ("nn.MSELoss()", "mean over all elements of (output - target)^2"),
    "bce": (
        "nn.BCEWithLogitsLoss()",
        "binary cross-entropy of sigmoid(z), from the last layer's z (logits)",
    ),
    "cross_entropy": (
        "nn.CrossEntropyLoss()",
        "softmax cross-entropy with class indices, from the last layer's z",
    ),
}
# Slope's optimizer name -> the torch.optim class (its defaults then become arguments)
_OPTIMIZERS = {
    "gd": "SGD",
    "momentum": "SGD",
    "nesterov": "SGD",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
    "amsgrad": "Adam",
    "nadam": "NAdam",
    "adamax": "Adamax",
    "adadelta": "Adadelta",
}
_SWITCHES = ("nesterov", "amsgrad", "centered")  # Slope: 0 or 1; torch: False or True


def torch_script(config: TrainConfig, dataset: Dataset | None = None) -> str:
    """The text of a PyTorch script that trains ``config`` as :func:`core.nn.training.train`.

    Parameters
    ----------
    config : TrainConfig
        The run: network, loss, optimizer, schedule, clipping, penalties, batching, seeds.
    dataset : Dataset, optional
        Its data (None: the config's own ``data``, drawn with its data seed).

    Returns
    -------
    str
        A standalone script (torch and numpy only) printing ``step,epoch,lr,batch_loss,
        train_loss`` per update; batch_loss at step t equals ``TrainFrame.batch_loss``.

    Raises
    ------
    ValueError
        Naming the field, for a config Slope cannot train on this data or a script too
        large to write out (over :data:`MAX_LITERALS` numbers).
    """
    dataset = config.make_dataset() if dataset is None else dataset
    net = build_network(config, dataset)  # validates the config against the data
    run = Run(config, dataset, net)
    _check_size(config, dataset, net)
    fields = {
        "title": "A Slope training run",
        "layers": list(config.layers),
        "activation": _activation_text(config.activation),
        "output": config.output,
        "loss": config.loss,
        "optimizer": config.optimizer,
        "lr": repr(float(config.lr)),
        **_data_fields(config, dataset, run),
        **_setting_fields(config, run),
        "weights": literal([np.asarray(W) for W in net.weights], 0),
        "biases": literal([np.asarray(b) for b in net.biases], 0),
        "modules": _modules(config, net.n_layers),
        **_loss_fields(config.loss),
        **_optimizer_fields(config),
        **_schedule_fields(config),
        "clip_line": _clip_line(config),
    }
    return SCRIPT.substitute(fields)


def _check_size(config: TrainConfig, dataset: Dataset, net) -> None:
    data = sum(np.size(a) for a in (dataset.X_train, dataset.y_train))
    data += sum(np.size(a) for a in (dataset.X_test, dataset.y_test))
    weights = sum(np.size(w) + np.size(b) for w, b in zip(net.weights, net.biases, strict=True))
    if data > MAX_LITERALS:
        raise ValueError(
            f"data: {data:,} numbers are too many to write into a script (at most {MAX_LITERALS:,})"
        )
    if weights > MAX_LITERALS:
        raise ValueError(
            f"layers: {weights:,} weights are too many to write into a script "
            f"(at most {MAX_LITERALS:,})"
        )


def _activation_text(activation) -> str:
    return activation if isinstance(activation, str) else ", ".join(activation)


def _data_fields(config: TrainConfig, dataset: Dataset, run: Run) -> dict:
    n_out = config.layers[-1]
    targets = [
        prepare_targets(targets_from_labels(y, config.loss, n_out), config.loss, len(y), n_out)
        for y in (dataset.y_train, dataset.y_test)
    ]
    kind = "class indices" if config.loss == "cross_entropy" else "target rows"
    text = (
        f"{len(dataset.X_train)} training and {len(dataset.X_test)} test samples of "
        f"{dataset.n_features} features;\n# Y holds {kind} as the loss takes them."
    )
    size = run.batch_size
    modes = {"batch": "full batch", "minibatch": f"mini-batches of {size}"}
    return {
        "data_text": text,
        "mode_text": modes.get(config.mode, "one sample per update (stochastic)"),
        "mode": config.mode,
        "x_train": literal(dataset.X_train, 0),
        "y_train": literal(targets[0], 0),
        "x_test": literal(dataset.X_test, 0),
        "y_test": literal(targets[1], 0),
        "target_type": ", dtype=torch.long" if config.loss == "cross_entropy" else "",
    }


def _setting_fields(config: TrainConfig, run: Run) -> dict:
    target = config.target_loss
    return {
        "epochs": config.epochs,
        "batch_size": run.batch_size,
        "steps_per_epoch": run.steps_per_epoch,
        "fold_last": run.fold_last,
        "data_seed": config.data_seeds,
        "weight_seed": config.weight_seeds,
        "l1": repr(float(config.l1)),
        "l2": repr(float(config.l2)),
        "eval_every": config.eval_every,
        "target_loss": None if target is None else repr(float(target)),
        "fixed_biases": config.fixed_biases,
    }


def _modules(config: TrainConfig, n_layers: int) -> str:
    """The nn.Sequential's lines: Linear, [BatchNorm1d], activation, [dropout] per layer."""
    sizes = config.layers
    names = config.activation
    names = [names] * (n_layers - 1) if isinstance(names, str) else list(names)
    lines = []
    for layer in range(n_layers):
        lines.append(f"nn.Linear({sizes[layer]}, {sizes[layer + 1]}),")
        if layer == n_layers - 1:
            break
        if config.batch_norm:  # torch's defaults are Slope's: eps 1e-5, momentum 0.1
            lines.append(f"nn.BatchNorm1d({sizes[layer + 1]}, eps=1e-05, momentum=0.1),")
        lines.append(f"{_ACTIVATIONS[names[layer]]},")
        if config.dropout > 0:
            lines.append(f"SlopeDropout({config.dropout!r}, dropout_rng),")
    if config.loss == "mse" and config.output != "linear":  # the other losses take z
        lines.append("nn.Sigmoid()," if config.output == "sigmoid" else "nn.Softmax(dim=1),")
    return "\n".join(" " * 8 + line for line in lines)


def _loss_fields(loss: str) -> dict:
    call, meaning = _LOSSES[loss]
    return {"loss_fn": call, "loss_comment": f"# the loss: {meaning}"}


def _optimizer_fields(config: TrainConfig) -> dict:
    """``torch.optim.NAME(trained, lr=LR, ...)`` with every hyperparameter Slope uses."""
    name = config.optimizer
    cls = _OPTIMIZERS[name]
    hyper = {**OPTIMIZERS[name].defaults, **dict(config.hyper)}
    args = {}
    for key, value in hyper.items():
        if key in _SWITCHES:
            args[key] = bool(value)
        elif key not in ("beta1", "beta2"):
            args[key] = float(value)
    if "beta1" in hyper:
        args["betas"] = (float(hyper["beta1"]), float(hyper["beta2"]))
    if cls == "SGD" and args["momentum"] == 0.0:
        args["nesterov"] = False  # Slope's plain gradient step; torch refuses the pair
    text = "".join(f"\n        {key}={value!r}," for key, value in args.items())
    comment = f"# the optimizer: Slope's {name!r} is torch.optim.{cls} with these settings"
    if config.fixed_biases:
        comment += "\n    # (the fixed biases are left out of it: they keep their values)"
    return {
        "optimizer_comment": comment,
        "optimizer_call": f"torch.optim.{cls}(\n        trained,\n        lr=LR,{text}\n    )",
    }


def _schedule_fields(config: TrainConfig) -> dict:
    """The torch.optim.lr_scheduler equal to Slope's schedule, stepped after each update."""
    s = config.schedule
    schedulers = "lr_scheduler"
    calls = {
        "step": f"{schedulers}.StepLR(optimizer, step_size={s.step_size}, gamma={s.gamma!r})",
        "exponential": f"{schedulers}.ExponentialLR(optimizer, gamma={s.gamma!r})",
        "cosine": (
            f"{schedulers}.CosineAnnealingLR(optimizer, T_max={s.t_max}, eta_min={s.eta_min!r})"
        ),
        "warmup_cosine": (
            f"{schedulers}.SequentialLR(\n        optimizer,\n        [\n"
            f"            {schedulers}.LinearLR(optimizer, start_factor={1 / s.warmup!r}, "
            f"total_iters={s.warmup - 1}),\n"
            f"            {schedulers}.CosineAnnealingLR(optimizer, T_max={s.t_max - s.warmup}, "
            f"eta_min={s.eta_min!r}),\n"
            f"        ],\n        milestones=[{s.warmup}],\n    )"
        ),
    }
    words = {
        "constant": "a constant learning rate",
        "step": "the learning rate times gamma every step_size updates",
        "exponential": "the learning rate times gamma after every update",
        "cosine": "a cosine from the learning rate down to eta_min over T_max updates",
        "warmup_cosine": "a linear warm-up, then a cosine down to eta_min",
    }
    if s.kind == "constant":
        return {
            "scheduler_lines": f"# the schedule: {words[s.kind]} (no scheduler)",
            "scheduler_step": "# (a constant learning rate: no scheduler to step)",
        }
    return {
        "scheduler_lines": f"# the schedule: {words[s.kind]}\n    scheduler = {calls[s.kind]}",
        "scheduler_step": "scheduler.step()  # the learning rate of the next update",
    }


def _clip_line(config: TrainConfig) -> str:
    clip = config.clip
    if clip.mode == "norm":  # the norm of all gradients together, as Slope clips
        return f"nn.utils.clip_grad_norm_(model.parameters(), max_norm={clip.threshold!r})"
    if clip.mode == "value":
        return f"nn.utils.clip_grad_value_(model.parameters(), clip_value={clip.threshold!r})"
    return "# (no gradient clipping)"
